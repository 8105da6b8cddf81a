"""Things a learner hit, in Chromium: the search box names its "/" shortcut only where there is a
keyboard; opening a card puts it in the address (no scroll jump) so Back and a copied URL
return to it, with the open cards restored on Back/Forward; and no page shifts under the reader
while its deferred scripts arrive (Lighthouse's cumulative layout shift).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from helpers import MINI
from playwright.sync_api import Browser, Page, Route, expect

from studyguide.commands.build import build

SEARCH = "[data-search-input]"


T = 20_000  # ms: generous, the suite shares two cores with other work


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reading") / "site"
    build(MINI / "studyguide.yml", out, search=True)
    return out


def test_the_slash_shortcut_is_named_only_with_a_keyboard(browser: Browser, site: Path, serve_dir) -> None:
    base = serve_dir(site)
    desktop = browser.new_context()
    phone = browser.new_context(has_touch=True, is_mobile=True, viewport={"width": 390, "height": 844})
    try:
        page = desktop.new_page()
        page.goto(base)
        assert page.evaluate("matchMedia('(hover: hover) and (pointer: fine)').matches")
        expect(page.locator(SEARCH)).to_have_attribute("placeholder", "Search (press /)")
        page = phone.new_page()
        page.goto(base)
        assert not page.evaluate("matchMedia('(hover: hover) and (pointer: fine)').matches")
        expect(page.locator(SEARCH)).to_be_enabled(timeout=T)
        expect(page.locator(SEARCH)).to_have_attribute("placeholder", "Search", timeout=T)
    finally:
        desktop.close()
        phone.close()


def open_by_click(page: Page, anchor: str) -> None:
    page.locator(f"#{anchor} > summary").click()
    expect(page.locator(f"#{anchor}")).to_have_attribute("open", "", timeout=T)


def test_opening_a_card_puts_it_in_the_address_without_a_jump(page: Page, site: Path, serve_dir) -> None:
    base = serve_dir(site)
    page.set_viewport_size({"width": 1280, "height": 500})
    page.goto(base + "retrieval/")
    expect(page.locator(".diagram-render svg >> visible=true").first).to_be_visible(timeout=30_000)  # the layout above has settled
    page.locator("#query-rewriting > summary").scroll_into_view_if_needed()
    where = "[document.querySelector('#query-rewriting').getBoundingClientRect().top, scrollY, history.length]"
    before = page.evaluate(where)
    open_by_click(page, "query-rewriting")
    page.wait_for_timeout(150)
    assert page.url == base + "retrieval/#query-rewriting"
    assert page.evaluate(where) == before  # no jump, no new history entry
    # Closing it takes it out of the address again; "Expand all" opens cards but leaves the address.
    page.locator("#query-rewriting > summary").click()
    expect(page.locator("#query-rewriting")).not_to_have_attribute("open", "", timeout=T)
    assert page.url == base + "retrieval/"
    page.get_by_role("button", name="Expand all").first.click()
    page.wait_for_timeout(150)
    assert page.url == base + "retrieval/"


def test_back_and_forward_restore_the_open_cards(page: Page, site: Path, serve_dir) -> None:
    base = serve_dir(site)
    page.goto(base + "retrieval/")
    open_by_click(page, "hybrid-search")
    open_by_click(page, "query-rewriting")
    page.wait_for_timeout(150)  # the list of open cards is written after a burst of toggles
    assert page.url == base + "retrieval/#query-rewriting"
    page.locator(".site-title").click()
    page.wait_for_url(base)
    page.go_back()
    assert page.url == base + "retrieval/#query-rewriting"
    expect(page.locator("#hybrid-search")).to_have_attribute("open", "", timeout=T)
    expect(page.locator("#query-rewriting")).to_have_attribute("open", "", timeout=T)
    # Within the page: a sidebar link is a new entry; Back returns to the cards as they were.
    page.locator("#hybrid-search > summary").click()
    expect(page.locator("#hybrid-search")).not_to_have_attribute("open", "", timeout=T)
    page.wait_for_timeout(150)
    page.goto(base + "agents/")
    page.go_back()
    expect(page.locator("#query-rewriting")).to_have_attribute("open", "", timeout=T)
    expect(page.locator("#hybrid-search")).not_to_have_attribute("open", "", timeout=T)
    page.go_forward()
    page.wait_for_url(base + "agents/", timeout=T)
    # A copied address opens the card in a fresh tab.
    fresh = page.context.new_page()
    fresh.goto(base + "retrieval/#query-rewriting")
    expect(fresh.locator("#query-rewriting")).to_have_attribute("open", "", timeout=T)
    fresh.close()


# Layout shifts as the browser reports them (the Layout Instability API Lighthouse reads), from the
# first paint on; a shift caused by input would carry hadRecentInput and is not counted.
RECORD_SHIFTS = """
window.__shifts = [];
new PerformanceObserver(list => {
  for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shifts.push({
    value: e.value,
    nodes: (e.sources || []).map(s => s.node ? s.node.nodeName + "." + (s.node.className || "") : "?")});
}).observe({type: "layout-shift", buffered: true});
"""


@pytest.mark.parametrize("path", ["", "retrieval/", "interview/", "practice/", "tags/", "answer-structure/", "404.html"])
def test_nothing_shifts_while_the_scripts_arrive_on_a_phone(browser: Browser, site: Path, serve_dir, path: str) -> None:
    """The script-only controls (theme toggle, card tools, filters, study marks, practice) are
    shown from the first paint and the menu is a drawer from the start, so a phone's first screen
    does not jump when site.js and the study scripts run (it did by 0.13–0.28, Lighthouse's CLS)."""
    base = serve_dir(site)
    phone = browser.new_context(has_touch=True, is_mobile=True, viewport={"width": 412, "height": 823},
                                device_scale_factor=1.75)
    try:
        phone.add_init_script(RECORD_SHIFTS)

        def slow_network(route: Route) -> None:
            # On loopback the deferred scripts would run before the first frame and hide any shift:
            # hold them back (not the blocking theme-init.js) so the page paints first, as on a phone.
            if "theme-init" not in route.request.url:
                time.sleep(0.15)
            route.continue_()

        phone.route("**/*.js*", slow_network)
        page = phone.new_page()
        page.goto(base + path, wait_until="load")
        expect(page.locator(SEARCH)).to_be_enabled(timeout=T)  # search.js (the last script) has run
        page.wait_for_timeout(300)  # the frames after it: a late shift would land here
        shifts = page.evaluate("window.__shifts")
        assert sum(s["value"] for s in shifts) < 0.01, shifts
    finally:
        phone.close()
