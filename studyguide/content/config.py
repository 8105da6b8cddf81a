"""The config file (``studyguide.yml``): site metadata and build settings, validated with lines."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .errors import ErrorList
from .model import Site
from .sources import read_text
from .yamldoc import Schema, check_schema, parse_mapping

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


def _check_url(value: str | None, key: str, line: int, path: Path, errors: ErrorList) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        errors.add(path, line, f"'{key}' must be an absolute http(s) URL, got '{value}'")
        return None
    return value


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
    if cname and ("/" in cname or " " in cname):
        errors.add(path, mapping.line_of("cname"), f"'cname' must be a bare host name, got '{cname}'")
        cname = None
    if "title" not in values or "subtitle" not in values:
        return None
    site = Site(
        title=values["title"],
        subtitle=values["subtitle"],
        description=values.get("description") or values["subtitle"],
        language=values.get("language") or "en",
        highlight=values.get("highlight"),
        base_url=base_url,
        repo_url=repo_url,
        cname=cname,
    )
    content_dir = (path.parent / values.get("content_dir", "content")).resolve()
    if not content_dir.is_dir():
        errors.add(path, mapping.line_of("content_dir"), f"content folder '{content_dir}' does not exist")
        return None
    return Config(path=path.resolve(), site=site, content_dir=content_dir)
