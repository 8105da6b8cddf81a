"""Markdown with a fixed, documented feature set: the one configured parser and renderer.

CommonMark plus: tables, ``~~strikethrough~~`` (double tildes only: ``~5 ms`` stays text), task
lists (``- [x]``), footnotes (``[^1]``), callouts (``!!! note`` and ``> [!NOTE]``), code blocks
highlighted by Pygments, ids and self-links on headings, cross-links (``topic:slug``) and images
beside the Markdown file. No typographer (``(r)`` stays ``(r)``, quotes stay straight), no math
(``$500K`` is text), no linkify, and ``html=False`` so raw HTML in content is escaped, never passed
through. Link targets go through markdown-it's own ``validateLink`` (which refuses
``javascript:``, ``vbscript:``, ``file:`` and non-image ``data:``).

Each rule lives in its own module and is attached here (``add_render_rule``, core rules); what a
rendering depends on besides the text is its :class:`~.context.RenderContext`.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable

from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

from .callouts import callouts_plugin
from .context import PLAIN, RenderContext
from .diagrams import DRAW_ENV, fenced_diagrams, render_fence
from .headings import render_heading_close, render_heading_open
from .highlight import render_code
from .links import render_link_open
from .tasks import render_task_item
from .urls import resolve_urls


def make_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": False, "linkify": False,
                                   "tasklists": True, "strikethrough_single_tilde": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin, inline=False)
    md.use(callouts_plugin)
    md.core.ruler.push("resolve_urls", resolve_urls)
    md.add_render_rule("fence", render_fence)
    md.add_render_rule("code_block", render_code)
    md.add_render_rule("link_open", render_link_open)
    md.add_render_rule("heading_open", render_heading_open)
    md.add_render_rule("heading_close", render_heading_close)
    md.add_render_rule("list_item_open", render_task_item)
    return md


PARSER = make_parser()


# The same rules with the inline stage off, for what needs only the block structure (a file's
# ``##`` sections, whether a body has a code block or a diagram): inline parsing is most of
# markdown-it's work, and each body is then parsed in full exactly once, when it is rendered.
BLOCK_PARSER = make_parser().disable(["inline", "text_join"])

MARKDOWN_CACHE_SIZE = 65536
CacheKey = tuple[str, RenderContext]
_rendered: dict[CacheKey, str] = {}  # (text, context) → HTML, oldest first


def render_markdown(text: str, context: RenderContext = PLAIN) -> str:
    """Markdown → HTML. Cached by text and context: a rebuild re-renders only what changed.

    A plain dict rather than ``functools.lru_cache`` so that a build's worker processes can hand
    what they rendered back to the main process (:func:`rendered_after`, :func:`remember`).
    """
    key = (text, context)
    html = _rendered.get(key)
    if html is None:
        html = _rendered[key] = PARSER.render(text, context.env())
        if len(_rendered) > MARKDOWN_CACHE_SIZE:
            del _rendered[next(iter(_rendered))]
    return html


def clear_markdown_cache() -> None:
    _rendered.clear()
    render_inline.cache_clear()


def markdown_cache_size() -> int:
    return len(_rendered)


def rendered_after(count: int) -> list[tuple[CacheKey, str]]:
    """The cache entries added after it held `count` of them (what a worker process rendered)."""
    return list(itertools.islice(_rendered.items(), count, None))


def remember(entries: list[tuple[CacheKey, str]]) -> None:
    """Add entries that another process rendered."""
    _rendered.update(entries)


@functools.lru_cache(maxsize=65536)
def render_inline(text: str) -> str:
    """Inline Markdown (a heading's text: ``**bold** and `code```) → HTML without a ``<p>``;
    escaped like every other text, with the same link rules."""
    return PARSER.renderInline(text)


def render_markdown_drawing(text: str, draw: Callable[[str], str], context: RenderContext = PLAIN) -> str:
    """Markdown → HTML with fenced diagrams drawn by `draw` (per page, so never cached)."""
    return PARSER.render(text, {**context.env(), DRAW_ENV: draw})


@functools.lru_cache(maxsize=65536)
def diagram_sources(text: str) -> tuple[str, ...]:
    """The Mermaid sources of the fenced diagrams in a Markdown text."""
    return tuple(fenced_diagrams(PARSER.parse(text))) if "mermaid" in text else ()
