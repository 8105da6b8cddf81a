"""Rendered diagram SVGs made fit for a page: ids made unique, an accessible name, label text.

Every renderer (headless Chromium, a mermaid.ink server) hands back an SVG whose ids are Mermaid's
own: the root id it was rendered under (which also scopes the embedded ``<style>`` and the arrow
markers) plus unprefixed ids such as ``L_A_B_0`` that repeat between diagrams and even inside one.
A page holds each diagram twice (dark and light) and may hold several, so :func:`normalise` (run
once, before the SVG goes into the cache) rewrites every id to start with :data:`TOKEN`, and
:func:`place` (run per page) swaps the token for an id prefix unique in that page.

The SVG is machine-written by Mermaid's serializer: every attribute is double-quoted and text is
entity-escaped, so an ``id="…"`` in the markup is always an attribute, never label text.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from .buildcache import cache_folder, key_of, read_entry, write_entry

#: Stands for the page-unique id prefix in a cached SVG.
TOKEN = "SGDIAGRAM"
#: Bumped whenever :func:`normalise` changes its output (part of every cache key).
FORMAT = "svg4"

_ID = re.compile(r'(\sid=")([^"]*)(")')
_REF = re.compile(r'(url\(#|href="#)([^")]+)')
_ROOT_TAG = re.compile(r"<svg\b[^>]*>")
# Sequence diagrams name their boxes and lines (name="…"), an attribute SVG in HTML does not have.
_NAME_ATTR = re.compile(r'\sname="[^"]*"')
_P_SELECTOR = re.compile(r"(?<=[\s,}>])p(?=[\s,{:.\[])")
_NOT_ID = re.compile(r"[^a-z0-9-]+")
_STYLE = re.compile(r"<style\b[^>]*>.*?</style>", re.S)
_DROP_ROOT_ATTRS = re.compile(r'\s(?:role|aria-labelledby|aria-describedby|aria-label|id)="[^"]*"')
# Base64 copies of every edge's points, for Mermaid's own animations: a fifth of a flowchart's bytes.
_DATA_POINTS = re.compile(r'\sdata-points="[^"]*"')
# Geometry attributes, whose numbers Mermaid writes with up to 16 digits: 2 decimals are 1/100 px.
_GEOMETRY = re.compile(r'(\s(?:d|transform|points|x|y|x1|y1|x2|y2|width|height|viewBox|cx|cy|r|rx|ry)=")([^"]*)(")')
_LONG_NUMBER = re.compile(r"(\d\.\d\d)\d+")
_MAX_WIDTH = re.compile(r"max-width:\s*([\d.]+)px")


def normalise(svg: str) -> str:
    """Every id starts with :data:`TOKEN`, is unique in the SVG, has only ``[a-z0-9-]`` after it
    (node ids come from authors' text), and references follow."""
    root = _ROOT_TAG.search(svg)
    found = _ID.search(root.group(0)) if root else None
    root_id = found.group(2) if found and found.group(2) else TOKEN
    if root_id != TOKEN:
        # The root id scopes the embedded style rules: rename it there (never in label text).
        scoped = re.compile("#" + re.escape(root_id) + r"(?![A-Za-z0-9])")
        svg = _STYLE.sub(lambda m: scoped.sub("#" + TOKEN, m.group(0)), svg)
    renamed: dict[str, str] = {}
    seen: set[str] = set()

    def rename(match: re.Match[str]) -> str:
        old = match.group(2)
        if old == root_id:
            new = TOKEN
        else:  # lower-case letters, digits and hyphens only, whatever a node was called
            rest = old[len(root_id):] if old.startswith(root_id) else old  # markers derive from the root
            new = TOKEN + "-" + (_NOT_ID.sub("-", rest.lower()).strip("-") or "x")
        base, n = new, 2
        while new in seen:
            new, n = f"{base}-{n}", n + 1
        seen.add(new)
        renamed.setdefault(old, new)
        return match.group(1) + new + match.group(3)

    svg = _ID.sub(rename, svg)
    svg = _REF.sub(lambda m: m.group(1) + renamed.get(m.group(2), m.group(2)), svg)
    svg = _DATA_POINTS.sub("", svg)
    svg = _NAME_ATTR.sub("", svg)
    # HTML labels are <span><p>…</p></span>, which HTML does not allow (a <p> inside a <span>): the
    # <p> becomes a <span class="p">, and the style rules that meant it follow.
    svg = svg.replace("<p>", '<span class="p">').replace("</p>", "</span>")
    svg = _STYLE.sub(lambda m: _P_SELECTOR.sub(".p", m.group(0)), svg)
    return _GEOMETRY.sub(lambda m: m.group(1) + _LONG_NUMBER.sub(r"\1", m.group(2)) + m.group(3), svg)


def natural_width(svg: str) -> int:
    """The width Mermaid drew at (its ``max-width``), in CSS pixels; 0 when unknown."""
    root = _ROOT_TAG.search(svg)
    found = _MAX_WIDTH.search(root.group(0)) if root else None
    return int(float(found.group(1)) + 0.999) if found else 0


def place(svg: str, prefix: str, name: str, describedby: str) -> str:
    """A cached SVG as it goes into a page: ids under `prefix`, named (`name` is an
    ``aria-labelledby`` or ``aria-label`` attribute) and described by the figure."""
    svg = svg.replace(TOKEN, prefix)
    root = _ROOT_TAG.search(svg)
    if root is None:
        return svg
    tag = _DROP_ROOT_ATTRS.sub("", root.group(0))
    tag = tag[:4] + f' id="{prefix}" role="img" {name} aria-describedby="{describedby}"' + tag[4:]
    return svg[: root.start()] + tag + svg[root.end():]


class _Labels(HTMLParser):
    """Text of each label: everything inside one ``<foreignObject>`` or ``<text>``, as one string."""

    GROUPS = ("foreignobject", "text")
    SKIP = ("style", "title", "desc")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.labels: list[str] = []
        self._depth = 0  # inside a label group
        self._skip = 0
        self._parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip += 1
        elif tag in self.GROUPS:
            self._depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self._skip:
            self._skip -= 1
        elif tag in self.GROUPS and self._depth:
            self._depth -= 1
            if not self._depth:
                self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._parts.append(data)
            if not self._depth:
                self._flush()

    def _flush(self) -> None:
        text = " ".join(" ".join(self._parts).split())
        self._parts = []
        if text:
            self.labels.append(text)


def labels(svg: str) -> list[str]:
    """The diagram's visible text, in drawing order, each label once (for its description)."""
    parser = _Labels()
    parser.feed(svg)
    parser.close()
    return list(dict.fromkeys(parser.labels))


#: This module's source is part of each cached label list's key: a change here is a new key.
_LABELS_CODE = Path(__file__).read_bytes()


def cached_labels(svg: str) -> list[str]:
    """:func:`labels`, kept in the build cache (:mod:`.buildcache`): reading an SVG's labels with
    ``html.parser`` costs more than rendering the page it goes into, on every build, for every
    diagram, while the SVGs themselves rarely change."""
    folder = cache_folder("diagram-labels")
    name = f"{key_of(_LABELS_CODE, svg.encode('utf-8'))}.json"
    kept = read_entry(folder, name)
    if kept is not None:
        try:
            found = json.loads(kept)
        except ValueError:  # a damaged entry is derived again and replaced
            found = None
        if isinstance(found, list) and all(isinstance(label, str) for label in found):
            return found
    found = labels(svg)
    write_entry(folder, name, json.dumps(found, ensure_ascii=False).encode("utf-8"))
    return found
