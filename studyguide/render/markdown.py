"""Markdown as it appears on a page: each body rendered with the context of where it is shown.

Templates call ``{{ topic.body | md(topic) }}`` (``md(question)`` for an answer section,
``md(page)`` for a free page). The item gives the id prefix for headings and footnotes (its
anchor) and the file its relative links are relative to; the page gives the way back to the site
root. Every cross-link and asset reference in the text is resolved (:class:`LinkIndex`) to a URL
from this page, and images get their size. Without an item, ``| md`` renders the text as it is.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from ..content.links import LinkIndex, LinkProblem
from ..content.model import Page, Question, Section, Topic
from ..markup.context import RenderContext, Target
from ..markup.parser import render_markdown
from ..markup.references import references
from ..markup.slugs import slugify


class MarkdownRenderer:
    """Builds render contexts for one guide; one per build."""

    def __init__(self, index: LinkIndex, labels: tuple[tuple[str, str], ...]) -> None:
        self.index = index
        self.labels = labels

    def context(self, text: str, item: Any, root: str, section: Section | None = None,
                home: str = "") -> RenderContext:
        doc_id = ""
        if isinstance(item, (Topic, Question)):
            doc_id = item.anchor
        elif isinstance(item, Page):
            doc_id = item.slug
        if section is not None:
            doc_id = f"{doc_id}-{section_slug(section)}"
        targets: list[tuple[str, Target]] = []
        if home:  # shown away from its page (practice): "#other-card" still means that page's card
            targets += [(ref.href, Target(home + ref.href)) for ref in references(text) if ref.href.startswith("#")]
        origin = getattr(item, "origin", None)
        if origin is not None:
            for ref in references(text):
                try:
                    resolved = self.index.resolve(ref, origin.path)
                except LinkProblem:
                    continue  # the loader reported it; a build never gets here with one
                if resolved is not None:
                    targets.append((ref.href, Target(root + resolved.path, resolved.width, resolved.height)))
        return RenderContext(doc_id, self.labels, tuple(dict(targets).items()))

    def render(self, text: str, item: Any = None, root: str = "", section: Section | None = None,
               home: str = "") -> Markup:
        if item is None:
            return Markup(render_markdown(text))
        return Markup(render_markdown(text, self.context(text, item, root, section, home)))


def section_slug(section: Section) -> str:
    return slugify(section.heading)
