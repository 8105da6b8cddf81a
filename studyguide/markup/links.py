"""Links: external targets open without giving our page to them (``rel="noopener noreferrer"``)."""

from __future__ import annotations

from typing import Any

from markdown_it.token import Token

EXTERNAL_PREFIXES = ("http://", "https://", "//")


def render_link_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    """``link_open`` render rule: external links leave the site with neither opener nor referrer."""
    href = tokens[idx].attrGet("href") or ""
    if isinstance(href, str) and href.startswith(EXTERNAL_PREFIXES):
        tokens[idx].attrSet("rel", "noopener noreferrer")
    return str(self.renderToken(tokens, idx, options, env))
