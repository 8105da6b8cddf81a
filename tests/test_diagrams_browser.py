"""Diagrams drawn at build time, in real Chromium, on the bundled guide (its cache is committed).

* every domain page shows its diagram in both themes without requesting Mermaid or diagrams.js,
  and the theme toggle recolours the drawing with no network request at all;
* one SVG for both themes (render/diagrammerge.py) looks pixel for pixel like the two drawings it
  replaces, in either theme, with or without JavaScript, and printed;
* the drawings are equivalent in structure to what the browser renderer (diagrams.js) draws today:
  the same diagram type, nodes, edges, clusters and label text;
* on a phone a wide diagram is fitted to the width, with "Full size" one tap away, which then
  scrolls inside its frame from the left (screenshots in screenshots/ for a human to look at).

axe-core runs on these pages (both themes, desktop and phone width) in test_theme_browser.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import BUNDLED_CONFIG, REPO
from playwright.sync_api import expect

from studyguide.commands.build import build
from studyguide.content.loader import Loader
from studyguide.content.model import Guide

SCREENSHOTS = REPO / "screenshots"
PHONE = {"width": 360, "height": 780}

# The structure of the diagram shown in a figure (the SVG that is visible).
STRUCTURE = """f => {
    const frame = [...f.querySelectorAll('.diagram-render')].find(h => h.offsetParent !== null);
    const svg = frame && frame.querySelector('svg');
    if (!svg) return null;
    const count = s => svg.querySelectorAll(s).length;
    const texts = [...svg.querySelectorAll('foreignObject, text')].map(e => e.textContent.replace(/\\s+/g, ' ').trim())
        .filter(Boolean);
    const r = svg.getBoundingClientRect();
    return {type: svg.getAttribute('aria-roledescription'), nodes: count('g.node'), edges: count('path.flowchart-link'),
            clusters: count('g.cluster'), actors: count('rect.actor'), messages: count('.messageText'),
            labels: texts.sort(), width: r.width, height: r.height,
            drawnWidth: Number((svg.getAttribute('viewBox') || '0 0 0 0').split(/[\\s,]+/)[2])};
}"""


def _bundled(out: Path, renderer: str | None = None) -> tuple[Path, Guide]:
    if not BUNDLED_CONFIG.is_file() or not (BUNDLED_CONFIG.parent / "content").is_dir():
        pytest.skip("the bundled guide is not in this checkout")
    config = BUNDLED_CONFIG
    if renderer:
        project = out.parent / "project"
        shutil.copytree(BUNDLED_CONFIG.parent / "content", project / "content")
        config = project / "studyguide.yml"
        config.write_text(BUNDLED_CONFIG.read_text() + f"\ndiagrams:\n  renderer: {renderer}\n")
    build(config, out, search=False)
    return out, Loader().load(config)


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Guide]:
    return _bundled(tmp_path_factory.mktemp("drawn") / "site")


@pytest.fixture(scope="module")
def in_browser(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Guide]:
    return _bundled(tmp_path_factory.mktemp("browser") / "site", "browser")


# The colours a reader sees on the first shape and the first label of the shown drawing.
COLOURS = """f => {
    const frame = [...f.querySelectorAll('.diagram-render')].find(h => h.offsetParent !== null);
    const shape = frame.querySelector('.node rect, .node path, .node polygon, rect.actor');
    const label = frame.querySelector('.nodeLabel, .label, text.actor, text');
    const s = getComputedStyle(shape), l = getComputedStyle(label);
    return [s.fill, s.stroke, l.color, l.fill].join(' ');
}"""


def test_every_domain_diagram_in_both_themes_with_no_mermaid_and_no_request_on_toggle(
        drawn, new_context, serve_dir, watch_page):
    site, guide = drawn
    base = serve_dir(site)
    page = new_context(color_scheme="dark").new_page()
    watch = watch_page(page, base)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    for domain in guide.domains:
        requests.clear()
        page.goto(base + domain.path, wait_until="networkidle")
        assert not [u for u in requests if "mermaid" in u or "diagrams.js" in u], (domain.path, requests)
        figure = page.locator("figure.diagram").first
        expect(figure).to_have_class("diagram is-drawn")
        shown = figure.evaluate(STRUCTURE)
        assert shown and shown["width"] > 0 and shown["height"] > 0 and shown["labels"], domain.path
        svg = figure.locator(".diagram-render svg >> visible=true").first
        expect(svg).to_be_visible()
        # The figure's name and description, shared by both themes.
        assert figure.locator("figcaption").inner_text().strip().lower() == domain.diagram.title.lower()
        described = svg.get_attribute("aria-describedby")
        assert described and page.locator(f"#{described}").text_content().startswith("Diagram labels: ")
        colours = figure.evaluate(COLOURS)
        requests.clear()
        page.click("[data-theme-toggle]")
        page.wait_for_function(f"c => ({COLOURS})(document.querySelector('figure.diagram')) !== c", arg=colours)
        expect(figure.locator(".diagram-render svg >> visible=true").first).to_be_visible()
        page.wait_for_timeout(100)
        assert requests == [], f"the toggle fetched {requests}"
        assert figure.evaluate(STRUCTURE)["labels"] == shown["labels"]
        page.click("[data-theme-toggle]")  # back, for the next page
        page.wait_for_function(f"c => ({COLOURS})(document.querySelector('figure.diagram')) === c", arg=colours)
    assert not watch.page_errors and not watch.foreign_requests and not watch.console_errors


@pytest.fixture(scope="module")
def two_drawings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled guide built as before one SVG served both themes: each theme's own drawing."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("studyguide.render.diagramart.cached_merge", lambda dark, light: None)
        site, _ = _bundled(tmp_path_factory.mktemp("two") / "site")
    return site


def test_one_svg_for_both_themes_looks_like_the_two_drawings_it_replaces(drawn, two_drawings, new_context,
                                                                        serve_dir):
    merged_site, guide = drawn
    merged, separate = serve_dir(merged_site), serve_dir(two_drawings)
    sample = (merged_site / guide.domains[0].path / "index.html").read_text(encoding="utf-8")
    assert sample.count("<svg") == 1 and "diagram-light" not in sample  # one drawing, not two
    assert "diagram-light" in (two_drawings / guide.domains[0].path / "index.html").read_text(encoding="utf-8")
    compared = 0
    for scheme, script, media in (("dark", True, "screen"), ("light", True, "screen"),
                                  ("light", False, "screen"), ("dark", True, "print")):
        page = new_context(color_scheme=scheme, java_script_enabled=script, service_workers="block").new_page()
        page.emulate_media(media=media)
        for domain in guide.domains:
            shots = []
            for base in (merged, separate):
                page.goto(base + domain.path)
                frame = page.locator("figure.diagram .diagram-render >> visible=true").first
                shots.append(frame.screenshot(animations="disabled"))
            assert shots[0] == shots[1], (scheme, script, media, domain.path)
            compared += 1
        page.context.close()
    assert compared == 4 * len(guide.domains)


def test_drawn_diagrams_match_the_browser_renderer(drawn, in_browser, new_context, serve_dir):
    """What the chromium renderer put in the page is what diagrams.js draws in the browser."""
    drawn_site, guide = drawn
    browser_site, _ = in_browser
    drawn_base, browser_base = serve_dir(drawn_site), serve_dir(browser_site)
    page = new_context(color_scheme="dark").new_page()
    for domain in guide.domains:
        page.goto(browser_base + domain.path)
        page.wait_for_selector("figure.diagram.is-rendered", timeout=30_000)
        expected = page.locator("figure.diagram").first.evaluate(STRUCTURE)
        page.goto(drawn_base + domain.path)
        actual = page.locator("figure.diagram").first.evaluate(STRUCTURE)
        for key in ("type", "nodes", "edges", "clusters", "actors", "messages", "labels"):
            assert actual[key] == expected[key], (domain.path, key, actual[key], expected[key])
        # Laid out alike: the same natural size (fonts measured the same way).
        assert abs(actual["drawnWidth"] - expected["drawnWidth"]) <= 1, (domain.path, actual, expected)


def test_wide_diagram_on_a_phone_fits_and_full_size_scrolls_from_the_left(drawn, new_context, serve_dir,
                                                                          watch_page):
    site, guide = drawn
    base = serve_dir(site)
    page = new_context(viewport=PHONE, has_touch=True, color_scheme="light").new_page()
    watch = watch_page(page, base)
    widths = {}
    for domain in guide.domains:
        page.goto(base + domain.path)
        widths[domain.path] = int(page.locator("figure.diagram").first.get_attribute("data-width") or 0)
    widest = max(widths, key=lambda path: widths[path])
    page.goto(base + widest)
    figure = page.locator("figure.diagram").first
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    box = figure.locator(".diagram-render svg").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    # Never a blank first screen: the drawing starts on it, and leaves room below it.
    assert box["y"] < PHONE["height"] / 2 and box["height"] <= PHONE["height"] * 0.5 + 1, box
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "diagram-phone-fitted.png"))
    zoom = figure.locator(".diagram-zoom")
    expect(zoom).to_be_visible()
    expect(zoom).to_have_text("Full size")
    zoom.tap()
    expect(zoom).to_have_attribute("aria-pressed", "true")
    expect(zoom).to_have_text("Fit to width")
    frame = figure.locator(".diagram-render")
    state = frame.evaluate("""h => ({scrollLeft: h.scrollLeft, scrolls: h.scrollWidth > h.clientWidth,
        tabIndex: h.tabIndex, svg: h.querySelector('svg').getBoundingClientRect().width})""")
    assert state["scrolls"] and state["scrollLeft"] == 0 and state["tabIndex"] == 0, state
    assert abs(state["svg"] - widths[widest]) <= 1, state
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]  # the frame scrolls, not the page
    page.screenshot(path=str(SCREENSHOTS / "diagram-phone-full-size.png"))
    zoom.tap()
    expect(zoom).to_have_text("Full size")
    assert not watch.page_errors and not watch.console_errors
