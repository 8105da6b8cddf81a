"""What a new author adds, in real Chromium: the starter guide of `init` (image, callouts,
highlighted code, cross-links), the "No badge" interview filter, and cards that stay open when the
page is reloaded. axe-core finds no violations on those pages in either theme.

The starter guide (plus two questions without a badge, added with `studyguide new`) is built once
for the module and served on 127.0.0.1.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from helpers import run_cli
from playwright.sync_api import Page, expect

from studyguide.commands.build import build
from studyguide.commands.init import init

UNBADGED = ("What does the slug of a file decide?", "Where do pictures go?")


@pytest.fixture(scope="module")
def starter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    guide = tmp_path_factory.mktemp("starter") / "guide"
    init(guide, title="Starter Guide")
    for text in UNBADGED:
        assert run_cli("new", "question", text, cwd=guide).returncode == 0
    build(guide / "studyguide.yml", guide / "site", search=False)
    return guide / "site"


def visible_questions(page: Page) -> list[str]:
    return page.locator("details[data-card]").evaluate_all(
        "cs => cs.filter(c => !c.closest('[hidden]')).map(c => c.id)")


def open_cards(page: Page) -> list[str]:
    return page.locator("details[data-card]").evaluate_all("cs => cs.filter(c => c.open).map(c => c.id)")


def test_no_badge_filter_shows_the_questions_without_a_badge(starter, page, serve_dir, watch_page):
    base = serve_dir(starter)
    watch = watch_page(page, base)
    url = base + "interview/"
    page.goto(url)
    assert visible_questions(page) == ["q1", "q2", "q3"]
    page.locator("label.chip", has_text="No badge").click()
    assert visible_questions(page) == ["q2", "q3"]
    assert page.url == url + "?badge=none"
    expect(page.locator("[data-filter-status]")).to_have_text("Showing 2 of 3 questions")
    page.goto(url + "?badge=none")  # restored from the URL
    expect(page.locator("input[name=badge][value=none]")).to_be_checked()
    assert visible_questions(page) == ["q2", "q3"]
    page.locator("label.chip", has_text="Important").click()
    assert visible_questions(page) == ["q1"]
    watch.assert_clean()


def test_opened_cards_stay_open_across_a_reload_but_not_a_new_visit(starter, page, serve_dir, watch_page):
    base = serve_dir(starter)
    watch = watch_page(page, base)
    url = base + "getting-started/"
    page.goto(url)
    assert open_cards(page) == []
    page.locator("#previewing-and-publishing > summary").click()
    assert open_cards(page) == ["previewing-and-publishing"]
    page.reload()
    page.wait_for_function("() => document.getElementById('previewing-and-publishing').open")
    assert open_cards(page) == ["previewing-and-publishing"]
    page.locator("#writing-a-topic > summary").click()
    page.locator("#previewing-and-publishing > summary").click()  # closed again
    page.reload()
    page.wait_for_function("() => document.getElementById('writing-a-topic').open")
    assert open_cards(page) == ["writing-a-topic"]
    page.goto(base)  # leave, then come back by a link: a new visit starts closed
    page.goto(url)
    page.wait_for_load_state("load")
    assert open_cards(page) == []
    # Reloading and leaving cancel fetches still under way (Mermaid, the favicon): ERR_ABORTED
    # means "cancelled", never "missing" (an HTTP error, which would still be reported).
    watch.failed_requests[:] = [f for f in watch.failed_requests if not f.endswith("net::ERR_ABORTED")]
    watch.assert_clean()


def test_the_starter_topic_renders_its_picture_code_and_callouts(starter, page, serve_dir, watch_page):
    base = serve_dir(starter)
    watch = watch_page(page, base)
    page.goto(base + "getting-started/#writing-a-topic")
    card = page.locator("#writing-a-topic")
    expect(card).to_have_attribute("open", "")
    image = card.locator("img[alt^='A topic card']")
    image.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('#writing-a-topic img[alt]').complete")
    assert image.evaluate("i => i.naturalWidth") == 480  # it loaded: served by the site itself
    expect(card.locator(".callout-tip .callout-title")).to_have_text("Pictures and files")
    expect(card.locator("pre.highlight")).to_be_visible()
    card.locator("a", has_text="preview and publish").click()
    expect(page.locator("#previewing-and-publishing")).to_have_attribute("open", "")
    watch.assert_clean()


@pytest.mark.parametrize("path", ["getting-started/", "interview/?badge=none"])
def test_axe_no_violations_on_the_starter_pages_in_either_theme(path, starter, new_context, serve_dir, watch_page):
    base = serve_dir(starter)
    page = new_context(color_scheme="dark", reduced_motion="reduce").new_page()
    watch = watch_page(page, base)
    page.goto(base + path)
    for theme in ("dark", "light"):
        if theme == "light":
            page.click("[data-theme-toggle]")
        page.wait_for_function(f"() => document.documentElement.getAttribute('data-theme') === '{theme}'")
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        page.wait_for_function("() => [...document.querySelectorAll('figure.diagram')]"
                               ".every(f => f.querySelector('svg') || f.classList.contains('is-failed'))")  # drawn at build or in the page
        results = Axe().run(page)
        assert results.violations_count == 0, f"{theme} theme: " + results.generate_report()
    watch.assert_clean()
