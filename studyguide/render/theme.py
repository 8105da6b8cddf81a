"""Where the theme lives: the default theme, and a project's own folder in front of it.

The default theme (``templates/`` and ``static/``) sits beside the package in a source checkout;
in a wheel, hatchling's ``force-include`` puts it inside as ``studyguide/theme/``. A guide may name
a folder of its own (``theme: {dir: theme}`` in the config) whose ``templates/`` and ``static/``
override the default file by file, like MkDocs' ``custom_dir`` or Hugo's ``layouts/``: a template
there is used instead of the default one of the same name (``{% extends %}`` and ``{% include %}``
find either), a static file replaces the default one at the same path, and new files are added.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Theme:
    templates: Path
    static: Path
    overrides: Path | None = None  # a project's theme folder (holds templates/ and/or static/)

    def with_overrides(self, folder: Path | None) -> Theme:
        return replace(self, overrides=folder)

    @property
    def template_dirs(self) -> list[Path]:
        """Template search path, first match wins."""
        own = self.overrides / "templates" if self.overrides else None
        return ([own] if own and own.is_dir() else []) + [self.templates]

    @property
    def static_dirs(self) -> list[Path]:
        """Static folders in copy order: a later folder's file replaces an earlier one's."""
        own = self.overrides / "static" if self.overrides else None
        return [self.static] + ([own] if own and own.is_dir() else [])

    @property
    def folders(self) -> list[Path]:
        """Every folder the theme is read from (the preview watches them)."""
        return [self.templates, self.static] + ([self.overrides] if self.overrides else [])


def default_theme() -> Theme:
    installed = _PACKAGE / "theme"
    base = installed if (installed / "templates").is_dir() else _PACKAGE.parent
    return Theme(templates=base / "templates", static=base / "static")
