"""Search in a real browser: the built site, served on 127.0.0.1, driven through Chromium.

Every site is built once per module (the builds are the slow part on two cores): the mini fixture
with and without search, a mini copy with hostile content, and the bundled guide when its content
is present. Expectations come from the content model, not from copies of the content.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from helpers import BUNDLED_CONFIG, MINI
from playwright.sync_api import Page, expect

from studyguide.commands.build import build
from studyguide.content.loader import Loader

SEARCH = "[data-search-input]"
OPTIONS = "[data-search-results] [role=option]"
STATUS = "[data-search-status]"


@pytest.fixture(scope="module")
def mini_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("search") / "mini"
    build(MINI / "studyguide.yml", out, search=True)
    return out


@pytest.fixture(scope="module")
def mini_site_no_search(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("search") / "mini-no-search"
    build(MINI / "studyguide.yml", out, search=False)
    return out


@pytest.fixture(scope="module")
def bundled_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (BUNDLED_CONFIG.parent / "content").is_dir():
        pytest.skip("the bundled guide (content/) is not in this checkout")
    out = tmp_path_factory.mktemp("search") / "bundled"
    build(BUNDLED_CONFIG, out, search=True)
    return out


def search(page: Page, query: str) -> None:
    """Type `query` into the box like a user (the shortcut, then keystrokes)."""
    page.keyboard.press("/")
    expect(page.locator(SEARCH)).to_be_focused()
    page.keyboard.type(query)
    expect(page.locator(STATUS)).to_contain_text(f"for “{query}”")


def titles(page: Page) -> list[str]:
    return page.locator(f"{OPTIONS} .search-result-title").all_text_contents()


def titles_with_ids(page: Page) -> list[str]:
    return [" ".join(t.split()) for t in titles(page)]


# --- mini fixture -------------------------------------------------------------------------------


def test_typing_lists_topic_and_question_as_separate_results(page, serve_dir, watch_page, mini_site):
    base = serve_dir(mini_site)
    watch = watch_page(page, base)
    page.goto(base)
    search(page, "HyDE")
    found = titles_with_ids(page)
    assert "Query Rewriting / HyDE" in found
    assert "Q1 How do you improve retrieval with HyDE?" in found
    # Each result points at its card's anchor, not just its page.
    hrefs = page.locator(OPTIONS).evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert "/retrieval/#query-rewriting" in hrefs and "/interview/#q1" in hrefs
    # Where it lives, the badge, and a highlighted excerpt.
    topic = page.locator(OPTIONS, has_text="Query Rewriting / HyDE")
    expect(topic.locator(".search-result-where")).to_have_text("01 · Retrieval")
    question = page.locator(OPTIONS, has_text="Q1")
    expect(question.locator(".search-result-where")).to_contain_text("Interview · RAG")
    expect(question.locator(".badge")).to_have_text("Critical")
    expect(topic.locator(".search-result-excerpt mark").first).to_contain_text("HyDE")
    expect(page.locator(SEARCH)).to_have_attribute("aria-expanded", "true")
    watch.assert_clean()


def test_clicking_a_result_opens_scrolls_to_and_highlights_the_card(page, serve_dir, watch_page, mini_site):
    base = serve_dir(mini_site)
    watch = watch_page(page, base)
    page.goto(base + "agents/")  # another page than the card's
    search(page, "HyDE")
    page.locator(OPTIONS, has_text="Query Rewriting / HyDE").click()
    page.wait_for_url(base + "retrieval/#query-rewriting")
    card = page.locator("#query-rewriting")
    expect(card).to_have_js_property("open", True)
    expect(card).to_be_in_viewport()
    expect(card.locator("summary")).to_be_focused()
    # The highlight is brief: there on arrival, gone a few seconds later.
    assert "search-target" in (card.get_attribute("class") or "")
    expect(card).not_to_have_class(re.compile(r"\bsearch-target\b"), timeout=5000)
    watch.assert_clean()


def test_result_on_the_same_page_opens_the_card_without_reload(page, serve_dir, watch_page, mini_site):
    base = serve_dir(mini_site)
    watch = watch_page(page, base)
    page.goto(base + "interview/")
    page.evaluate("window.__samePage = true")
    search(page, "failure")
    page.locator(OPTIONS, has_text="Tell me about a failure").click()
    expect(page.locator("#b1")).to_have_js_property("open", True)
    assert page.url == base + "interview/#b1"
    assert page.evaluate("window.__samePage") is True  # no navigation happened
    # Choosing the same card again (hash unchanged) still reveals it.
    page.evaluate("document.getElementById('b1').open = false")
    search(page, "failure")
    page.keyboard.press("Enter")
    expect(page.locator("#b1")).to_have_js_property("open", True)
    watch.assert_clean()


def test_a_tag_finds_the_topic_that_carries_it(page, serve_dir, watch_page, mini_site):
    base = serve_dir(mini_site)
    watch = watch_page(page, base)
    page.goto(base)
    search(page, "Token bucket")
    assert titles_with_ids(page)[0] == "ReAct Pattern"
    watch.assert_clean()


def test_badge_filter_limits_questions_to_that_badge(page, serve_dir, watch_page, mini_site):
    guide = Loader().load(MINI / "studyguide.yml")
    critical = {q.id for q in guide.questions if q.badge == "Critical"}
    base = serve_dir(mini_site)
    watch = watch_page(page, base)
    page.goto(base)
    search(page, "HyDE")
    assert len(titles(page)) == 2  # the topic and Q1
    page.locator("[data-search-filter=badge]").select_option("Critical")
    expect(page.locator(OPTIONS)).to_have_count(1)
    # A filter alone (empty query) lists everything it matches: every Critical question, nothing else.
    page.locator(SEARCH).fill("")
    page.locator("[data-search-filter=badge]").select_option("Critical")
    expect(page.locator(OPTIONS)).to_have_count(len(critical))
    ids = set(page.locator(f"{OPTIONS} .question-id").all_text_contents())
    assert ids == critical
    badges = set(page.locator(f"{OPTIONS} .badge").all_text_contents())
    assert badges == {"Critical"}
    watch.assert_clean()


def test_kind_and_domain_filters(page, serve_dir, watch_page, mini_site):
    base = serve_dir(mini_site)
    watch = watch_page(page, base)
    page.goto(base)
    search(page, "HyDE")
    page.locator("[data-search-filter=kind]").select_option("question")
    expect(page.locator(OPTIONS)).to_have_count(1)
    expect(page.locator(OPTIONS)).to_have_attribute("data-kind", "question")
    page.locator("[data-search-filter=kind]").select_option("")
    page.locator("[data-search-filter=place]").select_option("domain:Retrieval")
    expect(page.locator(OPTIONS)).to_have_count(1)
    expect(page.locator(OPTIONS)).to_have_attribute("href", "/retrieval/#query-rewriting")
    page.locator("[data-search-filter=place]").select_option("domain:Agents")
    expect(page.locator(STATUS)).to_have_text("No results for “HyDE”.")
    watch.assert_clean()


def test_search_works_under_a_sub_path(page, serve_dir, watch_page, mini_site):
    base = serve_dir(mini_site, prefix="/some/sub/path/")
    watch = watch_page(page, base)
    page.goto(base + "interview/")
    search(page, "HyDE")
    href = page.locator(OPTIONS, has_text="Query Rewriting").get_attribute("href")
    assert href == "/some/sub/path/retrieval/#query-rewriting"
    page.locator(OPTIONS, has_text="Query Rewriting").click()
    page.wait_for_url(base + "retrieval/#query-rewriting")
    expect(page.locator("#query-rewriting")).to_have_js_property("open", True)
    page.wait_for_load_state("networkidle")  # let the diagram renderer finish loading first
    # And from the home page (a different relative root).
    page.goto(base)
    search(page, "Token bucket")
    assert page.locator(OPTIONS).first.get_attribute("href") == "/some/sub/path/agents/#react-pattern"
    watch.assert_clean()


def test_keyboard_only_search(page, serve_dir, watch_page, mini_site):
    base = serve_dir(mini_site)
    watch = watch_page(page, base)
    page.goto(base)
    page.keyboard.press("Control+k")
    box = page.locator(SEARCH)
    expect(box).to_be_focused()
    page.keyboard.type("HyDE")
    expect(page.locator(OPTIONS)).to_have_count(2)
    page.keyboard.press("ArrowDown")
    first = page.locator(OPTIONS).nth(0)
    expect(box).to_have_attribute("aria-activedescendant", first.get_attribute("id") or "")
    expect(first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowDown")
    second = page.locator(OPTIONS).nth(1)
    expect(box).to_have_attribute("aria-activedescendant", second.get_attribute("id") or "")
    expect(first).to_have_attribute("aria-selected", "false")
    page.keyboard.press("ArrowDown")  # wraps around
    expect(box).to_have_attribute("aria-activedescendant", first.get_attribute("id") or "")
    page.keyboard.press("ArrowUp")
    target = second.get_attribute("href") or ""
    anchor = target.split("#")[1]
    expect(box).to_be_focused()  # focus never left the input
    page.keyboard.press("Escape")
    expect(page.locator("[data-search-panel]")).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("ArrowDown")  # reopens with the same results
    expect(page.locator(OPTIONS)).to_have_count(2)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{target}")
    card = page.locator(f"#{anchor}")
    expect(card).to_have_js_property("open", True)
    expect(card.locator("summary")).to_be_focused()  # keyboard users continue from the card
    watch.assert_clean()


def test_slash_in_a_text_field_types_a_slash(page, serve_dir, mini_site):
    base = serve_dir(mini_site)
    page.goto(base)
    page.locator(SEARCH).click()
    page.keyboard.type("a/b")
    expect(page.locator(SEARCH)).to_have_value("a/b")


def test_excerpts_cannot_inject_markup(page, serve_dir, watch_page, tmp_path):
    project = tmp_path / "hostile"
    shutil.copytree(MINI, project)
    topic = project / "content" / "domains" / "01-retrieval" / "03-hostile.md"
    topic.write_text("---\ntitle: Hostile <b>title</b>\nsubtitle: x\ntags: [zebra]\n---\n"
                     "Zebra text <img src=x onerror=\"window.__xss=1\"> and <script>window.__xss=2</script> "
                     "&lt;T&gt; zebra.\n", encoding="utf-8")
    build(project / "studyguide.yml", tmp_path / "site", search=True)
    base = serve_dir(tmp_path / "site")
    watch = watch_page(page, base)
    page.goto(base)
    search(page, "zebra")
    result = page.locator(OPTIONS).first
    expect(result.locator(".search-result-title")).to_have_text("Hostile <b>title</b>")
    excerpt = result.locator(".search-result-excerpt")
    expect(excerpt).to_contain_text('<img src=x onerror="window.__xss=1">')
    expect(excerpt).to_contain_text("<script>window.__xss=2</script>")
    assert result.locator("img, script, b").count() == 0
    assert excerpt.locator("mark").count() >= 1
    assert page.evaluate("window.__xss") is None
    watch.assert_clean()


def test_open_results_pass_axe(page, serve_dir, watch_page, mini_site):
    from axe_playwright_python.sync_playwright import Axe

    base = serve_dir(mini_site)
    watch = watch_page(page, base)
    page.goto(base + "retrieval/")
    search(page, "HyDE")
    page.keyboard.press("ArrowDown")
    for theme in ("dark", "light"):
        page.evaluate(f"document.documentElement.dataset.theme = '{theme}'")
        results = Axe().run(page, context={"include": [["[data-search]"]]})
        assert results.violations_count == 0, results.generate_report()
    watch.assert_clean()


def test_no_search_build_has_no_index_and_says_so(page, serve_dir, watch_page, mini_site_no_search):
    assert not (mini_site_no_search / "pagefind").exists()
    base = serve_dir(mini_site_no_search)
    watch = watch_page(page, base)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(base)
    box = page.locator(SEARCH)
    expect(box).to_be_visible()
    expect(box).to_have_attribute("placeholder", "Search is off")
    page.keyboard.press("/")
    expect(box).to_be_focused()
    expect(page.locator(STATUS)).to_be_visible()
    expect(page.locator(STATUS)).to_contain_text("Search is off")
    expect(page.locator(STATUS)).to_contain_text("--no-search")
    page.keyboard.type("HyDE")
    expect(page.locator(OPTIONS)).to_have_count(0)
    assert not [u for u in requests if "pagefind" in u]
    watch.assert_clean()


def test_file_url_explains_that_search_needs_a_server(page, mini_site):
    page.goto((mini_site / "index.html").as_uri())
    page.keyboard.press("/")
    expect(page.locator(SEARCH)).to_be_focused()
    expect(page.locator(STATUS)).to_be_visible()
    expect(page.locator(STATUS)).to_contain_text("studyguide serve")


# --- the bundled guide ----------------------------------------------------------------------------


def test_bundled_hyde_finds_topic_and_q8_and_opens_the_card(page, serve_dir, watch_page, bundled_site):
    guide = Loader().load(BUNDLED_CONFIG)
    rag = next(d for d in guide.domains if any(t.title == "Query Rewriting / HyDE" for t in d.topics))
    topic = next(t for t in rag.topics if t.title == "Query Rewriting / HyDE")
    q8 = next(q for q in guide.questions if q.id == "Q8")
    base = serve_dir(bundled_site)
    watch = watch_page(page, base)
    page.goto(base)
    search(page, "HyDE")
    found = titles_with_ids(page)
    assert "Query Rewriting / HyDE" in found
    assert f"Q8 {q8.question}" in found
    page.locator(OPTIONS, has_text="Query Rewriting / HyDE").click()
    page.wait_for_url(f"{base}{rag.path}#{topic.anchor}")
    card = page.locator(f"#{topic.anchor}")
    expect(card).to_have_js_property("open", True)
    expect(card).to_be_in_viewport()
    watch.assert_clean()


def test_bundled_tag_and_badge_filter(page, serve_dir, watch_page, bundled_site):
    guide = Loader().load(BUNDLED_CONFIG)
    carriers = {t.title for t in guide.topics if "Token bucket" in t.tags}
    critical = {q.id for q in guide.questions if q.badge == "Critical"}
    base = serve_dir(bundled_site)
    watch = watch_page(page, base)
    page.goto(base)
    search(page, "Token bucket")
    assert carriers and carriers <= set(titles(page)[:5])
    page.locator(SEARCH).fill("")
    page.locator("[data-search-filter=badge]").select_option("Critical")
    expect(page.locator(OPTIONS)).to_have_count(min(len(critical), 20))
    assert set(page.locator(f"{OPTIONS} .badge").all_text_contents()) == {"Critical"}
    assert set(page.locator(f"{OPTIONS} .question-id").all_text_contents()) <= critical
    watch.assert_clean()
