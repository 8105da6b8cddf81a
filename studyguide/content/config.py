"""The config file (``studyguide.yml``): site metadata and build settings, validated with lines."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .errors import ErrorList
from .model import RENDERERS, DiagramSettings, Site
from .sources import kind_of, path_text_problem, read_text, real_path
from .themeconfig import load_theme_settings
from .yamldoc import LinedMap, Schema, check_schema, parse_mapping

CONFIG_NAME = "studyguide.yml"

CONFIG_SCHEMA: Schema = {
    "title": (str, True),
    "subtitle": (str, True),
    "description": (str, False),
    "highlight": (str, False),
    "language": (str, False),
    "base_url": (str, False),
    "repo_url": (str, False),
    "cname": (str, False),
    "content_dir": (str, False),
    "theme": (dict, False),  # the theme keys are checked by themeconfig.py
    "extra_css": (list, False),
    "extra_js": (list, False),
    "labels": (dict, False),
    "anki_deck": (bool, False),
    "offline": (bool, False),
    "short_name": (str, False),
    "diagrams": (dict, False),
}

#: The ``diagrams:`` section: how diagrams are drawn (README, "Diagrams").
DIAGRAMS_SCHEMA: Schema = {
    "renderer": (str, False),
    "ink_server": (str, False),
}


@dataclass(frozen=True)
class Config:
    """What a build needs to know besides the content itself."""

    path: Path
    site: Site
    content_dir: Path

    @property
    def root(self) -> Path:
        """The project folder: the one holding the config file."""
        return self.path.parent


# One DNS label: letters, digits and inner dashes, at most 63 characters (RFC 1123).
_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$", re.IGNORECASE)


def url_problem(value: str) -> str | None:
    """Why `value` is not an absolute http(s) URL a site can be served at, else None.

    Everything ``urllib.parse`` would refuse later (an unclosed ``[`` IPv6 host, a port that is
    not a number from 0 to 65535) is refused here, where the config line is known.
    """
    if any(ord(c) < 0x21 or c == "\x7f" for c in value):
        return "must not contain spaces or control characters"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an absolute http(s) URL"
    if parts.username is not None or parts.password is not None:
        return "must not contain a user name or password (it would be published in every page)"
    return None


def hostname_problem(value: str) -> str | None:
    """Why `value` is not a bare DNS host name (what GitHub Pages' CNAME file holds), else None."""
    if len(value) > 253:
        return "is longer than 253 characters"
    labels = value.removesuffix(".").split(".")
    if len(labels) < 2 or not all(_LABEL_RE.match(label) for label in labels):
        return "must be a bare host name like docs.example.com (letters, digits, dashes and dots)"
    return None


def _check_url(value: str | None, key: str, line: int, path: Path, errors: ErrorList) -> str | None:
    if value is None:
        return None
    problem = url_problem(value)
    if problem:
        errors.add(path, line, f"'{key}' {problem}, got {value!r}")
        return None
    return value


def _check_language(value: str | None, line: int, path: Path, errors: ErrorList) -> str:
    """`language` becomes the pages' ``lang``: it must be a valid BCP 47 tag (``en``, ``pt-BR``)."""
    if value is None:
        return "en"
    import langcodes  # only configs that set a language pay for its registry

    if "_" in value or not langcodes.tag_is_valid(value):
        hint = f" (did you mean '{value.replace('_', '-')}'?)" if "_" in value else ""
        errors.add(path, line, f"'language' must be a BCP 47 language tag like en, de or pt-BR, "
                               f"got '{value}'{hint}")
        return "en"
    return value


def _diagram_settings(mapping: LinedMap, path: Path, errors: ErrorList) -> DiagramSettings:
    section = mapping.children.get("diagrams")
    if section is None:
        return DiagramSettings()
    values = check_schema(section, DIAGRAMS_SCHEMA, path, errors)
    renderer = values.get("renderer")
    if renderer is not None and renderer not in RENDERERS:
        errors.add(path, section.line_of("renderer"),
                   f"'renderer' must be one of {', '.join(RENDERERS)}, got '{renderer}'")
        renderer = None
    ink_server = _check_url(values.get("ink_server"), "ink_server", section.line_of("ink_server"), path, errors)
    return DiagramSettings(renderer, ink_server.rstrip("/") if ink_server else None)


def load_config(path: Path, errors: ErrorList) -> Config | None:
    """Read and validate the config file; record every problem in `errors`."""
    path = Path(path)
    text = read_text(path, errors)
    if text is None:
        return None
    mapping = parse_mapping(text, path, errors)
    if mapping is None:
        return None
    values = check_schema(mapping, CONFIG_SCHEMA, path, errors)
    base_url = _check_url(values.get("base_url"), "base_url", mapping.line_of("base_url"), path, errors)
    if base_url and not base_url.endswith("/"):
        base_url += "/"  # a base is a folder; urljoin drops the last segment otherwise
    repo_url = _check_url(values.get("repo_url"), "repo_url", mapping.line_of("repo_url"), path, errors)
    cname = values.get("cname")
    problem = hostname_problem(cname) if cname else None
    if problem:
        errors.add(path, mapping.line_of("cname"), f"'cname' {problem}, got {cname!r}")
        cname = None
    if "title" not in values or "subtitle" not in values:
        return None
    site = Site(
        title=values["title"],
        subtitle=values["subtitle"],
        description=values.get("description") or values["subtitle"],
        language=_check_language(values.get("language"), mapping.line_of("language"), path, errors),
        highlight=values.get("highlight"),
        base_url=base_url,
        repo_url=repo_url,
        cname=cname,
        theme=load_theme_settings(mapping, path, errors),
        anki_deck=values.get("anki_deck", False),
        offline=values.get("offline", True),
        short_name=values.get("short_name"),
        diagrams=_diagram_settings(mapping, path, errors),
    )
    content_line = mapping.line_of("content_dir")
    problem = path_text_problem(values.get("content_dir", "content"))
    if problem:
        errors.add(path, content_line, f"'content_dir' {problem}")
        return None
    content_dir = real_path(path.parent / values.get("content_dir", "content"))
    kind = kind_of(content_dir, errors)
    if kind is None:
        return None
    if kind != "folder":
        errors.add(path, content_line, f"content folder '{content_dir}' does not exist")
        return None
    return Config(path=real_path(path), site=site, content_dir=content_dir)
