"""Drawn SVGs without what a page never uses.

Mermaid writes every SVG for its own runtime: arrow-head ``<marker>`` definitions for every edge
kind whether or not the diagram has one, a gradient and style rules for its "neo" look, ``data-*``
attributes its interactive features read, class lists that repeat names. On a page with no Mermaid
and no script of ours reading them, they are bytes only (about a fifth of a flowchart). :func:`slim`
removes exactly what provably cannot change the drawing:

* a style rule every selector of which asks for an attribute value (``[data-look="neo"]``) that no
  element of the SVG carries;
* then a ``<marker>`` or gradient that nothing refers to (``url(#…)``, ``href="#…"``);
* then a ``data-*`` attribute that no remaining style rule selects on;
* a class name repeated within one ``class`` attribute (order does not matter to CSS).

Only tags are rewritten, never label text (which is escaped, so a ``<`` always opens a tag).
"""

from __future__ import annotations

import re

_STYLE_ELEMENT = re.compile(r"(<style\b[^>]*>)(.*?)(</style>)", re.S)
_ATTRIBUTE_SELECTOR = re.compile(r'\[([a-z-]+)="([^"]*)"\]')
_DEFINITION = re.compile(r'<(marker|linearGradient|radialGradient)\b[^>]*\sid="([^"]+)"[^>]*>.*?</\1>', re.S)
_DATA_ATTRIBUTE = re.compile(r'\s(data-[a-z-]+)="[^"]*"')
_CLASS = re.compile(r'(\sclass=")([^"]*)(")')
_TAG = re.compile(r"<[a-zA-Z][^<>]*>")


def _blocks(css: str) -> list[str]:
    """The top-level blocks of a minified stylesheet (``sel{…}``, ``@keyframes x{…{…}}``)."""
    blocks, depth, start = [], 0, 0
    for i, char in enumerate(css):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                blocks.append(css[start: i + 1])
                start = i + 1
    if css[start:].strip():
        blocks.append(css[start:])  # not a rule we understand: kept as it is
    return blocks


def _prune_rules(css: str, markup: str) -> str:
    def matches_nothing(selector: str) -> bool:
        return any(f' {name}="{value}"' not in markup for name, value in _ATTRIBUTE_SELECTOR.findall(selector))

    kept = []
    for block in _blocks(css):
        head = block.split("{", 1)[0]
        if head.startswith("@") or "{" not in block or not all(map(matches_nothing, head.split(","))):
            kept.append(block)
    return "".join(kept)


def slim(svg: str) -> str:
    """`svg` without the rules, definitions and attributes a page never uses (see the module)."""
    markup = _STYLE_ELEMENT.sub("", svg)
    svg = _STYLE_ELEMENT.sub(lambda m: m.group(1) + _prune_rules(m.group(2), markup) + m.group(3), svg)
    svg = _DEFINITION.sub(lambda m: m.group(0) if f"#{m.group(2)})" in svg or f'"#{m.group(2)}"' in svg else "", svg)
    rules = "".join(m.group(2) for m in _STYLE_ELEMENT.finditer(svg))

    def tag(match: re.Match[str]) -> str:
        text = _DATA_ATTRIBUTE.sub(lambda m: m.group(0) if f"[{m.group(1)}" in rules else "", match.group(0))
        return _CLASS.sub(lambda m: m.group(1) + " ".join(dict.fromkeys(m.group(2).split())) + m.group(3), text)

    return _TAG.sub(tag, svg)
