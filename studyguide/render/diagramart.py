"""Drawn diagrams as they go into pages: both themes in one figure, switched by CSS.

A :class:`DiagramArt` (made by the site's diagram stage) maps each diagram source to its drawing.
:class:`PageFigures` turns one into HTML for one page, numbering figures so that every id stays
unique in the page (two themes × several diagrams). A source without a drawing — not in the cache
and no renderer — gets the client-side shape of :func:`~studyguide.markup.diagrams.diagram_html`,
which ``diagrams.js`` draws in the reader's browser.

The figure holds:

* the caption (the figure's accessible name) and a hidden description listing the diagram's
  labels, which both SVGs point to with ``aria-labelledby``/``aria-describedby``;
* one SVG whose colours follow ``html[data-theme]`` (or, with no script, ``prefers-color-scheme``)
  through CSS custom properties (:mod:`.diagrammerge`), so the theme toggle switches diagrams with
  no script and no request; when the two drawings differ in more than their colours, the dark and
  the light SVG, of which the stylesheet shows the one matching the theme (the light copy is kept
  out of the search index: its text repeats the dark one);
* the Mermaid source, hidden, for ``studyguide check``'s parse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from ..markup.diagrams import DIAGRAM_MARKER, diagram_html
from .diagrammerge import cached_merge
from .diagramslim import slim
from .diagramsvg import cached_labels, natural_width, place


@dataclass(frozen=True)
class DrawnDiagram:
    svgs: dict[str, str]  # theme → normalised SVG
    width: int  # natural width in CSS pixels
    labels: tuple[str, ...]
    image: str | None = None  # site path of a PNG for link previews
    both: str | None = None  # one SVG for both themes (diagrammerge), when the two merge

    @classmethod
    def from_svgs(cls, svgs: dict[str, str], image: str | None = None) -> DrawnDiagram:
        dark = svgs["dark"]
        both = cached_merge(dark, svgs["light"]) if set(svgs) == {"dark", "light"} else None
        return cls(dict(svgs), natural_width(dark), tuple(cached_labels(dark)), image, both)


@dataclass(frozen=True)
class DiagramArt:
    drawn: dict[str, DrawnDiagram] = field(default_factory=dict)  # stripped source → drawing

    def get(self, source: str) -> DrawnDiagram | None:
        return self.drawn.get(source.strip())

    def for_page(self) -> PageFigures:
        return PageFigures(self)

    def svg_for(self, source: str) -> str | None:
        """The light drawing as a file of its own (Anki cards), or None when it was not drawn."""
        drawn = self.get(source)
        return drawn.svgs["light"] if drawn else None

    def needs_browser(self, sources: list[str]) -> bool:
        """Whether any of `sources` is left to client-side drawing."""
        return any(self.get(s) is None for s in sources)


class PageFigures:
    """The diagram figures of one page, numbered in page order."""

    def __init__(self, art: DiagramArt) -> None:
        self.art = art
        self.count = 0

    def figure(self, source: str, title: str | None = None) -> str:
        drawn = self.art.get(source)
        if drawn is None:
            return diagram_html(source, title)
        self.count += 1
        prefix = f"sgd{self.count}"
        caption = (f'<figcaption class="diagram-title" id="{prefix}-title">{escape(title)}</figcaption>'
                   if title else "")
        name = f'aria-labelledby="{prefix}-title"' if title else 'aria-label="Diagram"'
        parts = [f'<figure class="diagram is-drawn" data-width="{drawn.width}">{caption}']
        if drawn.both is not None:
            parts.append(f'<div class="diagram-render">{place(drawn.both, f"{prefix}d", name, f"{prefix}-desc")}</div>')
        else:
            for theme, svg in drawn.svgs.items():
                ignore = " data-pagefind-ignore" if theme != "dark" else ""
                parts.append(f'<div class="diagram-render diagram-{theme}"{ignore}>'
                             f'{place(slim(svg), f"{prefix}{theme[0]}", name, f"{prefix}-desc")}</div>')
        description = "Diagram labels: " + "; ".join(drawn.labels) if drawn.labels else "A diagram."
        parts.append(f'<p id="{prefix}-desc" hidden>{escape(description)}</p>')
        parts.append(f'<pre class="mermaid" {DIAGRAM_MARKER} hidden>{escape(source.strip())}</pre></figure>\n')
        return "".join(parts)
