"""Markdown rendering with a fixed, documented feature set.

CommonMark plus tables, nothing else: no typographer (``(r)`` stays ``(r)``, quotes stay straight),
no math (``$500K`` is text), no linkify, and ``html=False`` so raw HTML in content is escaped, never
passed through. Link targets go through markdown-it's own ``validateLink`` (which refuses
``javascript:``, ``vbscript:``, ``file:`` and non-image ``data:``). Fenced ``mermaid`` blocks become
diagrams through a render rule, not by post-processing HTML.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from html import escape

from markdown_it import MarkdownIt
from markdown_it.token import Token


DIAGRAM_MARKER = "data-diagram"


def diagram_html(source: str, title: str | None = None) -> str:
    """The one HTML shape of a diagram, for domain diagrams and fenced blocks alike.

    Without JavaScript the Mermaid source stays readable as preformatted text; the theme's script
    replaces it with an SVG. The source is escaped, so ``{"token": "Hello"}`` or ``<br>`` in a
    label survive as text and Mermaid reads them back from ``textContent``.
    """
    caption = f'<figcaption class="diagram-title">{escape(title)}</figcaption>' if title else ""
    return (
        f'<figure class="diagram">{caption}'
        f'<pre class="mermaid" {DIAGRAM_MARKER}>{escape(source.strip())}</pre></figure>\n'
    )


def _render_fence(self, tokens: list[Token], idx: int, options, env) -> str:  # noqa: ANN001
    token = tokens[idx]
    if token.info.strip().split(maxsplit=1)[:1] == ["mermaid"]:
        return diagram_html(token.content)
    return self.fence(tokens, idx, options, env)


def _open_links_safely(self, tokens: list[Token], idx: int, options, env) -> str:  # noqa: ANN001
    # External links leave the site: never pass our page to them as opener or referrer.
    href = tokens[idx].attrGet("href") or ""
    if href.startswith(("http://", "https://", "//")):
        tokens[idx].attrSet("rel", "noopener noreferrer")
    return self.renderToken(tokens, idx, options, env)


def make_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": False, "linkify": False})
    md.enable("table")
    md.add_render_rule("fence", _render_fence)
    md.add_render_rule("link_open", _open_links_safely)
    return md


_MD = make_parser()


@functools.lru_cache(maxsize=65536)
def render_markdown(text: str) -> str:
    """Markdown → HTML. Cached by text: a rebuild re-renders only what changed."""
    return _MD.render(text)


@dataclass(frozen=True)
class SplitSection:
    heading: str
    body: str
    line: int  # 1-based line of the heading within the text


@dataclass(frozen=True)
class Preamble:
    """Text found before the first ``##`` heading (an error in question files)."""

    line: int


def split_sections(text: str) -> tuple[list[SplitSection], Preamble | None]:
    """Split Markdown into sections at level-2 headings, using token line maps.

    Headings are found by the parser (so a ``## x`` inside a code fence is not a heading), and
    ``token.map`` gives their source lines for error messages.
    """
    lines = text.splitlines(keepends=True)
    tokens = _MD.parse(text)
    starts: list[tuple[int, int, str]] = []  # (first line, line after heading, heading text)
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.tag == "h2" and tok.level == 0 and tok.map:
            inline = tokens[i + 1]
            starts.append((tok.map[0], tok.map[1], inline.content.strip()))
    preamble = None
    first = starts[0][0] if starts else len(lines)
    if "".join(lines[:first]).strip():
        preamble = Preamble(next(n for n, l in enumerate(lines) if l.strip()) + 1)
    sections = []
    for n, (start, body_start, heading) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        sections.append(SplitSection(heading, "".join(lines[body_start:end]).strip("\n"), start + 1))
    return sections, preamble
