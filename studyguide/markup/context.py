"""What one rendering of Markdown knows about where it appears.

The same text renders differently in different places: heading and footnote ids are prefixed with
the card they sit in (ids stay unique on a page of many cards), callout titles come from the
guide's interface labels (``language: de`` says "Hinweis"), and links and images point at targets
the render layer resolved for this page (``topic:hybrid-search`` → ``../rag/#hybrid-search``, an
image beside the Markdown file → ``../files/domains/02-rag/assets/x.png``, with its size).

A context is hashable, so ``render_markdown(text, context)`` stays cached: a rebuild re-renders
only what changed. The markup layer knows nothing about the content model; the render layer builds
contexts from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Target:
    """Where a link or image written in Markdown points, as seen from the page it is shown on."""

    url: str
    width: int | None = None  # images only, when the file's header tells
    height: int | None = None


@dataclass(frozen=True)
class RenderContext:
    """Everything besides the text that decides its HTML (see the module docstring)."""

    doc_id: str = ""  # prefix for heading ids and footnote ids: the card's anchor, or the page slug
    labels: tuple[tuple[str, str], ...] = ()  # label key → text (callout titles, heading-link text)
    targets: tuple[tuple[str, Target], ...] = field(default=())  # href as written → resolved target

    def env(self) -> dict[str, object]:
        """The markdown-it ``env`` for one render with this context."""
        return {"docId": self.doc_id or None, "labels": dict(self.labels),
                "targets": dict(self.targets), "heading_ids": set()}


PLAIN = RenderContext()
