"""The files a build publishes under ``assets/``: the theme's static files and what the config adds.

In copy order, later entries replacing earlier ones at the same path: the default theme's
``static/``, the project's theme folder's ``static/``, then the files the config names —
``extra_css``, ``extra_js``, ``logo`` and ``favicon`` under ``assets/extra/`` (their paths relative
to the project folder) — and two generated stylesheets: ``css/highlight.css`` (Pygments colours of
code blocks for both themes) and, with a ``palette``, ``css/palette.css``.

The base theme's own stylesheets and scripts are published minified (rcssmin, rjsmin): their
sources keep the comments that say why, readers get 46 KB instead of 64. Vendored code is
published as its authors ship it, and an author's files (theme folder, extras) byte for byte.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import rcssmin
import rjsmin

from ..content.assets import image_size
from ..content.model import ThemeSettings
from ..markup.highlight import style_sources, stylesheet
from .buildcache import cache_folder, key_of, read_entry, write_entry
from .theme import Theme

HIGHLIGHT_CSS = "css/highlight.css"
PALETTE_CSS = "css/palette.css"
DEFAULT_FAVICON = "favicon.svg"
EXTRA_DIR = "extra"
LOGO_HEIGHT = 28
_MINIFIERS = {".css": rcssmin.cssmin, ".js": rjsmin.jsmin}

def code_stylesheet(light: str, dark: str) -> str:
    """:func:`~studyguide.markup.highlight.stylesheet`, kept in the build cache: writing it is what
    made every build import Pygments' formatters, styles and their plugin scan."""
    folder = cache_folder("code-css")
    name = f"{key_of(*style_sources(light, dark))}.css"
    kept = read_entry(folder, name)
    if kept is not None:
        return kept.decode("utf-8")
    css = stylesheet(light, dark)
    write_entry(folder, name, css.encode("utf-8"))
    return css


_SCOPES = {"dark": [':root, :root[data-theme="dark"]'], "light": [':root[data-theme="light"]']}


def palette_css(palette: tuple[tuple[str, str, str], ...]) -> str:
    """Custom properties that override the theme's colours, scoped like ``site.css`` scopes them."""
    rules = ["/* The guide's palette (theme.palette in studyguide.yml). Generated. */"]
    for scheme in ("dark", "light"):
        decls = " ".join(f"--{name}: {colour};" for s, name, colour in palette if s == scheme)
        if not decls:
            continue
        rules.append(f"{_SCOPES[scheme][0]} {{ {decls} }}")
        if scheme == "light":
            rules.append(f"@media (prefers-color-scheme: light) {{ :root:not([data-theme]) {{ {decls} }} }}")
    return "\n".join(rules) + "\n"


@dataclass
class ThemeFiles:
    """Everything under ``assets/``, and what templates need to know about it."""

    files: dict[str, Path] = field(default_factory=dict)  # asset path → source file
    generated: dict[str, str] = field(default_factory=dict)  # asset path → text
    logo: str | None = None  # asset paths (None: the default favicon is the logo)
    logo_size: tuple[int, int] | None = None  # shown 28 px high: the width keeps the aspect ratio
    favicon: str = DEFAULT_FAVICON
    extra_css: list[str] = field(default_factory=list)
    extra_js: list[str] = field(default_factory=list)
    palette: bool = False

    def versions(self) -> dict[str, str]:
        """Short content hashes of stylesheets and scripts, appended as ``?v=`` to bust caches."""
        versions = {}
        for rel, path in self.files.items():
            if rel.endswith((".css", ".js")):
                try:
                    versions[rel] = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
                except OSError:
                    continue  # the builder reports it when it copies
        for rel, text in self.generated.items():
            versions[rel] = hashlib.sha256(text.encode()).hexdigest()[:10]
        return versions

    def write(self, folder: Path, previous: Path | None = None) -> None:
        """Copy and write everything into ``folder`` (the site's ``assets/``); a file that is
        the same in ``previous`` (the site being replaced) is hard-linked from it instead."""
        for rel, source in self.files.items():
            target = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            copy_or_link(source, target, previous / rel if previous else None)
        for rel, text in self.generated.items():
            target = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            data = text.encode("utf-8")
            if not (previous and _link_if_same(previous / rel, target, data)):
                target.write_bytes(data)


def copy_or_link(source: Path, target: Path, previous: Path | None) -> None:
    """Copy `source` to `target` (the first OSError stops the build; the old site stays), or
    hard-link `previous` when it is that copy already: same size and modification time, which
    ``copy2`` keeps. A rebuild in the preview then writes no asset that did not change."""
    if previous is not None:
        try:
            old, new = previous.stat(), source.stat()
            if (old.st_size, old.st_mtime_ns) == (new.st_size, new.st_mtime_ns):
                os.link(previous, target)
                return
        except OSError:
            pass  # not there, or another file system: copy
    shutil.copy2(source, target)


def _link_if_same(previous: Path, target: Path, data: bytes) -> bool:
    try:
        if previous.stat().st_size == len(data) and previous.read_bytes() == data:
            os.link(previous, target)
            return True
    except OSError:
        pass
    return False


def _static_files(folder: Path) -> dict[str, Path]:
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file() or
            (p.is_symlink() and not p.is_dir())}


def _minified(files: dict[str, Path], own: Path) -> dict[str, str]:
    """The base theme's own CSS and JS (from `own`, not replaced by an override), minified."""
    result = {}
    for rel, path in files.items():
        minify = _MINIFIERS.get(path.suffix)
        if minify is None or rel.startswith("vendor/") or ".min." in path.name or not path.is_relative_to(own):
            continue
        result[rel] = minify(path.read_text(encoding="utf-8"))
    return result


def theme_files(theme: Theme, settings: ThemeSettings) -> ThemeFiles:
    result = ThemeFiles()
    for folder in theme.static_dirs:
        result.files.update(_static_files(folder))
    for rel, text in _minified(result.files, theme.static).items():
        del result.files[rel]
        result.generated[rel] = text
    project = settings.project or Path.cwd()

    def extra(path: Path) -> str:
        rel = f"{EXTRA_DIR}/{path.relative_to(project).as_posix()}"
        result.files[rel] = path
        return rel

    result.extra_css = [extra(p) for p in settings.extra_css]
    result.extra_js = [extra(p) for p in settings.extra_js]
    if settings.logo:
        result.logo = extra(settings.logo)
        size = image_size(settings.logo)
        if size:
            result.logo_size = (max(1, round(size[0] * LOGO_HEIGHT / size[1])), LOGO_HEIGHT)
    if settings.favicon:
        result.favicon = extra(settings.favicon)
    result.generated[HIGHLIGHT_CSS] = code_stylesheet(settings.code_light, settings.code_dark)
    if settings.palette:
        result.generated[PALETTE_CSS] = palette_css(settings.palette)
        result.palette = True
    return result
