"""One SVG for both themes: the dark and the light drawing of a diagram share their geometry.

Mermaid lays a diagram out the same way whatever the theme; only colours change (its ``<style>``
rules and the ``style=""`` of nodes that an author's ``classDef`` coloured). Shipping both drawings
doubles the diagram's bytes — on a domain page, a quarter of the page. :func:`merge_themes` puts
the two together: every colour that differs becomes a CSS custom property, set to the dark value on
the SVG and to the light value under the same theme selectors the stylesheet uses for everything
else (``html[data-theme]``, else ``prefers-color-scheme``; light when printed).

It only merges what it can prove identical: the two drawings must match character for character
outside their colours (ids aside — sequence diagrams number theirs from a counter, and the dark
drawing's ids are kept, consistently with its own references), and a colour that differs must sit in
CSS (a ``<style>`` element or a ``style`` attribute), because ``var()`` means nothing in a
presentation attribute such as ``stop-color="#123456"``. Such an attribute is rewritten as a
``style`` only where that cannot change what is drawn: the element has no ``style`` of its own and no
rule of the SVG's stylesheet sets that property (an inline style outranks the stylesheet, a
presentation attribute does not). Anything else returns None, and the page keeps the two drawings,
switched by the stylesheet as before.

Both drawings are :func:`~.diagramslim.slim` first.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from pathlib import Path

from .buildcache import cache_folder, key_of, read_entry, write_entry
from .diagramslim import slim
from .diagramsvg import TOKEN

# A colour as Mermaid writes one: #rgb… or a functional notation; captured, so that one split gives
# the text between colours and the colours. Ids never match: after normalise() they all start with
# TOKEN, whose letters are not hexadecimal. (The leading class lets re skip other characters fast.)
_COLOUR = re.compile(r"([#rh](?:(?<=#)[0-9a-fA-F]{3,8}(?![\w-])|(?<=[rh])(?:gb|sl)a?\([^()]*\)))")
_IDS = re.compile(r'(\sid="|url\(#|href="#)[^")]*')
_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>.*?</style>", re.S)
_CSS_PLACES = re.compile(r"<style\b[^>]*>.*?</style>|\sstyle=\"[^\"]*\"", re.S)
_FIRST_STYLE = re.compile(r"<style\b[^>]*>")
_ROOT_TAG = re.compile(r"<svg\b[^>]*>")
_ATTRIBUTE_OPEN = re.compile(r'\s([a-z-]+)="$')

_LIGHT_SELECTORS = (  # the same conditions as site.css's theme rules, scoped to one SVG
    "@media screen{{:root[data-theme=light] #{id}{{{vars}}}}}"
    "@media screen and (prefers-color-scheme:light){{:root:not([data-theme]) #{id}{{{vars}}}}}"
    "@media print{{#{id}{{{vars}}}}}"
)


def _in_css(spans: list[tuple[int, int]], starts: list[int], at: int) -> bool:
    i = bisect_right(starts, at) - 1
    return i >= 0 and spans[i][0] <= at < spans[i][1]


def _restylable(svg: str, at: int, colour: str, style_text: str) -> tuple[str, int] | None:
    """The property of the presentation attribute whose whole value is the colour at `at`, and
    where its tag starts, when it may become a ``style`` declaration without changing the drawing."""
    opened = _ATTRIBUTE_OPEN.search(svg, max(0, at - 40), at)
    if opened is None or not svg.startswith('"', at + len(colour)):
        return None
    prop = opened.group(1)
    start = svg.rfind("<", 0, at)
    if ' style="' in svg[start: svg.find(">", at)] or re.search(rf"(?<![\w-]){re.escape(prop)}\s*:", style_text):
        return None
    return prop, start


def merge_themes(dark: str, light: str) -> str | None:
    """One SVG that draws `dark` under the dark theme and `light` under the light one, or None
    when the two differ in more than colours written in CSS. Both are :func:`slim` first."""
    dark, light = slim(dark), slim(light)
    dark_split, light_split = _COLOUR.split(dark), _COLOUR.split(light)
    if len(dark_split) != len(light_split):
        return None
    dark_parts, light_parts = dark_split[0::2], light_split[0::2]
    dark_colours, light_colours = dark_split[1::2], light_split[1::2]
    if any(a != b and _IDS.sub(r"\1", a) != _IDS.sub(r"\1", b) for a, b in zip(dark_parts, light_parts, strict=True)):
        return None
    spans = [m.span() for m in _CSS_PLACES.finditer(dark)]
    style_text = "".join(m.group(0) for m in _STYLE_ELEMENT.finditer(dark))
    starts = [start for start, _ in spans]
    names: dict[tuple[str, str], str] = {}
    restyled: set[int] = set()  # where the tags start that were given a style attribute
    out: list[str] = [dark_parts[0]]
    at = len(dark_parts[0])
    for colour_d, colour_l, text in zip(dark_colours, light_colours, dark_parts[1:], strict=True):
        if colour_d.lower() == colour_l.lower():
            out.append(colour_d)
        elif _in_css(spans, starts, at):
            name = names.setdefault((colour_d, colour_l), f"--c{len(names) + 1}")
            out.append(f"var({name})")
        else:
            found = _restylable(dark, at, colour_d, style_text)
            if found is None or found[1] in restyled:  # one style attribute per element
                return None
            prop, tag_start = found
            restyled.add(tag_start)
            name = names.setdefault((colour_d, colour_l), f"--c{len(names) + 1}")
            out[-1] = out[-1][: -len(prop) - 2] + "style=\""
            out.append(f"{prop}:var({name})")
        out.append(text)
        at += len(colour_d) + len(text)
    merged = "".join(out)
    if not names:
        return merged
    dark_vars = ";".join(f"{name}:{d}" for (d, _), name in names.items())
    light_vars = ";".join(f"{name}:{lt}" for (_, lt), name in names.items())
    rules = f"#{TOKEN}{{{dark_vars}}}" + _LIGHT_SELECTORS.format(id=TOKEN, vars=light_vars)
    style = _FIRST_STYLE.search(merged)
    if style:
        return merged[: style.end()] + rules + merged[style.end():]
    root = _ROOT_TAG.search(merged)
    if root is None:
        return None
    return merged[: root.end()] + f"<style>{rules}</style>" + merged[root.end():]


#: This module's source is part of each cached merge's key: a change here is a new key.
_MERGE_CODE = Path(__file__).read_bytes()
_NOT_MERGED = b"-"  # what the cache keeps for a pair that does not merge


def cached_merge(dark: str, light: str) -> str | None:
    """:func:`merge_themes`, kept in the build cache (:mod:`.buildcache`) like the label lists:
    a few milliseconds per diagram, on every build, for SVGs that rarely change."""
    folder = cache_folder("diagram-merged")
    name = f"{key_of(_MERGE_CODE, dark.encode('utf-8'), light.encode('utf-8'))}.svg"
    kept = read_entry(folder, name)
    if kept == _NOT_MERGED:
        return None
    if kept is not None and kept.startswith(b"<"):
        return kept.decode("utf-8")
    merged = merge_themes(dark, light)  # not kept yet, or a damaged entry: derived again
    write_entry(folder, name, _NOT_MERGED if merged is None else merged.encode("utf-8"))
    return merged
