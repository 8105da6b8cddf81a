"""The reading experience in real Chromium: theme, cards, diagrams, filters, accessibility.

The fixture guide (and the bundled guide, when its content is in the checkout) is built once per
module with ``--no-search`` and served on 127.0.0.1 by ``serve_dir``. Expectations come from the
content model (Loader), never from copies of the content. Screenshots of every page type at
desktop and phone width land in ``screenshots/`` (git-ignored) for a human to look at.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from helpers import BUNDLED_CONFIG, MINI, REPO
from playwright.sync_api import Page, expect

from studyguide.commands.build import build
from studyguide.content.loader import Loader
from studyguide.content.model import Guide

SCREENSHOTS = REPO / "screenshots"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 360, "height": 780}

# Every figure that can be seen has been drawn (at build time, or in the browser), or has failed
# and shows its source.
DIAGRAMS_SETTLED = """() => [...document.querySelectorAll('figure.diagram')]
    .filter(f => !f.closest('details:not([open])'))
    .every(f => ['is-drawn', 'is-rendered', 'is-failed'].some(c => f.classList.contains(c)))"""

# Per visible diagram: SVG size, and the luminance of its first node's fill (theme check). A figure
# drawn at build time holds an SVG per theme: the one shown is the one measured. Its SVGs are never
# redrawn, so "old" (set before a toggle to wait for browser redraws) does not apply to them.
DIAGRAM_STATE = """() => [...document.querySelectorAll('figure.diagram')]
    .filter(f => !f.closest('details:not([open])')).map(f => {
        const frame = [...f.querySelectorAll('.diagram-render')].find(h => h.offsetParent !== null);
        const svg = frame && frame.querySelector('svg');
        const r = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
        const shape = svg && svg.querySelector('.node rect, .node polygon, .node path, rect.actor');
        let lum = null;
        if (shape) {
            const m = getComputedStyle(shape).fill.match(/[\\d.]+/g);
            if (m) lum = (0.2126 * m[0] + 0.7152 * m[1] + 0.0722 * m[2]) / 255;
        }
        return {failed: f.classList.contains('is-failed'), svg: !!svg, width: r.width,
                height: r.height, lum, text: svg ? svg.textContent : '', drawn: f.classList.contains('is-drawn'),
                old: !!(svg && svg.dataset.old) && !f.classList.contains('is-drawn')};
    })"""

OPEN_ALL = "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"


# ---- Sites ------------------------------------------------------------------------------------


def _build(config: Path, out: Path) -> tuple[Path, Guide]:
    build(config, out, search=False)
    return out, Loader().load(config)


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Guide]:
    """The fixture guide with the `browser` renderer: diagrams.js draws its diagrams (the bundled
    guide below is drawn at build time; tests/test_diagrams_browser.py covers that path)."""
    project = tmp_path_factory.mktemp("theme") / "mini-project"
    shutil.copytree(MINI, project)
    config = project / "studyguide.yml"
    config.write_text(config.read_text() + "diagrams:\n  renderer: browser\n")
    return _build(config, tmp_path_factory.mktemp("theme") / "mini")


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Guide]:
    if not BUNDLED_CONFIG.is_file() or not (BUNDLED_CONFIG.parent / "content").is_dir():
        pytest.skip("the bundled guide (studyguide.yml + content/) is not in this checkout")
    return _build(BUNDLED_CONFIG, tmp_path_factory.mktemp("theme") / "bundled")


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Guide]:
    """The fixture guide with one domain diagram that Mermaid cannot parse."""
    project = tmp_path_factory.mktemp("theme") / "broken"
    shutil.copytree(MINI, project)
    config = project / "studyguide.yml"
    config.write_text(config.read_text() + "diagrams:\n  renderer: browser\n")
    (project / "content/domains/01-retrieval/diagram.mmd").write_text(
        "flowchart LR\n    A[\"Query\"] --> --> B((\n", encoding="utf-8")
    return _build(project / "studyguide.yml", project / "site")


def page_paths(guide: Guide) -> dict[str, str]:
    """One URL (relative to the site root) per page type."""
    paths = {"home": "", "domain": guide.domains[0].path, "practice": "practice/", "tags": "tags/", "404": "404.html"}
    if guide.interview:
        paths["interview"] = guide.interview.path
    if guide.pages:
        paths["page"] = guide.pages[0].path
    return paths


def all_paths(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix().removesuffix("index.html") for p in site.rglob("*.html")
                  if "assets" not in p.parts)


def settle(page: Page) -> None:
    page.wait_for_function(DIAGRAMS_SETTLED, timeout=20_000)


def theme_of(page: Page) -> str:
    return page.evaluate("document.documentElement.getAttribute('data-theme')")


def luminance(page: Page, selector: str = "body") -> float:
    return page.evaluate("""sel => { const m = getComputedStyle(document.querySelector(sel))
        .backgroundColor.match(/[\\d.]+/g); return (0.2126 * m[0] + 0.7152 * m[1] + 0.0722 * m[2]) / 255; }""",
                         selector)


def assert_clean(watch) -> None:
    """``watch.assert_clean()``, minus requests the browser cancelled because the test moved on.

    A test that navigates right after ``load`` cancels the favicon fetch (it starts after load);
    ERR_ABORTED means "cancelled", never "missing" (that is an HTTP error, still reported).
    """
    watch.failed_requests[:] = [f for f in watch.failed_requests if not f.endswith("net::ERR_ABORTED")]
    watch.assert_clean()


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


# ---- Every page: clean, Mermaid only where needed, every diagram drawn in both themes ---------------


@pytest.mark.parametrize("site_name", ["mini", "bundled"])
def test_every_page_clean_and_every_diagram_drawn_in_both_themes(
        site_name, request, new_context, serve_dir, watch_page):
    site, guide = request.getfixturevalue(site_name)
    base = serve_dir(site)
    context = new_context(viewport=DESKTOP, color_scheme="dark")
    page = context.new_page()
    mermaid_requests: list[str] = []
    page.on("request", lambda r: mermaid_requests.append(r.url) if "mermaid.min.js" in r.url else None)
    watch = watch_page(page, base)
    drawn = 0
    for path in all_paths(site):
        mermaid_requests.clear()
        page.goto(base + path)
        if path == "practice/":  # its cards (and their diagrams' scripts) arrive from practice/cards.html
            page.wait_for_function("() => performance.getEntriesByName('studyguide:practice-ready').length > 0")
        figures = page.locator("figure.diagram").count()
        if not figures:
            page.wait_for_load_state("load")
            assert not mermaid_requests, f"/{path} has no diagram but loaded Mermaid"
            assert page.locator("script[src*='diagrams.js']").count() == 0, path
            continue
        if path == "practice/":  # every practice card shown at once: their answers' diagrams too
            page.evaluate("document.querySelectorAll('[data-practice-card]').forEach(a => { a.hidden = false; })")
        page.evaluate(OPEN_ALL)  # diagrams inside cards too
        settle(page)
        in_browser = page.locator("figure.diagram:not(.is-drawn)").count()
        assert len(mermaid_requests) == (1 if in_browser else 0), (path, mermaid_requests)
        first = theme_of(page)
        for theme in (first, "light" if first == "dark" else "dark"):
            if theme != first:
                page.evaluate("document.querySelectorAll('.diagram-render svg').forEach(s => s.dataset.old = 1)")
                page.click("[data-theme-toggle]")
                page.wait_for_function(f"""() => ({DIAGRAM_STATE})().every(d => d.failed || (d.svg && !d.old))""",
                                       timeout=20_000)
            assert theme_of(page) == theme
            state = page.evaluate(DIAGRAM_STATE)
            assert len(state) == figures, path
            for d in state:
                assert not d["failed"] and d["svg"], f"/{path}: a diagram was not drawn in the {theme} theme"
                assert d["width"] > 0 and d["height"] > 0, (path, theme, d)
                assert d["text"].strip(), (path, theme, "empty diagram")
                if d["lum"] is not None:  # node colours follow the theme
                    assert (d["lum"] > 0.6) if theme == "light" else (d["lum"] < 0.35), (path, theme, d["lum"])
            drawn += len(state)
    expected = sum(1 for d in guide.domains if d.diagram.source.strip())
    assert drawn >= 2 * expected  # every domain diagram, in both themes
    assert_clean(watch)


# ---- Theme ----------------------------------------------------------------------------------------


FIRST_FRAME = """requestAnimationFrame(() => {
    window.__firstFrame = {theme: document.documentElement.getAttribute('data-theme'),
                           bg: getComputedStyle(document.documentElement).backgroundColor};
});"""


def test_theme_follows_system_toggle_overrides_and_persists(mini, new_context, serve_dir, watch_page):
    site, guide = mini
    base = serve_dir(site)
    context = new_context(viewport=DESKTOP, color_scheme="light")
    context.add_init_script(FIRST_FRAME)
    page = context.new_page()
    watch = watch_page(page, base)
    page.goto(base)
    assert theme_of(page) == "light" and luminance(page) > 0.8
    toggle = page.locator("[data-theme-toggle]")
    expect(toggle).to_have_attribute("aria-label", "Switch to dark theme")
    toggle.click()
    assert theme_of(page) == "dark" and luminance(page) < 0.1
    expect(toggle).to_have_attribute("aria-label", "Switch to light theme")
    assert page.evaluate("localStorage.getItem('studyguide-theme')") == "dark"
    # The saved choice beats the system preference, from the very first frame (no flash) — even
    # when the theme script is slow to arrive: nothing may be painted before it has run.
    def slow(route):
        time.sleep(0.4)
        route.continue_()

    page.route("**/theme-init.js*", slow)
    page.goto(base + guide.domains[0].path)
    first = page.evaluate("window.__firstFrame")
    assert first["theme"] == "dark", first
    assert first["bg"] == page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert theme_of(page) == "dark"
    settle(page)
    # Without a saved choice the page follows the system, live.
    page.evaluate("localStorage.removeItem('studyguide-theme')")
    page.reload()
    assert theme_of(page) == "light"
    page.emulate_media(color_scheme="dark")
    page.wait_for_function("() => document.documentElement.getAttribute('data-theme') === 'dark'")
    settle(page)
    assert_clean(watch)


def test_theme_script_runs_before_the_stylesheet(mini):
    """No flash: the synchronous theme script comes before any stylesheet, and no script is inline."""
    site, _ = mini
    for path in all_paths(site):
        html = (site / (path + "index.html" if not path.endswith(".html") else path)).read_text("utf-8")
        head = html.split("</head>")[0]
        init = head.index("js/theme-init.js")
        assert init < head.index('rel="stylesheet"'), path
        tag = head[head.rindex("<script", 0, init):head.index(">", init)]
        assert "defer" not in tag and "async" not in tag, path
        # The CSP forbids inline scripts; JSON data blocks (JSON-LD) are not scripts and may stay.
        for attrs in re.findall(r"<script\b([^>]*)>", html):
            assert "src=" in attrs or re.search(r'type="application/(ld\+)?json"', attrs), (path, attrs)


# ---- Cards ------------------------------------------------------------------------------------------


def test_cards_open_and_close_by_mouse_and_keyboard(mini, page, serve_dir, watch_page):
    site, guide = mini
    base = serve_dir(site)
    watch = watch_page(page, base)
    page.set_viewport_size(DESKTOP)
    domain = guide.domains[0]
    page.goto(base + domain.path)
    card = page.locator(f"#{domain.topics[0].anchor}")
    summary = card.locator("summary")
    body_text = card.locator(".card-body p").first
    expect(body_text).to_be_hidden()
    summary.click()
    expect(card).to_have_attribute("open", "")
    expect(body_text).to_be_visible()
    summary.click()
    expect(card).not_to_have_attribute("open", "")
    # Keyboard: Tab onto the summary shows a focus ring; Enter and Space toggle.
    page.locator("[data-collapse-all]").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement === document.querySelector('details[data-card] > summary')")
    ring = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return {visible: document.activeElement.matches(':focus-visible'), style: s.outlineStyle,
                width: parseFloat(s.outlineWidth)}; }""")
    assert ring["visible"] and ring["style"] == "solid" and ring["width"] >= 2, ring
    page.keyboard.press("Enter")
    expect(card).to_have_attribute("open", "")
    page.keyboard.press("Space")
    expect(card).not_to_have_attribute("open", "")
    assert_clean(watch)


def test_skip_link_is_first_and_moves_focus_to_main(mini, page, serve_dir):
    site, _ = mini
    page.goto(serve_dir(site))
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box and box["y"] >= 0, "the focused skip link must be on screen"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_deep_link_opens_card_and_scrolls_to_it(mini, page, serve_dir, watch_page):
    site, guide = mini
    base = serve_dir(site)
    watch = watch_page(page, base)
    page.set_viewport_size({"width": 1280, "height": 600})
    domain = guide.domains[0]
    first, last = domain.topics[0].anchor, domain.topics[-1].anchor
    page.goto(f"{base}{domain.path}#{last}")
    settle(page)  # the diagram above the card has been drawn: the card must still be in view
    card = page.locator(f"#{last}")
    expect(card).to_have_attribute("open", "")
    top = card.evaluate("c => c.getBoundingClientRect().top")
    assert 0 <= top < 300, f"deep-linked card not scrolled into view (top={top})"
    assert page.locator(f"#{first}").get_attribute("open") is None
    # hashchange, as from the sidebar's topic list
    page.locator(f".sidebar-sub a[href='#{first}']").click()
    expect(page.locator(f"#{first}")).to_have_attribute("open", "")
    assert 0 <= page.locator(f"#{first}").evaluate("c => c.getBoundingClientRect().top") < 300
    # A question hidden by a filter: the filter gives way so the linked card can show.
    q = next(q for q in guide.questions if q.badge == "Critical")
    page.goto(f"{base}{guide.interview.path}?badge=bonus#{q.anchor}")
    expect(page.locator(f"#{q.anchor}")).to_be_visible()
    expect(page.locator(f"#{q.anchor}")).to_have_attribute("open", "")
    assert_clean(watch)


def test_expand_all_and_collapse_all(mini, page, serve_dir, watch_page):
    site, guide = mini
    base = serve_dir(site)
    watch = watch_page(page, base)
    page.goto(base + guide.domains[0].path)
    cards = page.locator("details[data-card]")
    page.click("[data-expand-all]")
    assert cards.evaluate_all("cs => cs.every(c => c.open)")
    page.click("[data-collapse-all]")
    assert cards.evaluate_all("cs => cs.every(c => !c.open)")
    # On the interview page, "expand all" opens only what the filter shows.
    page.goto(base + guide.interview.path + "?badge=critical")
    page.click("[data-expand-all]")
    opened = page.locator("details[data-card][open]").evaluate_all("cs => cs.map(c => c.id)")
    assert opened == [q.anchor for q in guide.questions if q.badge == "Critical"]
    settle(page)
    assert_clean(watch)


@pytest.mark.parametrize("clipboard", ["granted", "denied", "missing"])
def test_copy_link(clipboard, mini, new_context, serve_dir, watch_page):
    site, guide = mini
    base = serve_dir(site)
    context = new_context(viewport=DESKTOP)
    if clipboard == "granted":
        context.grant_permissions(["clipboard-read", "clipboard-write"])
    if clipboard == "missing":
        context.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
    page = context.new_page()
    watch = watch_page(page, base)
    domain = guide.domains[0]
    anchor = domain.topics[0].anchor
    page.goto(base + domain.path)
    card = page.locator(f"#{anchor}")
    card.locator("summary").click()
    link = card.locator("[data-copy-link]")
    expect(link.locator("[data-copy-label]")).to_have_text("Copy link")
    expect(link).to_have_accessible_name(f"Copy link ({domain.topics[0].title})")
    link.click()
    expect(page.locator("[data-toast]")).to_have_text(re.compile("Link copied|Link is in the address bar"))
    assert page.url == f"{base}{domain.path}#{anchor}"
    if clipboard == "granted":
        expect(page.locator("[data-toast]")).to_have_text("Link copied")
        assert page.evaluate("navigator.clipboard.readText()") == f"{base}{domain.path}#{anchor}"
    settle(page)
    assert_clean(watch)


# ---- Interview filters ---------------------------------------------------------------------------


def visible_questions(page: Page) -> list[str]:
    return page.locator("details[data-card]").evaluate_all(
        "cs => cs.filter(c => !c.closest('[hidden]')).map(c => c.id)")


def test_interview_filters_without_reload_and_in_the_url(mini, page, serve_dir, watch_page):
    site, guide = mini
    base = serve_dir(site)
    watch = watch_page(page, base)
    url = base + guide.interview.path
    page.goto(url)
    everything = [q.anchor for q in guide.questions]
    assert visible_questions(page) == everything
    page.evaluate("window.__same = true")  # survives only if no reload happens

    page.locator("label.chip", has_text="Critical").click()
    critical = [q.anchor for q in guide.questions if q.badge == "Critical"]
    assert visible_questions(page) == critical
    assert page.url == url + "?badge=critical"
    expect(page.locator("[data-filter-status]")).to_have_text(f"Showing {len(critical)} of {len(everything)} questions")

    group = guide.interview.groups[-1]
    page.select_option("#group-filter", group.slug)
    assert page.url == f"{url}?badge=critical&group={group.slug}"
    expected = [q.anchor for q in group.questions if q.badge == "Critical"]
    assert visible_questions(page) == expected
    for g in guide.interview.groups:  # a group with nothing to show is hidden with its heading
        assert page.locator(f"#{g.anchor}").is_visible() == (g.slug == group.slug and bool(expected))
    expect(page.locator("[data-filter-empty]")).to_be_visible(visible=not expected)
    assert page.evaluate("window.__same") is True

    # Restored from the URL on load.
    bonus_group = next(g for g in guide.interview.groups if any(q.badge == "Bonus" for q in g.questions))
    page.goto(f"{url}?badge=bonus&group={bonus_group.slug}")
    assert visible_questions(page) == [q.anchor for q in bonus_group.questions if q.badge == "Bonus"]
    expect(page.locator("input[name=badge][value=bonus]")).to_be_checked()
    expect(page.locator("#group-filter")).to_have_value(bonus_group.slug)

    # "All" clears the badge filter and the URL follows.
    page.locator("label.chip", has_text="All").click()
    page.select_option("#group-filter", "")
    assert page.url == url and visible_questions(page) == everything

    # Unknown values are ignored rather than hiding everything.
    page.goto(f"{url}?badge=nope&group=nope")
    assert visible_questions(page) == everything
    assert_clean(watch)


def test_filter_with_no_match_offers_a_reset(mini, page, serve_dir):
    site, guide = mini
    base = serve_dir(site)
    groups = guide.interview.groups
    empty = next(((b, g) for g in groups for b in ("critical", "important", "bonus")
                  if not any((q.badge or "").lower() == b for q in g.questions)
                  and any((q.badge or "").lower() == b for q in guide.questions)), None)
    assert empty, "the fixture needs a badge/group pair with no question"
    badge, group = empty
    page.goto(f"{base}{guide.interview.path}?badge={badge}&group={group.slug}")
    assert visible_questions(page) == []
    expect(page.locator("[data-filter-empty]")).to_be_visible()
    page.locator("[data-filter-reset]").click()
    assert visible_questions(page) == [q.anchor for q in guide.questions]
    assert page.url == base + guide.interview.path


# ---- Tags -------------------------------------------------------------------------------------------


def test_tag_chips_and_tags_page_links_resolve(mini, page, serve_dir, watch_page):
    site, guide = mini
    base = serve_dir(site)
    watch = watch_page(page, base)
    domain = guide.domains[0]
    topic = domain.topics[0]
    page.goto(f"{base}{domain.path}#{topic.anchor}")
    chip = page.locator(f"#{topic.anchor} a.tag").first
    expect(chip).to_have_text(topic.tags[0])
    chip.click()
    page.wait_for_url(re.compile(r"/tags/#tag-"))
    entry = page.locator(".tag-entry:target")
    expect(entry).to_be_visible()
    expect(entry.locator(".tag-name")).to_contain_text(topic.tags[0])
    # Every link on the tags page leads to a card that exists, and opens it.
    links = page.locator(".tag-topic a").evaluate_all("as => as.map(a => a.href)")
    assert len(links) == sum(len(t.tags) for t in guide.topics)
    ids_by_page: dict[str, list[str]] = {}
    for href in links:
        url, anchor = href.split("#")
        if url not in ids_by_page:
            page.goto(url)
            ids_by_page[url] = page.locator("details[data-card]").evaluate_all("cs => cs.map(c => c.id)")
        assert anchor in ids_by_page[url], href
    page.goto(base + "tags/")
    first_link = page.locator(".tag-topic a").first
    target = first_link.get_attribute("href").split("#")[1]
    first_link.click()
    expect(page.locator(f"#{target}")).to_have_attribute("open", "")
    settle(page)
    assert_clean(watch)


# ---- Diagrams -------------------------------------------------------------------------------------


def test_diagram_in_a_closed_card_is_drawn_when_opened(mini, page, serve_dir, watch_page):
    site, guide = mini
    base = serve_dir(site)
    watch = watch_page(page, base)
    page.set_viewport_size(DESKTOP)
    domain, topic = next((d, t) for d in guide.domains for t in d.topics if "```mermaid" in t.body)
    page.goto(base + domain.path)
    settle(page)
    card = page.locator(f"#{topic.anchor}")
    card.locator("summary").click()
    svg = card.locator(".diagram-render svg")
    expect(svg).to_be_visible(timeout=15_000)
    # Measured correctly: every label has a size and sits inside its node's shape.
    nodes = svg.evaluate("""s => [...s.querySelectorAll('.node')].map(n => {
        const shape = n.querySelector('rect, polygon, path').getBoundingClientRect();
        const label = n.querySelector('.nodeLabel, .label').getBoundingClientRect();
        return {sw: shape.width, lw: label.width, lh: label.height,
                inside: label.left >= shape.left - 1 && label.right <= shape.right + 1};
    })""")
    assert nodes, "no nodes drawn"
    for n in nodes:
        assert n["lw"] > 0 and n["lh"] > 0 and n["inside"], n
    assert_clean(watch)


def test_diagram_theme_swap_never_leaves_a_blank_box(mini, page, serve_dir, watch_page):
    site, guide = mini
    base = serve_dir(site)
    watch = watch_page(page, base)
    page.goto(base + guide.domains[0].path)
    settle(page)
    page.evaluate("""() => {
        window.__blank = 0;
        const holder = document.querySelector('figure.diagram .diagram-render');
        new MutationObserver(() => { if (!holder.querySelector('svg')) window.__blank++; })
            .observe(holder, {childList: true, subtree: true});
        holder.querySelector('svg').dataset.old = 1;
    }""")
    page.click("[data-theme-toggle]")
    page.wait_for_function("() => !document.querySelector('figure.diagram svg').dataset.old", timeout=15_000)
    page.click("[data-theme-toggle]")  # and back, quickly twice more
    page.click("[data-theme-toggle]")
    page.wait_for_timeout(300)
    settle(page)
    assert page.evaluate("window.__blank") == 0
    assert page.locator("figure.diagram .diagram-render svg").count() == 1
    assert_clean(watch)


def test_broken_diagram_shows_source_and_error(broken, page, serve_dir, watch_page):
    site, guide = broken
    base = serve_dir(site)
    watch = watch_page(page, base)
    page.goto(base + guide.domains[0].path)
    settle(page)
    figure = page.locator("figure.diagram").first
    expect(figure).to_have_class(re.compile("is-failed"))
    expect(figure.locator(".diagram-error")).to_contain_text("could not be drawn")
    expect(figure.locator("pre.mermaid")).to_be_visible()
    expect(figure.locator("pre.mermaid")).to_contain_text('A["Query"] --> -->')
    assert figure.locator("svg").count() == 0
    # The other domain's diagram is unaffected.
    page.goto(base + guide.domains[1].path)
    settle(page)
    expect(page.locator("figure.diagram .diagram-render svg")).to_be_visible()
    assert not watch.page_errors and not watch.console_errors


def test_mermaid_that_fails_to_load_leaves_the_source_readable(mini, page, serve_dir):
    site, guide = mini
    base = serve_dir(site)
    page.route("**/mermaid.min.js*", lambda route: route.abort())
    page.goto(base + guide.domains[0].path)
    settle(page)
    figure = page.locator("figure.diagram").first
    expect(figure.locator(".diagram-error")).to_be_visible()
    expect(figure.locator("pre.mermaid")).to_contain_text(guide.domains[0].diagram.source.split("\n")[1].strip())


# ---- Without JavaScript, print, phones, motion ---------------------------------------------------------


def test_without_javascript_everything_is_readable(mini, new_context, serve_dir):
    site, guide = mini
    base = serve_dir(site)
    context = new_context(java_script_enabled=False, color_scheme="light", viewport=PHONE)
    page = context.new_page()
    domain = guide.domains[0]
    page.goto(base + domain.path)
    assert theme_of(page) is None and luminance(page) > 0.8  # CSS follows the system theme
    topic = domain.topics[0]
    card = page.locator(f"#{topic.anchor}")
    card.locator("summary").click()
    expect(card.locator(".card-body")).to_be_visible()
    first_words = " ".join(topic.body.split()[:1]).strip("*")
    expect(card.locator(".card-body")).to_contain_text(first_words)
    source = page.locator("figure.diagram pre.mermaid").first
    expect(source).to_be_visible()
    expect(source).to_contain_text(domain.diagram.source.split("\n")[1].strip())
    expect(page.locator("[data-card-tools]").first).to_be_hidden()
    expect(page.locator("[data-theme-toggle]")).to_be_hidden()
    expect(page.locator("#site-nav")).to_be_visible()  # the contents follow the page on phones
    page.locator("[data-menu-toggle]").click()  # and "Menu" jumps to them
    assert page.url.endswith("#site-nav")
    page.goto(base + guide.interview.path)
    expect(page.locator("[data-filters]")).to_be_hidden()
    assert len(visible_questions(page)) == len(guide.questions)
    q = page.locator("details[data-card]").last
    q.locator("summary").click()
    expect(q.locator(".answer-section h3").first).to_be_visible()


def test_print_shows_every_card_open_without_chrome(mini, page, serve_dir):
    site, guide = mini
    base = serve_dir(site)
    page.goto(base + guide.domains[0].path)
    settle(page)
    page.emulate_media(media="print")
    for chrome in (".site-header", ".sidebar", ".site-footer", ".pager", "[data-card-tools]"):
        expect(page.locator(chrome).first).to_be_hidden()
    closed = page.locator("details[data-card]:not([open]) .card-body p").first
    expect(closed).to_be_visible()  # printed open even if never opened
    expect(page.locator("figure.diagram .diagram-render svg").first).to_be_visible()
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator("details[data-card]").evaluate_all("cs => cs.every(c => c.open)")
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert page.locator("details[data-card]").evaluate_all("cs => cs.every(c => !c.open)")


def test_phone_menu_drawer_and_diagram_fit(bundled_or_mini, new_context, serve_dir, watch_page):
    site, guide = bundled_or_mini
    base = serve_dir(site)
    context = new_context(viewport=PHONE, has_touch=True)
    page = context.new_page()
    watch = watch_page(page, base)
    # The widest diagram of the guide.
    domain = max(guide.domains, key=lambda d: max(len(line) for line in d.diagram.source.splitlines()))
    page.goto(base + domain.path)
    settle(page)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    fig = page.locator("figure.diagram").first.evaluate("""f => {
        const h = [...f.querySelectorAll('.diagram-render')].find(h => h.offsetParent !== null);
        const r = f.getBoundingClientRect(); return {left: r.left, right: r.right,
        scrolls: h.scrollWidth > h.clientWidth, focusable: h.tabIndex === 0}; }""")
    assert fig["left"] >= 0 and fig["right"] <= PHONE["width"], fig
    if page.locator("figure.diagram.is-drawn").count():
        pass  # drawn at build time: fitted to the width, "Full size" scrolls (test_diagrams_browser.py)
    elif fig["scrolls"]:  # a wide diagram scrolls sideways, reachable by keyboard, never clipped
        assert fig["focusable"], fig
        zoom = page.locator(".diagram-zoom").first
        expect(zoom).to_have_text("Full size")
        zoom.click()
        expect(zoom).to_have_attribute("aria-pressed", "true")
        width = page.evaluate("parseFloat(document.querySelector('.diagram-render svg').style.width)")
        assert width == page.evaluate("parseFloat(document.querySelector('.diagram-render svg').style.maxWidth)")
    # Menu drawer
    menu = page.locator("[data-menu-toggle]")
    nav = page.locator("#site-nav")
    expect(nav).to_be_hidden()
    menu.click()
    expect(nav).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "true")
    assert page.evaluate("document.getElementById('site-nav').contains(document.activeElement)")
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(menu).to_be_focused()
    assert_clean(watch)


def test_missing_page_at_any_depth_gets_the_styled_404(mini, new_context, serve_dir, watch_page):
    site, guide = mini
    base = serve_dir(site)
    page = new_context(color_scheme="dark").new_page()
    watch = watch_page(page, base)
    response = page.goto(base + "no/such/page/")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    assert theme_of(page) == "dark" and luminance(page) < 0.1  # theme script and stylesheet loaded
    page.locator("main .link-list a").first.click()
    page.wait_for_url(base + guide.domains[0].path)
    settle(page)
    # The 404 itself is expected (status and Chromium's console line); nothing else may fail.
    watch.http_errors[:] = [e for e in watch.http_errors if e != f"404 {base}no/such/page/"]
    watch.console_errors[:] = [e for e in watch.console_errors if f"({base}no/such/page/:0)" not in e]
    assert_clean(watch)


@pytest.fixture(scope="module")
def bundled_or_mini(request):
    if BUNDLED_CONFIG.is_file() and (BUNDLED_CONFIG.parent / "content").is_dir():
        return request.getfixturevalue("bundled")
    return request.getfixturevalue("mini")


def test_scroll_spy_highlights_the_current_topic(mini, page, serve_dir):
    site, guide = mini
    base = serve_dir(site)
    page.set_viewport_size({"width": 1280, "height": 420})
    domain = guide.domains[0]
    page.goto(base + domain.path)
    page.evaluate(OPEN_ALL)
    settle(page)
    for topic in domain.topics:
        page.evaluate(f"document.getElementById('{topic.anchor}').scrollIntoView()")
        expect(page.locator(".sidebar-sub a.is-active")).to_have_attribute("href", f"#{topic.anchor}")
        expect(page.locator(".sidebar-sub a[aria-current]")).to_have_count(1)


def test_reduced_motion_is_respected(mini, new_context, serve_dir):
    site, guide = mini
    base = serve_dir(site)
    durations = {}
    for motion in ("no-preference", "reduce"):
        page = new_context(reduced_motion=motion).new_page()
        page.goto(base + guide.domains[0].path)
        durations[motion] = page.evaluate("getComputedStyle(document.querySelector('.card-chevron')).transitionDuration")
    assert durations["no-preference"] != "0s" and durations["reduce"] == "0s", durations


# ---- Accessibility (axe-core), with screenshots -----------------------------------------------------


@pytest.mark.parametrize("kind", ["home", "domain", "interview", "page", "practice", "tags", "404"])
def test_axe_reports_no_violations_in_either_theme(kind, bundled_or_mini, new_context, serve_dir, watch_page):
    """axe-core on every page type, dark then light (toggled: diagrams redrawn), cards all open.

    Before each scan, screenshots at desktop and phone width (first card open) go to screenshots/.
    """
    site, guide = bundled_or_mini
    paths = page_paths(guide)
    if kind not in paths:
        pytest.skip(f"this guide has no {kind} page")
    base = serve_dir(site)
    # Reduced motion: screenshots never catch a chevron mid-turn, and no wait is needed for it.
    page = new_context(viewport=DESKTOP, color_scheme="dark", reduced_motion="reduce").new_page()
    watch = watch_page(page, base)
    page.goto(base + paths[kind])
    for theme in ("dark", "light"):
        if theme == "light":
            page.evaluate("document.querySelectorAll('.diagram-render svg').forEach(s => s.dataset.old = 1)")
            page.click("[data-theme-toggle]")
            page.wait_for_function(f"() => ({DIAGRAM_STATE})().every(d => d.failed || (d.svg && !d.old))")
        assert theme_of(page) == theme
        page.evaluate("() => document.querySelectorAll('details[data-card]').forEach((d, i) => { d.open = i === 0; })")
        settle(page)
        shot(page, f"{kind}-{theme}-desktop")
        page.set_viewport_size(PHONE)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"], "sideways scroll on a phone"
        shot(page, f"{kind}-{theme}-phone")
        # At phone width too: the header's menu and title links show only icons there.
        results = Axe().run(page)
        assert results.violations_count == 0, f"{theme} theme, phone width: " + results.generate_report()
        page.set_viewport_size(DESKTOP)
        page.evaluate(OPEN_ALL)  # scan the card bodies and their diagrams too
        settle(page)
        results = Axe().run(page)
        assert results.violations_count == 0, f"{theme} theme: " + results.generate_report()
    assert_clean(watch)
