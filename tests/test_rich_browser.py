"""Rich content in real Chromium, in both themes: an image from assets/, a highlighted code block,
callouts, a footnote, a task list and heading links — drawn, coloured by the theme, and free of
axe-core violations. Screenshots go to screenshots/rich-*.png for a human to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from helpers import REPO
from playwright.sync_api import Page
from pygments.styles import get_style_by_name
from richguide import IMAGE_SIZE, make_rich_guide, write

from studyguide.commands.build import build
from studyguide.markup.highlight import DEFAULT_DARK, DEFAULT_LIGHT

SCREENSHOTS = REPO / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
CARD = "#rich-content"

# The colour of a token class inside the card's code block, and the block's background.
CODE_COLOURS = """() => {
    const pre = document.querySelector('#rich-content pre.highlight');
    const colour = sel => getComputedStyle(pre.querySelector(sel)).color;
    return {bg: getComputedStyle(pre).backgroundColor, keyword: colour('.k'), comment: colour('.c1'),
            number: colour('.mi'), text: getComputedStyle(pre).color};
}"""


def rgb(hex_colour: str) -> str:
    value = hex_colour.lstrip("#")
    return "rgb({}, {}, {})".format(*(int(value[i:i + 2], 16) for i in (0, 2, 4)))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_rich_guide(tmp_path_factory.mktemp("richb") / "guide")
    # A collapsible callout too, so axe sees every callout shape.
    topic = project / "content/domains/01-retrieval/03-rich-content.md"
    topic.write_text(topic.read_text(encoding="utf-8") + "\n???+ question \"Why fuse ranks?\"\n"
                     "    Scores of BM25 and cosine similarity are not comparable.\n", encoding="utf-8")
    write(project, "content/pages/02-notes.md", "---\ntitle: Notes\n---\n## Heading on a page\n\n"
                                                "> [!CAUTION]\n> Check the bill.\n")
    build(project / "studyguide.yml", project / "site", search=False)
    return project / "site"


def _open_card(page: Page) -> None:
    page.evaluate("sel => { const d = document.querySelector(sel); d.open = true; d.scrollIntoView(); }", CARD)


def _theme(page: Page, theme: str) -> None:
    if page.evaluate("document.documentElement.getAttribute('data-theme')") != theme:
        page.click("[data-theme-toggle]")
    page.wait_for_function(f"() => document.documentElement.getAttribute('data-theme') === '{theme}'")


def test_image_and_highlighted_code_render_in_both_themes(site, new_context, serve_dir, watch_page) -> None:
    base = serve_dir(site)
    page = new_context(viewport=DESKTOP, color_scheme="dark", reduced_motion="reduce").new_page()
    watch = watch_page(page, base)
    page.goto(base + "retrieval/")
    _open_card(page)
    image = page.locator(f"{CARD} img")
    image.scroll_into_view_if_needed()
    page.wait_for_function(f"() => document.querySelector('{CARD} img').complete")
    assert image.evaluate("i => [i.naturalWidth, i.naturalHeight]") == list(IMAGE_SIZE)  # loaded, real file
    box = image.bounding_box()
    assert box and round(box["width"]) == IMAGE_SIZE[0] and round(box["height"]) == IMAGE_SIZE[1]
    colours = {}
    for theme in ("dark", "light"):
        _theme(page, theme)
        page.locator(f"{CARD} pre.highlight").scroll_into_view_if_needed()
        colours[theme] = page.evaluate(CODE_COLOURS)
        SCREENSHOTS.mkdir(exist_ok=True)
        page.locator(CARD).screenshot(path=str(SCREENSHOTS / f"rich-card-{theme}.png"))
    # a11y-dark / a11y-light (accessible-pygments): keyword, comment and number colours differ from
    # the plain text and between the themes; the block takes the style's background.
    for theme, c in colours.items():
        assert len({c["keyword"], c["comment"], c["number"], c["text"]}) == 4, (theme, c)
    assert colours["dark"]["bg"] == rgb(get_style_by_name(DEFAULT_DARK).background_color)
    assert colours["light"]["bg"] == rgb(get_style_by_name(DEFAULT_LIGHT).background_color)
    assert colours["dark"]["keyword"] != colours["light"]["keyword"]
    assert page.evaluate("getComputedStyle(document.querySelector('.callout-warning')).borderLeftWidth") == "4px"
    watch.assert_clean()


def test_heading_link_and_footnote_work_from_the_keyboard(site, new_context, serve_dir, watch_page) -> None:
    base = serve_dir(site)
    page = new_context(viewport=DESKTOP, reduced_motion="reduce").new_page()
    watch = watch_page(page, base)
    page.goto(base + "retrieval/#rich-content--scoring")
    # The heading's id is inside a closed card: site.js opens the card that holds the target.
    page.wait_for_function("() => document.querySelector('#rich-content').open")
    link = page.locator("#rich-content--scoring .heading-link")
    link.focus()
    page.wait_for_function("() => getComputedStyle(document.activeElement).opacity === '1'")  # shown on focus
    assert link.evaluate("a => a === document.activeElement && a.getAttribute('href')") == "#rich-content--scoring"
    page.locator("#rich-content .footnote-ref a").click()
    assert page.evaluate("location.hash") == "#fn-rich-content-1"
    watch.assert_clean()


@pytest.mark.parametrize("path", ["retrieval/", "notes/", "answer-structure/"])
def test_axe_finds_no_violations_in_rich_content_in_either_theme(path, site, new_context, serve_dir,
                                                                  watch_page) -> None:
    base = serve_dir(site)
    page = new_context(viewport=DESKTOP, color_scheme="dark", reduced_motion="reduce").new_page()
    watch = watch_page(page, base)
    page.goto(base + path)
    for theme in ("dark", "light"):
        _theme(page, theme)
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        page.wait_for_function("() => [...document.querySelectorAll('figure.diagram')].every("
                               "f => ['is-rendered', 'is-drawn', 'is-failed'].some(c => f.classList.contains(c)))",
                               timeout=20_000)
        results = Axe().run(page)
        assert results.violations_count == 0, f"{path} {theme}: " + results.generate_report()
    watch.assert_clean()
