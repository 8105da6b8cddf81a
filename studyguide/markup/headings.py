"""Headings inside cards and pages get an id and a link to themselves.

The id is the card's anchor (or the page's slug), two dashes, and the heading's slug —
``#hybrid-search--scoring`` — so ten cards on one page can each have a "Scoring" heading, and no
heading can take an id the theme uses. A repeated heading in one card gets ``-2``, ``-3``. The
link is the last child of the heading: an icon (CSS) and a visually hidden label for screen readers
(``heading_link`` in the interface labels).

Without a ``doc_id`` in the render context (plain rendering, search records) headings stay as they
are.
"""

from __future__ import annotations

from html import escape
from typing import Any

from markdown_it.token import Token

from .slugs import slugify

SEPARATOR = "--"


def heading_id(doc_id: str, text: str, used: set[str]) -> str:
    base = f"{doc_id}{SEPARATOR}{slugify(text) or 'section'}"
    ident, n = base, 2
    while ident in used:
        ident, n = f"{base}-{n}", n + 1
    used.add(ident)
    return ident


def render_heading_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    doc_id = env.get("docId") if isinstance(env, dict) else None
    if doc_id and token.level == 0 and "id" not in token.attrs:
        token.attrSet("id", heading_id(doc_id, tokens[idx + 1].content, env.setdefault("heading_ids", set())))
    return str(self.renderToken(tokens, idx, options, env))


def render_heading_close(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    opener = next((tokens[j] for j in range(idx - 1, -1, -1) if tokens[j].type == "heading_open"), None)
    ident = opener.attrGet("id") if opener is not None else None
    if not ident:
        return str(self.renderToken(tokens, idx, options, env))
    label = (env.get("labels") or {}).get("heading_link", "Link to this section")
    return (f'<a class="heading-link" href="#{escape(str(ident))}"><span class="visually-hidden">'
            f'{escape(label)}</span></a>' + str(self.renderToken(tokens, idx, options, env)))
