"""Mermaid diagrams: the client-side HTML shape of a diagram, and the fence rule that makes one.

A fenced block with the language ``mermaid`` becomes a diagram through a render rule, not by
post-processing HTML. When the page's renderer drew diagrams at build time, it passes a drawing
function in the markdown-it ``env`` (key :data:`DRAW_ENV`) and the rule asks it for the figure;
otherwise the rule writes the shape that ``diagrams.js`` draws in the browser.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from markdown_it.token import Token

from .highlight import render_code

DIAGRAM_MARKER = "data-diagram"
#: markdown-it env key: a ``(source) -> html`` function that draws a fenced diagram for the page.
DRAW_ENV = "draw_diagram"


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


def is_mermaid_fence(token: Token) -> bool:
    return token.info.strip().split(maxsplit=1)[:1] == ["mermaid"]


def render_fence(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    """``fence`` render rule: Mermaid fences become diagrams, other fences render as usual."""
    token = tokens[idx]
    if is_mermaid_fence(token):
        draw: Callable[[str], str] | None = env.get(DRAW_ENV) if isinstance(env, dict) else None
        return draw(token.content) if draw else diagram_html(token.content)
    return render_code(self, tokens, idx, options, env)


def fenced_diagrams(tokens: list[Token]) -> list[str]:
    """The Mermaid sources of a parsed body's fenced diagrams, in order."""
    return [t.content for t in tokens if t.type == "fence" and is_mermaid_fence(t)]
