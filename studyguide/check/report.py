"""What ``studyguide check`` found: issues with ``path:line``, checks that ran, checks skipped.

Every checker (site links and ids, HTML validity, diagrams, content lint) returns plain
:class:`Issue` objects into one :class:`CheckReport`; the report decides what fails the run
(errors; warnings too under ``--strict``) and prints itself grouped by file.

A check that could not run (no Java for the HTML checker, no browser for Mermaid) is *skipped*, and
the report says so — it never counts as passed. When ``STUDYGUIDE_REQUIRE_TOOLS=1`` (CI) a skipped
check is an error instead, so a missing tool cannot quietly weaken the gate.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..content.errors import ContentError, display_path

REQUIRE_TOOLS_ENV = "STUDYGUIDE_REQUIRE_TOOLS"

ERROR = "error"
WARNING = "warning"


class ToolUnavailable(Exception):
    """An external tool a check needs (Java, vnu.jar, Chromium) is missing; the message says how
    to get it."""


def tools_required() -> bool:
    """True when a missing tool must fail the check (CI sets ``STUDYGUIDE_REQUIRE_TOOLS=1``)."""
    return os.environ.get(REQUIRE_TOOLS_ENV, "").strip() == "1"


@dataclass(frozen=True)
class Issue:
    """One finding. `path` is already a display string (a content file, or a built page)."""

    severity: str  # ERROR or WARNING
    path: str
    line: int | None
    message: str
    check: str = ""  # which checker found it: links, ids, html, diagrams, lint, ...

    def format(self, *, strict: bool = False) -> str:
        severity = ERROR if strict else self.severity
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {severity}: {self.message}"


class SourceTexts:
    """Content files read once, to find the line where some text (a link, a tag) appears."""

    def __init__(self) -> None:
        self._texts: dict[Path, str] = {}

    def text(self, path: Path) -> str:
        if path not in self._texts:
            try:
                self._texts[path] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                self._texts[path] = ""
        return self._texts[path]

    def locate(self, path: Path, needle: str, start_line: int = 1) -> int | None:
        """1-based line of the first `needle` in `path` at or after `start_line`, or None."""
        text = self.text(path)
        offset = 0
        for _ in range(start_line - 1):
            offset = text.find("\n", offset) + 1
            if offset == 0:
                return None
        at = text.find(needle, offset) if needle else -1
        return text.count("\n", 0, at) + 1 if at >= 0 else None


def issue_from_content_error(error: ContentError) -> Issue:
    return Issue(ERROR, display_path(error.path), error.line, error.message, "content")


@dataclass
class CheckReport:
    """Everything one run of the checks found."""

    issues: list[Issue] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)  # one line per check that ran: "links: 412 checked"
    skipped: list[str] = field(default_factory=list)  # one line per check that did not run, and why
    skips: list[tuple[str, str]] = field(default_factory=list)  # the same as (check, reason)

    def add(self, severity: str, path: str | Path, line: int | None, message: str, check: str) -> None:
        label = path if isinstance(path, str) else display_path(path)
        self.issues.append(Issue(severity, label, line, message, check))

    def error(self, path: str | Path, line: int | None, message: str, check: str) -> None:
        self.add(ERROR, path, line, message, check)

    def warning(self, path: str | Path, line: int | None, message: str, check: str) -> None:
        self.add(WARNING, path, line, message, check)

    def once_per_content_place(self, built_prefix: str) -> None:
        """A mistake in a content file shows on several built pages (its own page, the one-page
        edition, the answer sheet): keep it once at its file and line. Issues located on built
        pages (under `built_prefix`) stay as they are: two identical links on one line are two."""
        seen: set[object] = set()
        kept = []
        for issue in self.issues:
            if not issue.path.startswith(built_prefix):
                if issue in seen:
                    continue
                seen.add(issue)
            kept.append(issue)
        self.issues[:] = kept

    def skip(self, check: str, reason: str) -> None:
        """Record that `check` did not run. Under ``STUDYGUIDE_REQUIRE_TOOLS=1`` that is an error."""
        self.skipped.append(f"{check}: SKIPPED — {reason}")
        self.skips.append((check, reason))
        if tools_required():
            self._skip_error(check, reason, f"{REQUIRE_TOOLS_ENV}=1")

    def _skip_error(self, check: str, reason: str, by: str) -> None:
        self.error(check, None, f"check could not run ({reason}) and {by} requires it", check)

    def require_tools(self) -> None:
        """``check --require-tools``: every skipped check is an error, as under
        ``STUDYGUIDE_REQUIRE_TOOLS=1`` (where they already are)."""
        if not tools_required():
            for check, reason in self.skips:
                self._skip_error(check, reason, "--require-tools")

    def extend(self, other: CheckReport) -> None:
        self.issues.extend(other.issues)
        self.ran.extend(other.ran)
        self.skipped.extend(other.skipped)
        self.skips.extend(other.skips)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == WARNING]

    def failed(self, *, strict: bool = False) -> bool:
        return bool(self.errors) or (strict and bool(self.warnings))

    def by_check(self, check: str) -> list[Issue]:
        return [i for i in self.issues if i.check == check]

    def lines(self, *, strict: bool = False) -> list[str]:
        """The printable report: issues grouped by file (a blank line between files), then what
        ran, what was skipped and a one-line verdict."""
        out: list[str] = []
        groups: dict[str, list[Issue]] = {}
        for issue in sorted(set(self.issues), key=lambda i: (i.path, i.line or 0, i.message)):
            groups.setdefault(issue.path, []).append(issue)
        for issues in groups.values():
            out.extend(issue.format(strict=strict) for issue in issues)
            out.append("")
        out.extend(f"  {line}" for line in self.ran)
        out.extend(f"  {line}" for line in self.skipped)
        n_err, n_warn = len(self.errors), len(self.warnings)
        if strict:
            n_err, n_warn = n_err + n_warn, 0
        verdict = "check failed" if self.failed(strict=strict) else "check passed"
        counts = f"{n_err} error{'s' if n_err != 1 else ''}, {n_warn} warning{'s' if n_warn != 1 else ''}"
        extra = f"; {len(self.skipped)} check{'s' if len(self.skipped) != 1 else ''} skipped" if self.skipped else ""
        out.append(f"{verdict}: {counts}{extra}" + (" (--strict: warnings count as errors)" if strict else ""))
        return out
