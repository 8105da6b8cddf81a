"""Where the default theme (``templates/`` and ``static/``) lives.

In a source checkout they sit beside the package; in a wheel, hatchling's ``force-include`` puts
them inside it as ``studyguide/theme/``. Theme overrides (a later feature) will put a project's own
folders in front of these.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # the studyguide package


@dataclass(frozen=True)
class Theme:
    templates: Path
    static: Path


def default_theme() -> Theme:
    installed = _PACKAGE / "theme"
    base = installed if (installed / "templates").is_dir() else _PACKAGE.parent
    return Theme(templates=base / "templates", static=base / "static")
