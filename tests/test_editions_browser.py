"""The one-page edition and the printable interview sheets, in real Chromium.

Built once per module (bundled guide, ``--no-search``) and served on 127.0.0.1. Expectations come
from the content model (Loader), never from copies of the content.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from helpers import BUNDLED_CONFIG
from playwright.sync_api import Page, expect

from studyguide.commands.build import build
from studyguide.content.loader import Loader
from studyguide.content.model import Guide

ONE_PAGE = "all/"
DUPLICATE_IDS = """() => { const seen = {}; document.querySelectorAll('[id]').forEach(e => {
    seen[e.id] = (seen[e.id] || 0) + 1; }); return Object.keys(seen).filter(k => seen[k] > 1); }"""


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Guide]:
    if not BUNDLED_CONFIG.is_file() or not (BUNDLED_CONFIG.parent / "content").is_dir():
        pytest.skip("the bundled guide (studyguide.yml + content/) is not in this checkout")
    out = tmp_path_factory.mktemp("editions") / "site"
    build(BUNDLED_CONFIG, out, search=False)
    return out, Loader().load(BUNDLED_CONFIG)


def axe_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in results.response["violations"]]


def test_one_page_edition_holds_every_card_once(bundled, page: Page, serve_dir, watch_page) -> None:
    site, guide = bundled
    base = serve_dir(site)
    watch = watch_page(page, base)
    page.goto(base + ONE_PAGE)
    topics = page.locator("details.topic-card[data-card]")
    questions = page.locator("details.question-card[data-card]")
    assert topics.count() == len(guide.topics) == 95
    assert questions.count() == len(guide.questions) == 37
    assert topics.evaluate_all("cs => cs.map(c => c.id)") == [t.anchor for t in guide.topics]
    assert questions.evaluate_all("cs => cs.map(c => c.id)") == [q.anchor for q in guide.questions]
    assert page.evaluate(DUPLICATE_IDS) == []
    assert page.locator("figure.diagram").count() == sum(1 for d in guide.domains if d.diagram.source.strip())
    for p in guide.pages:
        expect(page.locator(f"#page-{p.slug}")).to_contain_text(p.title)
    assert page.locator(".sidebar").count() == 0  # sidebar-free
    # Links out go to the multi-page site: "open the domain page" and every tag chip.
    hrefs = page.locator("main a[href]").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert f"../{guide.domains[0].path}" in hrefs
    assert all(not h.startswith(("http", "/")) for h in hrefs)
    # A deep link to a card opens it here too.
    page.goto(base + ONE_PAGE + "#" + guide.questions[-1].anchor)
    expect(page.locator(f"#{guide.questions[-1].anchor}")).to_have_attribute("open", "")
    watch.failed_requests[:] = [f for f in watch.failed_requests if not f.endswith("net::ERR_ABORTED")]
    watch.assert_clean()


def test_one_page_edition_is_linked_from_home_and_footer(bundled, page: Page, serve_dir) -> None:
    site, guide = bundled
    base = serve_dir(site)
    page.goto(base)
    page.locator("main a[href='all/']").first.click()
    expect(page).to_have_url(base + ONE_PAGE)
    page.goto(base + guide.domains[0].path)
    page.locator(".site-footer a[href='../all/']").click()
    expect(page).to_have_url(base + ONE_PAGE)


@pytest.mark.parametrize("theme", ["dark", "light"])
@pytest.mark.parametrize("path", [ONE_PAGE, "interview/worksheet/", "interview/answers/"])
def test_editions_have_no_axe_violations(bundled, new_context, serve_dir, theme: str, path: str) -> None:
    site, _ = bundled
    base = serve_dir(site)
    context = new_context(color_scheme=theme, reduced_motion="reduce")
    page = context.new_page()
    page.goto(base + path)
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.getAttribute('data-theme')") == theme
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    assert axe_violations(page) == []


def test_one_page_edition_prints_every_card_open(bundled, page: Page, serve_dir) -> None:
    site, guide = bundled
    base = serve_dir(site)
    page.goto(base + ONE_PAGE)
    page.emulate_media(media="print")
    for chrome in (".site-header", ".site-footer", "[data-card-tools]"):
        expect(page.locator(chrome).first).to_be_hidden()
    last = guide.questions[-1]
    expect(page.locator(f"#{last.anchor} .answer-section").first).to_be_visible()
    expect(page.locator(f"#{guide.topics[-1].anchor} .card-body .prose")).to_be_visible()


def visible_sheet_questions(page: Page) -> list[str]:
    return page.locator(".sheet-question").evaluate_all(
        "qs => qs.filter(q => q.offsetParent !== null).map(q => q.id)")


def test_worksheet_prints_questions_without_answers(bundled, page: Page, serve_dir, watch_page) -> None:
    site, guide = bundled
    base = serve_dir(site)
    watch = watch_page(page, base)
    page.goto(base + "interview/worksheet/")
    expect(page.locator("[data-filter-status]")).to_have_text(f"Showing all {len(guide.questions)} questions")
    page.emulate_media(media="print")
    for chrome in (".site-header", ".site-footer", ".filters", "[data-filter-status]", ".sheet-actions"):
        expect(page.locator(chrome).first).to_be_hidden()
    assert visible_sheet_questions(page) == [q.anchor for q in guide.questions]
    for q in guide.questions:
        item = page.locator(f"#{q.anchor}")
        expect(item).to_contain_text(q.id)
        expect(item).to_contain_text(q.question)
        if q.badge:
            expect(item.locator(".badge")).to_have_text(q.badge)
    spaces = page.locator(".answer-space").evaluate_all("ss => ss.map(s => s.getBoundingClientRect().height)")
    assert len(spaces) == len(guide.questions) and min(spaces) > 100  # room to write
    text = page.locator("main").inner_text()
    for q in guide.questions:
        for section in q.sections:
            assert section.body.strip().splitlines()[0][:60] not in text  # no answer printed
    assert page.locator(".answer-section").count() == 0
    watch.assert_clean()


def test_answer_sheet_prints_the_answers(bundled, page: Page, serve_dir) -> None:
    site, guide = bundled
    base = serve_dir(site)
    page.goto(base + "interview/answers/")
    page.emulate_media(media="print")
    expect(page.locator("[data-filter-status]")).to_be_hidden()
    for q in guide.questions:
        item = page.locator(f"#{q.anchor}")
        expect(item.locator(".answer-section h4")).to_have_text([s.heading for s in q.sections])
        expect(item.locator(".answer-section .prose").first).to_be_visible()


def test_filters_decide_what_the_sheets_print(bundled, page: Page, serve_dir) -> None:
    site, guide = bundled
    base = serve_dir(site)
    group = guide.groups[1]
    page.goto(base + guide.interview.path)
    page.select_option("select[name=group]", group.slug)
    page.check("input[name=badge][value=critical]", force=True)
    expected = [q.anchor for q in group.questions if q.badge == "Critical"]
    assert expected, "the bundled guide has Critical questions in its second group"
    wanted = {"badge": ["critical"], "group": [group.slug]}
    page.locator(".print-links a[href*='worksheet/']").click()
    page.wait_for_url(f"{base}interview/worksheet/?*")
    assert parse_qs(urlsplit(page.url).query) == wanted
    page.emulate_media(media="print")
    assert visible_sheet_questions(page) == expected
    page.emulate_media(media="screen")
    page.locator(".sheet-actions a[href*='answers/']").click()
    page.wait_for_url(f"{base}interview/answers/?*")
    assert parse_qs(urlsplit(page.url).query) == wanted
    page.emulate_media(media="print")
    assert visible_sheet_questions(page) == expected
    expect(page.locator(f"#{expected[0]} .answer-section").first).to_be_visible()


def test_interview_page_prints_without_the_filter_status(bundled, page: Page, serve_dir) -> None:
    site, guide = bundled
    base = serve_dir(site)
    page.goto(base + guide.interview.path)
    expect(page.locator("[data-filter-status]")).to_have_text(f"Showing all {len(guide.questions)} questions")
    page.emulate_media(media="print")
    expect(page.locator("[data-filter-status]")).to_be_hidden()
    expect(page.locator(".print-links")).to_be_hidden()
