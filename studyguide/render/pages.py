"""What a build renders: one :class:`PageSpec` per page in, one :class:`RenderedPage` per page out."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..content.model import Site
from ..content.slugs import slugify

#: The one-page edition: every card of the guide again, on one page.
ONE_PAGE_URL = "all/"


def anki_deck_path(site: Site) -> str | None:
    """Where the build publishes the Anki deck (``ai-engineering-study-topics.apkg`` at the site
    root), or None when the config does not ask for it. Templates link it as ``anki_deck``."""
    return slugify(site.title) + ".apkg" if site.anki_deck else None


@dataclass(frozen=True)
class RenderedPage:
    path: str  # output path relative to the site root, e.g. "llm-fundamentals/index.html"
    html: str
    kind: str  # home, domain, interview, page, tags, 404


@dataclass(frozen=True)
class WrittenPage:
    """A page already written into the build folder: what later steps (sitemap) know of it."""

    path: str
    kind: str
    digest: str = ""  # SHA-256 (hex) of the file as written, when the writer took it


class PageInfo(Protocol):
    """A rendered or written page, as far as listing it goes."""

    @property
    def path(self) -> str: ...

    @property
    def kind(self) -> str: ...


@dataclass(frozen=True)
class PageSpec:
    """One page to render: its template, where it goes and what it shows."""

    kind: str
    template: str
    url: str  # site-relative URL: "", "llm-fundamentals/", "404.html"
    title: str
    description: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def output_path(self) -> str:
        return self.url + "index.html" if self.url == "" or self.url.endswith("/") else self.url


class TemplateRenderError(Exception):
    """A template failed: carries the template name and line for the error page and CLI."""

    def __init__(self, template: str, line: int | None, message: str, path: Path | None = None):
        self.template, self.line, self.message = template, line, message
        self.path = path  # the template file (the project's theme folder or the default theme)
        super().__init__(f"{template}:{line or '?'}: {message}")
