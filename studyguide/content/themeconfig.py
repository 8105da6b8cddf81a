"""The config's theme keys: ``theme:`` (folder, logo, favicon, palette, code styles),
``extra_css`` / ``extra_js`` and ``labels``, validated with ``studyguide.yml:line`` errors.

Every path is relative to the config file's folder and must exist (so a typo is reported when the
guide is loaded, not as a missing file in the built site). Palette keys are the theme's CSS colour
variables; code styles are Pygments style names; label keys are those of the default label set.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

from ..markup.highlight import DEFAULT_DARK, DEFAULT_LIGHT, style_names
from .errors import ErrorList
from .labels import label_keys, plural_keys
from .model import ThemeSettings
from .yamldoc import LinedMap, Schema, check_schema

THEME_SCHEMA: Schema = {
    "dir": (str, False),
    "logo": (str, False),
    "favicon": (str, False),
    "palette": (dict, False),
    "code_light": (str, False),
    "code_dark": (str, False),
}

#: The colour variables of the default theme's palette (static/css/site.css) an author may set.
PALETTE_VARIABLES = (
    "bg", "surface", "surface-2", "border", "text", "text-strong", "muted", "link", "focus",
    "code-bg", "code-text",
    *(f"{hue}{part}" for hue in ("violet", "blue", "pink", "teal", "amber", "purple")
      for part in ("", "-bg", "-text")),
)
COLOUR_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
IMAGE_SUFFIXES = (".svg", ".png", ".ico", ".jpg", ".jpeg", ".gif", ".webp")


def _file(value: Any, key: str, line: int, root: Path, path: Path, errors: ErrorList,
          suffixes: tuple[str, ...] = ()) -> Path | None:
    if not isinstance(value, str) or not value.strip():
        errors.add(path, line, f"'{key}' must be a path to a file, relative to {path.name}")
        return None
    target = (root / value.strip()).resolve()
    if not target.is_relative_to(root.resolve()):
        errors.add(path, line, f"'{key}' file '{value}' must be inside the project folder")
    elif not target.is_file():
        errors.add(path, line, f"'{key}' file '{value}' not found (looked for {target})")
    elif suffixes and target.suffix.lower() not in suffixes:
        errors.add(path, line, f"'{key}' must be one of {', '.join(suffixes)}, got '{value}'")
    else:
        return target
    return None


def _files(mapping: LinedMap, key: str, suffix: str, root: Path, path: Path, errors: ErrorList) -> tuple[Path, ...]:
    value = mapping.values.get(key)
    if value is None:
        return ()
    line = mapping.line_of(key)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        errors.add(path, line, f"'{key}' must be a list of {suffix} files")
        return ()
    found = [_file(v, key, line, root, path, errors, (suffix,)) for v in value]
    return tuple(p for p in found if p)


def _palette(lined: LinedMap, path: Path, errors: ErrorList) -> tuple[tuple[str, str, str], ...]:
    found: list[tuple[str, str, str]] = []
    for scheme in lined.values:
        line = lined.line_of(scheme)
        colours = lined.children.get(scheme)
        if scheme not in ("light", "dark"):
            errors.add(path, line, f"unknown palette '{scheme}' (expected light and/or dark)")
            continue
        if colours is None:
            errors.add(path, line, f"'palette.{scheme}' must map colour names to colours, like link: \"#0a7d5a\"")
            continue
        for name, colour in colours.values.items():
            where = colours.line_of(name)
            if name not in PALETTE_VARIABLES:
                close = difflib.get_close_matches(str(name), PALETTE_VARIABLES, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else f" (expected one of: {', '.join(PALETTE_VARIABLES)})"
                errors.add(path, where, f"unknown palette colour '{name}'{hint}")
            elif not isinstance(colour, str) or not COLOUR_RE.match(colour):
                errors.add(path, where, f"palette colour '{name}' must be a hex colour like \"#0a7d5a\", got {colour!r}")
            else:
                found.append((scheme, name, colour.lower()))
    return tuple(found)


def _style(value: Any, key: str, default: str, line: int, path: Path, errors: ErrorList) -> str:
    if value is None:
        return default
    if value not in style_names():
        close = difflib.get_close_matches(str(value), style_names(), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        errors.add(path, line, f"unknown Pygments style '{value}' for '{key}'{hint}")
        return default
    return str(value)


def _labels(lined: LinedMap, path: Path, errors: ErrorList) -> tuple[tuple[str, str | tuple[str, str]], ...]:
    known, plurals = label_keys(), plural_keys()
    found: list[tuple[str, str | tuple[str, str]]] = []
    for key, value in lined.values.items():
        line = lined.line_of(key)
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            errors.add(path, line, f"unknown label '{key}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
        elif key in plurals:
            forms = lined.children.get(key)
            if forms is None or set(forms.values) != {"one", "other"} or not all(
                    isinstance(v, str) for v in forms.values.values()):
                errors.add(path, line, f"label '{key}' is a plural: give it 'one:' and 'other:' texts")
            else:
                found.append((key, (forms.values["one"], forms.values["other"])))
        elif not isinstance(value, (str, int, float)) or isinstance(value, bool):
            errors.add(path, line, f"label '{key}' must be text")
        else:
            found.append((key, str(value)))
    return tuple(found)


def load_theme_settings(mapping: LinedMap, path: Path, errors: ErrorList) -> ThemeSettings:
    """The theme keys of the config mapping `mapping` (from `path`)."""
    root = path.parent
    theme = mapping.children.get("theme")
    values: dict[str, Any] = {}
    folder = logo = favicon = None
    palette: tuple[tuple[str, str, str], ...] = ()
    if "theme" in mapping.values and theme is None:
        errors.add(path, mapping.line_of("theme"), "'theme' must be a mapping (dir, logo, favicon, palette, ...)")
    if theme is not None:
        values = check_schema(theme, THEME_SCHEMA, path, errors)
        if "dir" in values:
            candidate = (root / values["dir"]).resolve()
            if not candidate.is_dir():
                errors.add(path, theme.line_of("dir"), f"theme folder '{values['dir']}' not found (looked for {candidate})")
            elif not ((candidate / "templates").is_dir() or (candidate / "static").is_dir()):
                errors.add(path, theme.line_of("dir"), f"theme folder '{values['dir']}' has neither templates/ nor "
                                                       f"static/: put the files that override the default theme there")
            else:
                folder = candidate
        if "logo" in values:
            logo = _file(values["logo"], "logo", theme.line_of("logo"), root, path, errors, IMAGE_SUFFIXES)
        if "favicon" in values:
            favicon = _file(values["favicon"], "favicon", theme.line_of("favicon"), root, path, errors, IMAGE_SUFFIXES)
        if "palette" in theme.children:
            palette = _palette(theme.children["palette"], path, errors)
    labels_map = mapping.children.get("labels")
    if "labels" in mapping.values and labels_map is None:
        errors.add(path, mapping.line_of("labels"), "'labels' must map label names to texts, like overview: Start")
    return ThemeSettings(
        folder=folder, logo=logo, favicon=favicon, palette=palette,
        code_light=_style(values.get("code_light"), "code_light", DEFAULT_LIGHT,
                          theme.line_of("code_light") if theme else 1, path, errors),
        code_dark=_style(values.get("code_dark"), "code_dark", DEFAULT_DARK,
                         theme.line_of("code_dark") if theme else 1, path, errors),
        extra_css=_files(mapping, "extra_css", ".css", root, path, errors),
        extra_js=_files(mapping, "extra_js", ".js", root, path, errors),
        labels=_labels(labels_map, path, errors) if labels_map else (),
        project=root.resolve(),
    )
