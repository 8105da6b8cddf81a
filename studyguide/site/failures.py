"""Why a build failed, said the same way everywhere: the CLI, the preview's error page, deploy.

Every failure an author can fix becomes one :class:`Problem` per mistake, located as
``path:line`` — a content file, or the template and line where a template crashed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..content.errors import ContentErrors, display_path
from ..render.pages import TemplateRenderError
from .builder import OutputDirError
from .diagram_renderers import RendererUnavailable

#: Failures that are the author's to fix (content, templates, output folder, an unreachable diagram
#: renderer, disk): reported as
#: messages, never as a traceback.
KNOWN_FAILURES = (ContentErrors, TemplateRenderError, OutputDirError, RendererUnavailable, OSError)


@dataclass(frozen=True)
class Problem:
    """One reason the last rebuild failed, as the terminal and the error page show it."""

    location: str  # "content/domains/01-x/01-y.md:3", "templates/domain.html:12" or ""
    message: str
    kind: str  # "content", "template", "error" (I/O, output folder) or "internal" (a bug)

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


def problems_from(exc: BaseException, templates_dir: Path) -> list[Problem]:
    """What went wrong in a failed build, one :class:`Problem` per mistake (a failure not in
    :data:`KNOWN_FAILURES` is a bug of ours, reported as such)."""
    if isinstance(exc, ContentErrors):
        return [*(Problem(f"{display_path(e.path)}:{e.line}", e.message, "content") for e in exc.errors),
                *(Problem("", f"error: {note}", "error") for note in exc.notes)]
    if isinstance(exc, TemplateRenderError):
        where = f"{display_path(exc.path or templates_dir / exc.template)}:{exc.line or '?'}"
        return [Problem(where, exc.message, "template")]
    if isinstance(exc, (OSError, OutputDirError, RendererUnavailable)):
        return [Problem("", f"error: {exc}", "error")]
    return [Problem("", f"internal error ({type(exc).__name__}: {exc}); please report it", "internal")]
