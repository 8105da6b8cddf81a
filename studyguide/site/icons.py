"""App icons for the web app manifest, drawn with Pillow from the theme's mark (``favicon.svg``).

Why draw instead of rasterising the SVG: an SVG renderer needs either a system library (cairo) or
a browser at build time, and a build must run anywhere with nothing but Python. The theme's mark is
made of simple shapes, so this module reads that subset of SVG — ``<rect>`` (with ``rx``/``ry``),
``<circle>`` and ``<ellipse>`` with solid ``fill`` colours, inside a ``viewBox`` — and draws it with
Pillow at 4× the size, then scales down for smooth edges. A mark that uses anything else (paths,
gradients, transforms) is reported as ``favicon.svg:LINE: …``, never drawn wrongly.

Three icons: ``any`` at 192 and 512 px (the mark as it is), and a ``maskable`` 512 px one: the
launcher may crop it to a circle or squircle, so its background fills the whole square and the
shapes are scaled into the safe zone (the centred circle of radius 40 %).
"""

from __future__ import annotations

import io
import math
import re
import xml.parsers.expat
from dataclasses import dataclass
from pathlib import Path

from ..render.buildcache import cache_folder, key_of, read_entry, write_entry

SUPERSAMPLE = 4
#: The maskable safe zone: a centred circle with this radius, as a fraction of the icon's size.
SAFE_RADIUS = 0.4
_SHAPES = ("rect", "circle", "ellipse")
_IGNORED = ("svg", "title", "desc", "metadata")
_HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


class IconError(OSError):
    """The mark uses SVG this module cannot draw; the message is ``path:line: …``.

    An ``OSError``, like a failure to write the site, so the CLI and the preview report it as a
    message (exit 1, no traceback) and the previous site stays as it was."""


@dataclass(frozen=True)
class Shape:
    kind: str  # rect, circle, ellipse
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in viewBox units
    radius: float  # corner radius (rect); 0 for ellipses
    fill: tuple[int, int, int, int]


@dataclass(frozen=True)
class Mark:
    viewbox: tuple[float, float, float, float]  # min-x, min-y, width, height
    shapes: tuple[Shape, ...]

    def background(self) -> Shape | None:
        """The first shape when it covers the whole viewBox (the mark's tile), else None."""
        if not self.shapes:
            return None
        first = self.shapes[0]
        x, y, w, h = self.viewbox
        covers = first.kind == "rect" and first.box[0] <= x and first.box[1] <= y \
            and first.box[2] >= x + w and first.box[3] >= y + h
        return first if covers else None


def _colour(value: str, where: str) -> tuple[int, int, int, int] | None:
    value = value.strip()
    if value == "none":
        return None
    match = _HEX.fullmatch(value)
    if not match:
        raise IconError(f"{where}: fill '{value}' is not a #rgb or #rrggbb colour (the icon generator "
                        f"draws solid colours only)")
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16), 255)


def _number(attrs: dict[str, str], key: str, where: str, default: float | None = 0.0) -> float:
    raw = attrs.get(key)
    if raw is None:
        if default is None:
            raise IconError(f"{where}: missing '{key}'")
        return default
    try:
        return float(raw.strip().removesuffix("px"))
    except ValueError:
        raise IconError(f"{where}: '{key}' must be a number, got '{raw}'") from None


def _shape(tag: str, attrs: dict[str, str], where: str) -> Shape | None:
    fill = _colour(attrs.get("fill", "#000"), where)
    if fill is None:
        return None
    if tag == "rect":
        x, y = _number(attrs, "x", where), _number(attrs, "y", where)
        w, h = _number(attrs, "width", where, None), _number(attrs, "height", where, None)
        rx = _number(attrs, "rx", where, None) if "rx" in attrs else _number(attrs, "ry", where)
        return Shape("rect", (x, y, x + w, y + h), min(rx, w / 2, h / 2), fill)
    cx, cy = _number(attrs, "cx", where), _number(attrs, "cy", where)
    if tag == "circle":
        rx = ry = _number(attrs, "r", where, None)
    else:
        rx, ry = _number(attrs, "rx", where, None), _number(attrs, "ry", where, None)
    return Shape("ellipse", (cx - rx, cy - ry, cx + rx, cy + ry), 0.0, fill)


def read_mark(path: Path) -> Mark:
    """Parse the mark's shapes; raise :class:`IconError` naming the line of anything unsupported."""
    parser = xml.parsers.expat.ParserCreate()
    viewbox: list[tuple[float, float, float, float]] = []
    shapes: list[Shape] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        tag = name.rsplit(":", 1)[-1]
        where = f"{path}:{parser.CurrentLineNumber}"
        if "transform" in attrs or "style" in attrs:
            raise IconError(f"{where}: <{tag}> has 'transform' or 'style', which the icon generator "
                            f"does not apply; use plain attributes")
        if tag == "svg":
            parts = attrs.get("viewBox", "").replace(",", " ").split()
            if len(parts) == 4:
                viewbox.append((float(parts[0]), float(parts[1]), float(parts[2]), float(parts[3])))
            else:
                w = _number(attrs, "width", where, None)
                viewbox.append((0.0, 0.0, w, _number(attrs, "height", where, None)))
        elif tag in _SHAPES:
            shape = _shape(tag, attrs, where)
            if shape is not None:
                shapes.append(shape)
        elif tag not in _IGNORED:
            raise IconError(f"{where}: cannot draw <{tag}> (the icon generator draws <rect>, <circle> "
                            f"and <ellipse> with solid fills)")

    parser.StartElementHandler = start
    try:
        parser.Parse(path.read_bytes(), True)
    except xml.parsers.expat.ExpatError as exc:
        raise IconError(f"{path}:{exc.lineno}: not well-formed SVG: {exc}") from None
    if not viewbox:
        raise IconError(f"{path}:1: no <svg> element")
    return Mark(viewbox[0], tuple(shapes))


def _draw(mark: Mark, size: int, *, maskable: bool) -> bytes:
    from PIL import Image, ImageDraw  # imported only when icons are drawn

    big = size * SUPERSAMPLE
    vx, vy, vw, vh = mark.viewbox
    background = mark.background()
    shapes = list(mark.shapes)
    if maskable and background is not None:
        # Full-bleed tile; the other shapes shrink until their corners fit inside the safe circle.
        image = Image.new("RGBA", (big, big), background.fill)
        shapes.remove(background)
        x0 = min(s.box[0] for s in shapes) if shapes else vx
        y0 = min(s.box[1] for s in shapes) if shapes else vy
        x1 = max(s.box[2] for s in shapes) if shapes else vx + vw
        y1 = max(s.box[3] for s in shapes) if shapes else vy + vh
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        half_diagonal = math.hypot(x1 - x0, y1 - y0) / 2 or 1.0
        scale = SAFE_RADIUS * 0.95 * big / half_diagonal
        offset = (big / 2 - cx * scale, big / 2 - cy * scale)
    else:
        image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
        scale = big / max(vw, vh)
        offset = (-vx * scale + (big - vw * scale) / 2, -vy * scale + (big - vh * scale) / 2)
    draw = ImageDraw.Draw(image)
    for shape in shapes:
        box = (shape.box[0] * scale + offset[0], shape.box[1] * scale + offset[1],
               shape.box[2] * scale + offset[0] - 1, shape.box[3] * scale + offset[1] - 1)
        if shape.kind == "rect":
            draw.rounded_rectangle(box, radius=shape.radius * scale, fill=shape.fill)
        else:
            draw.ellipse(box, fill=shape.fill)
    out = io.BytesIO()
    image.resize((size, size), Image.Resampling.LANCZOS).save(out, format="PNG", optimize=True)
    return out.getvalue()


@dataclass(frozen=True)
class Icon:
    name: str  # file name inside the icons folder
    size: int
    purpose: str  # "any" or "maskable" (the manifest's word)
    png: bytes


ICON_SPECS = (("icon-192.png", 192, "any"), ("icon-512.png", 512, "any"),
              ("icon-maskable-512.png", 512, "maskable"))


#: This module's own source is part of each cached icon's key: a change to the drawing is a new key.
_DRAWING_CODE = Path(__file__).read_bytes()


def draw_icons(mark_path: Path) -> list[Icon]:
    """The manifest's icons, drawn from the mark at `mark_path` — or read from the build cache
    (:mod:`~studyguide.render.buildcache`) when this mark was drawn before by this code."""
    source = mark_path.read_bytes()
    folder = cache_folder("icons")
    icons, mark = [], None
    for name, size, purpose in ICON_SPECS:
        key = f"{key_of(_DRAWING_CODE, source, f'{name} {size} {purpose}'.encode())}.png"
        png = read_entry(folder, key)
        if png is None:
            mark = mark or read_mark(mark_path)  # a mark it cannot draw fails here, never cached
            png = _draw(mark, size, maskable=purpose == "maskable")
            write_entry(folder, key, png)
        icons.append(Icon(name, size, purpose, png))
    return icons
