"""One SVG for both themes (studyguide.render.diagrammerge): what merges, what refuses to, and
the bundled guide's drawings, every one of which merges. That the merged SVG looks pixel for pixel
like the two drawings is checked in Chromium (test_diagrams_browser.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import BUNDLED_CONFIG

from studyguide.content.loader import Loader
from studyguide.render.diagrammerge import merge_themes
from studyguide.render.diagramslim import slim
from studyguide.render.diagramsvg import TOKEN
from studyguide.site.diagrams import DiagramStage

T = TOKEN


def drawing(fill: str, text: str, stop: str = "#111111", width: str = "10", actor: str = "actor1") -> str:
    return (f'<svg id="{T}" viewBox="0 0 {width} 10"><style>#{T} .node rect{{fill:{fill};stroke:#999;}}'
            f'#{T} .label{{color:{text};}}</style>'
            f'<defs><linearGradient id="{T}-gradient"><stop offset="0%" stop-color="{stop}"></stop>'
            f'</linearGradient></defs>'
            f'<g class="node" id="{T}-{actor}"><rect style="fill:{fill} !important;stroke:rgba(1, 2, 3, 0.5)"'
            f' width="{width}"></rect><path fill="url(#{T}-gradient)"></path>'
            f'<text class="label">C# #abc</text></g></svg>')


def test_colours_that_differ_become_properties_set_per_theme() -> None:
    merged = merge_themes(drawing("#2d2b55", "#e2e4eb", "#6c63ff"), drawing("#ecebff", "#1b1d2a", "#4dc9f6"))
    assert merged is not None
    assert "#2d2b55" not in merged.split("</style>", 1)[1] and "var(--c1)" in merged
    rules = re.search(r"<style>(.*?)</style>", merged).group(1)
    assert rules.startswith(f"#{T}{{--c1:#2d2b55;--c2:#e2e4eb;--c3:#6c63ff}}")
    light = "--c1:#ecebff;--c2:#1b1d2a;--c3:#4dc9f6"
    assert f":root[data-theme=light] #{T}{{{light}}}" in rules
    assert f"(prefers-color-scheme:light){{:root:not([data-theme]) #{T}{{{light}}}" in rules
    assert f"@media print{{#{T}{{{light}}}" in rules
    # The same in both themes: left as written (the grey stroke, the rgba, label text like "#abc").
    assert "stroke:#999" in merged and "rgba(1, 2, 3, 0.5)" in merged and "C# #abc" in merged
    # A presentation attribute no stylesheet rule competes with became an inline style.
    assert '<stop offset="0%" style="stop-color:var(--c3)">' in merged


def test_same_colours_need_no_properties() -> None:
    svg = drawing("#2d2b55", "#e2e4eb")
    assert merge_themes(svg, svg) == svg


def test_more_than_colours_differ_keeps_two_drawings() -> None:
    assert merge_themes(drawing("#2d2b55", "#e2e4eb"), drawing("#ecebff", "#1b1d2a", width="11")) is None
    assert merge_themes(drawing("#2d2b55", "#e2e4eb"), drawing("#ecebff", "#1b1d2a")[:-20]) is None


def test_ids_numbered_differently_merge_under_the_dark_ids() -> None:
    merged = merge_themes(drawing("#2d2b55", "#e2e4eb", actor="actor2"), drawing("#ecebff", "#1b1d2a", actor="actor5"))
    assert merged is not None and f'id="{T}-actor2"' in merged and "actor5" not in merged


def test_a_colour_attribute_a_rule_also_sets_is_not_rewritten() -> None:
    # fill= on the path loses to the stylesheet's fill rules; a style="" would beat them: refuse.
    dark = drawing("#2d2b55", "#e2e4eb").replace('<path fill="url(#', '<path fill="#2d2b55" data-x="url(#')
    light = drawing("#ecebff", "#1b1d2a").replace('<path fill="url(#', '<path fill="#ecebff" data-x="url(#')
    assert merge_themes(dark, light) is None
    # An element that already has a style attribute cannot be given a second one.
    dark = drawing("#2d2b55", "#e2e4eb").replace('<stop offset', '<stop style="opacity:1" offset')
    light = drawing("#ecebff", "#1b1d2a", "#4dc9f6").replace('<stop offset', '<stop style="opacity:1" offset')
    assert merge_themes(dark, light) is None


def slim_sample(look_rule: str) -> str:
    return (f'<svg id="{T}"><style>@keyframes dash{{to{{stroke-dashoffset:0;}}}}'
            f'#{T} .node[data-look="neo"] rect,#{T} [data-look="neo"].cluster{{stroke:url(#{T}-gradient);}}'
            f'{look_rule}#{T} .a{{fill:red;}}</style>'
            f'<defs><marker id="{T}-pointend"><path d="M0"></path></marker>'
            f'<marker id="{T}-circleend"><circle r="1"></circle></marker>'
            f'<linearGradient id="{T}-gradient"><stop offset="0%"></stop></linearGradient></defs>'
            f'<path class="a b a c b" data-id="L_A_B" data-look="classic" marker-end="url(#{T}-pointend)"></path>'
            f'<text class="x x">a label that says data-id="L_A_B" class="x x"</text></svg>')


def test_slim_drops_what_cannot_match_or_is_not_referred_to() -> None:
    slimmed = slim(slim_sample(""))
    # The "neo" rule asks for an attribute value no element has; the gradient only it used goes too.
    assert "neo" not in slimmed and "gradient" not in slimmed
    assert "@keyframes dash{to{stroke-dashoffset:0;}}" in slimmed and f"#{T} .a{{fill:red;}}" in slimmed
    assert f'id="{T}-pointend"' in slimmed and "circleend" not in slimmed  # markers: the used one stays
    assert '<path class="a b c" marker-end=' in slimmed  # no data-* left that a rule selects on
    assert '<text class="x">a label that says data-id="L_A_B" class="x x"</text>' in slimmed  # text as written


def test_slim_keeps_what_a_rule_selects_on() -> None:
    slimmed = slim(slim_sample(f'#{T} [data-look="classic"]{{opacity:1;}}'))
    assert '<path class="a b c" data-look="classic" marker-end=' in slimmed and '[data-look="classic"]' in slimmed


def test_every_diagram_of_the_bundled_guide_merges() -> None:
    if not BUNDLED_CONFIG.is_file():
        pytest.skip("the bundled guide is not in this checkout")
    guide = Loader().load(BUNDLED_CONFIG)
    stage = DiagramStage(BUNDLED_CONFIG.parent, guide.site.diagrams, Path(__file__).resolve().parent.parent / "static")
    art = stage.prepare(guide, render_missing=False)
    assert len(art.drawn) == len(guide.domains) == 15
    for source, drawn in art.drawn.items():
        assert drawn.both is not None, source[:60]
        assert len(drawn.both) < 0.6 * (len(drawn.svgs["dark"]) + len(drawn.svgs["light"]))
