"""Markdown with a fixed, documented feature set: the one configured parser and renderer.

CommonMark plus tables, nothing else: no typographer (``(r)`` stays ``(r)``, quotes stay straight),
no math (``$500K`` is text), no linkify, and ``html=False`` so raw HTML in content is escaped, never
passed through. Link targets go through markdown-it's own ``validateLink`` (which refuses
``javascript:``, ``vbscript:``, ``file:`` and non-image ``data:``). Each rule lives in its own module
(``diagrams``, ``links``) and is attached here with ``add_render_rule``.
"""

from __future__ import annotations

import functools

from markdown_it import MarkdownIt

from .diagrams import render_fence
from .links import render_link_open


def make_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": False, "linkify": False})
    md.enable("table")
    md.add_render_rule("fence", render_fence)
    md.add_render_rule("link_open", render_link_open)
    return md


PARSER = make_parser()


@functools.lru_cache(maxsize=65536)
def render_markdown(text: str) -> str:
    """Markdown → HTML. Cached by text: a rebuild re-renders only what changed."""
    return PARSER.render(text)


@functools.lru_cache(maxsize=65536)
def render_inline(text: str) -> str:
    """Inline Markdown (a heading's text: ``**bold** and `code```) → HTML without a ``<p>``;
    escaped like every other text, with the same link rules."""
    return PARSER.renderInline(text)
