"""The built site's scripts, round two (issue #12), in Chromium: malformed percent-escapes in the
hash or query never throw (``#100%`` used to leave the search box disabled), and a failed search
leaves no stale results under its error.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import MINI
from playwright.sync_api import Page, expect

from studyguide.commands.build import build

SEARCH = "[data-search-input]"
OPTIONS = "[data-search-results] [role=option]"
STATUS = "[data-search-status]"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hardening") / "mini"
    build(MINI / "studyguide.yml", out, search=True)
    return out


def search(page: Page, query: str) -> None:
    page.locator(SEARCH).fill(query)
    expect(page.locator(STATUS)).to_contain_text(f"for “{query}”", timeout=20_000)  # Pagefind loads its wasm first


@pytest.mark.parametrize("suffix", ["retrieval/#100%", "retrieval/#%E0%A4%A", "retrieval/#%", "retrieval/#%ZZ%",
                                    "interview/?badge=%E0%A4&group=%ZZ#%C3%28", "retrieval/?q=100%#hybrid-search%"])
def test_malformed_escapes_in_hash_or_query_never_throw(page, serve_dir, watch_page, site, suffix) -> None:
    base = serve_dir(site)
    watch = watch_page(page, base)
    page.goto(base + suffix)
    expect(page.locator(SEARCH)).to_be_enabled()
    page.evaluate("location.hash = '%E0%A4%A'")  # a hashchange to another malformed one
    card = "q1" if suffix.startswith("interview/") else "hybrid-search"
    page.evaluate(f"location.hash = '{card}'")  # and a good one still opens its card
    expect(page.locator(f"#{card}")).to_have_attribute("open", "")
    search(page, "HyDE")
    expect(page.locator(OPTIONS).first).to_be_visible()
    assert not watch.page_errors, watch.problems()
    assert not watch.console_errors, watch.problems()


def test_a_failed_search_clears_the_old_results(page, serve_dir, watch_page, site) -> None:
    base = serve_dir(site)
    watch = watch_page(page, base)
    page.goto(base + "retrieval/")
    search(page, "HyDE")
    expect(page.locator(OPTIONS).first).to_be_visible()
    page.route("**/pagefind/**", lambda route: route.abort())  # offline from now on
    page.locator(SEARCH).fill("ReAct")
    expect(page.locator(STATUS)).to_contain_text("Search failed", timeout=20_000)
    expect(page.locator(OPTIONS)).to_have_count(0)
    expect(page.locator("[data-search-results]")).to_be_hidden()
    expect(page.locator(SEARCH)).to_have_attribute("aria-expanded", "false")
    assert not watch.page_errors, watch.problems()


@pytest.fixture
def browser_context_args(browser_context_args: dict) -> dict:
    # page.route cannot see requests the service worker answers from its cache: block the worker,
    # so "offline from now on" really cuts the search index off.
    return {**browser_context_args, "service_workers": "block"}
