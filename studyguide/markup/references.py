"""The links and images written in a piece of Markdown, with their source lines.

The loader checks every reference when it reads a guide (a cross-link to a topic that does not
exist, an image file that is missing: ``path:line`` errors), and the renderer resolves the same
references to URLs for the page. Both read them from here: the parser's tokens, not a regex, so a
``[x](y)`` inside a code span or fence is not a link. Lines come from the block tokens' ``map``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from markdown_it.token import Token

#: ``[text](topic:hybrid-search)``: cross-links to a card or page by its stable id.
XREF_SCHEMES = ("topic", "question", "page", "domain")


@dataclass(frozen=True)
class Reference:
    """One link or image target as written."""

    kind: str  # "link" or "image"
    href: str
    line: int  # 1-based, within the text
    alt: str | None = None  # images: the alt text as written ("" when empty)

    @property
    def xref(self) -> tuple[str, str] | None:
        """``("topic", "hybrid-search")`` for a cross-link, else None."""
        scheme, _, rest = self.href.partition(":")
        if scheme in XREF_SCHEMES and rest and "/" not in scheme:
            return scheme, rest
        return None

    @property
    def is_relative_path(self) -> bool:
        """A path relative to the Markdown file (``assets/x.png``, ``../02-rag/01-x.md``), not a URL
        with a scheme, a site-absolute path or a same-page ``#anchor``."""
        parts = urlsplit(self.href)
        return not (parts.scheme or parts.netloc or self.href.startswith(("/", "#", "?")) or not parts.path)

    @property
    def path(self) -> str:
        return unquote(urlsplit(self.href).path)

    @property
    def fragment(self) -> str:
        return urlsplit(self.href).fragment


def _walk(tokens: list[Token], line: int, found: list[Reference]) -> int:
    """Collect references; block tokens carry their first line, line breaks inside a paragraph
    (``softbreak``/``hardbreak``) move it on, so a link on a paragraph's third line says so."""
    for token in tokens:
        if token.map:
            line = token.map[0] + 1
        if token.type in ("softbreak", "hardbreak"):
            line += 1
        elif token.type == "link_open":
            found.append(Reference("link", str(token.attrGet("href") or ""), line))
        elif token.type == "image":
            alt = "".join(c.content for c in token.children or [])
            found.append(Reference("image", str(token.attrGet("src") or ""), line, alt))
        if token.children:
            line = _walk(token.children, line, found)
    return line


def might_have_references(text: str) -> bool:
    """False only when `text` cannot contain a link or image: an inline one needs ``](``, a
    reference-style one a ``[label]:`` definition, an autolink a ``<`` (linkify is off)."""
    return "](" in text or "]:" in text or "<" in text


@functools.lru_cache(maxsize=65536)
def references(text: str) -> tuple[Reference, ...]:
    """Every link and image in `text`, in order."""
    from .parser import PARSER  # the parser module attaches the rules; it imports this one

    if not might_have_references(text):
        return ()  # most bodies: no need to parse them just to find nothing
    found: list[Reference] = []
    _walk(PARSER.parse(text), 1, found)
    return tuple(found)
