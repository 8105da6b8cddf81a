"""Offline reading in Chromium: the worker installs after the first visit, then the guide works with
the network off — pages, diagrams, search — at the root and under a project sub-path (/repo/); a new
build is offered with "A new version is available — Reload"; the manifest passes Chromium's
installability check. Served over http on 127.0.0.1, which browsers treat as a secure context.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import BROWSER_DIAGRAM_FILES, BUNDLED_CONFIG, copy_mini
from helpers import NOT_PRECACHED as HELPERS_NOT_PRECACHED
from playwright.sync_api import BrowserContext, Page, expect

from studyguide.commands.build import build
from studyguide.content.loader import Loader

#: Built files no page needs offline (helpers.NOT_PRECACHED), and Pagefind's language-neutral wasm.
NOT_PRECACHED = HELPERS_NOT_PRECACHED | {"pagefind/wasm.unknown.pagefind"}

READY = "() => navigator.serviceWorker.controller !== null"  # activated ⇒ every file precached
CACHE_URLS = """async () => {
    const names = await caches.keys();
    const urls = [];
    for (const name of names) for (const req of await (await caches.open(name)).keys()) urls.push(req.url);
    return {names, urls};
}"""


T = 20_000  # ms: generous, the suite shares two cores with other work


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (BUNDLED_CONFIG.parent / "content").is_dir():
        pytest.skip("the bundled guide (content/) is not in this checkout")
    out = tmp_path_factory.mktemp("offline-browser") / "bundled"
    build(BUNDLED_CONFIG, out, search=True)
    return out


@pytest.fixture(scope="module")
def mini_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini guide built for https://example.github.io/repo/ (served under /repo/)."""
    project = copy_mini(tmp_path_factory.mktemp("offline-src") / "mini")
    config = project / "studyguide.yml"
    config.write_text(config.read_text() + "base_url: https://example.github.io/repo/\n")
    out = tmp_path_factory.mktemp("offline-browser") / "mini-repo"
    build(config, out, search=True)
    return out


def wait_until_offline_ready(page: Page) -> None:
    page.wait_for_function(READY, timeout=60_000)


def expected_cache(site: Path, base: str) -> set[str]:
    files = {p.relative_to(site).as_posix() for p in site.rglob("*")
             if p.is_file() and p.suffix != ".apkg"} - NOT_PRECACHED  # the Anki deck is a download
    if not any("js/diagrams.js" in p.read_text(encoding="utf-8") for p in site.rglob("*.html")):
        files -= BROWSER_DIAGRAM_FILES  # every diagram drawn at build time: no Mermaid offline
    urls = set()
    for path in files:
        folder = path[: -len("index.html")] if path == "index.html" or path.endswith("/index.html") else None
        urls.add(base + (folder if folder is not None else path))
    return urls


def search_for(page: Page, query: str) -> None:
    page.keyboard.press("/")
    page.keyboard.type(query)
    # Generous: the first query loads Pagefind and its WebAssembly (from the cache when offline).
    expect(page.locator("[data-search-status]")).to_contain_text(f"for “{query}”", timeout=30_000)


def test_the_whole_guide_works_offline_after_one_visit(context: BrowserContext, bundled: Path, serve_dir,
                                                       watch_page) -> None:
    guide = Loader().load(BUNDLED_CONFIG)
    base = serve_dir(bundled)
    page = context.new_page()
    # Routing would hide the worker's answers from Playwright: record problems, do not route.
    watch = watch_page(page, base, block_foreign=False)
    page.goto(base)
    wait_until_offline_ready(page)
    cache = page.evaluate(CACHE_URLS)
    assert len(cache["names"]) == 1 and cache["names"][0].startswith("studyguide:/:")
    assert set(cache["urls"]) == expected_cache(bundled, base)
    expect(page.locator("[data-update-prompt]")).to_be_hidden(timeout=T)  # a first install replaces nothing

    context.set_offline(True)
    domain, last = guide.domains[1], guide.domains[-1]
    for path, heading in [(domain.path, domain.name), (last.path, last.name),
                          (guide.interview.path + "?badge=critical", guide.interview.title),
                          (guide.pages[0].path, guide.pages[0].title), ("tags/", "Tags")]:
        response = page.goto(base + path)
        assert response is not None and response.status == 200 and response.from_service_worker, path
        expect(page.locator("main h1")).to_contain_text(heading, timeout=T)
        if path in (domain.path, last.path):  # Mermaid comes from the cache too
            expect(page.locator(".diagram-render svg").first).to_be_attached(timeout=20_000)  # drawn

    topic = guide.domains[0].topics[0]
    search_for(page, topic.title)
    result = page.locator("[data-search-results] [role=option]", has_text=topic.title).first
    expect(result).to_be_visible(timeout=20_000)
    result.click()
    expect(page.locator(f"#{topic.anchor}")).to_have_attribute("open", "", timeout=T)
    assert page.url.startswith(base + guide.domains[0].path)

    practice = bundled / "practice" / "index.html"
    if practice.is_file():  # the practice page (issue #16) works offline too, once it exists
        response = page.goto(base + "practice/")
        assert response is not None and response.status == 200 and response.from_service_worker
    context.set_offline(False)
    watch.assert_clean()


def test_under_a_project_subpath_the_worker_keeps_to_its_scope(context: BrowserContext, mini_repo: Path,
                                                               serve_dir) -> None:
    base = serve_dir(mini_repo, prefix="/repo/")
    origin = base[: -len("/repo/")]
    page = context.new_page()
    page.goto(base + "retrieval/")
    wait_until_offline_ready(page)
    assert page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.scope)") == base
    cache = page.evaluate(CACHE_URLS)
    assert cache["names"][0].startswith("studyguide:/repo/:")
    assert set(cache["urls"]) == expected_cache(mini_repo, base)

    # Outside the scope, and inside it but not precached: the worker never answers.
    for url in (origin + "/elsewhere/file.txt", base + "sitemap.xml"):
        with page.expect_response(url) as info:
            page.evaluate("url => fetch(url).then(r => r.status)", url)
        assert not info.value.from_service_worker, url

    context.set_offline(True)
    for path, heading in [("", "Mini Guide"), ("agents/", "Agents"), ("interview/", "Interview"),
                          ("answer-structure/", "Answer")]:
        response = page.goto(base + path)
        assert response is not None and response.from_service_worker, path
        expect(page.locator("h1").first).to_contain_text(heading, timeout=T)
    # A folder without its slash still lands on the page, as on the host.
    page.goto(base + "agents")
    assert page.url == base + "agents/"
    search_for(page, "HyDE")
    expect(page.locator("[data-search-results] [role=option]").first).to_be_visible(timeout=20_000)
    assert page.evaluate("url => fetch(url).then(() => 'network', () => 'failed')", origin + "/elsewhere/x") == "failed"
    context.set_offline(False)


def test_registration_waits_for_the_load_event(context: BrowserContext, mini_repo: Path, serve_dir) -> None:
    """The worker (and its downloads) never compete with the first page view."""
    base = serve_dir(mini_repo, prefix="/repo/")
    page = context.new_page()
    page.add_init_script("""(() => {
        window.__loaded = null; window.__registered = null;
        addEventListener('load', () => { window.__loaded = performance.now(); });
        const register = navigator.serviceWorker.register.bind(navigator.serviceWorker);
        navigator.serviceWorker.register = (...args) => { window.__registered = performance.now(); return register(...args); };
    })()""")
    page.goto(base)
    wait_until_offline_ready(page)
    loaded, registered = page.evaluate("[window.__loaded, window.__registered]")
    assert loaded is not None and registered is not None and registered >= loaded


def test_a_new_build_is_offered_and_study_state_survives(context: BrowserContext, tmp_path: Path, serve_dir) -> None:
    project = copy_mini(tmp_path / "mini")
    out = tmp_path / "site"
    build(project / "studyguide.yml", out, search=True)
    base = serve_dir(out)
    page = context.new_page()
    page.goto(base + "retrieval/")
    wait_until_offline_ready(page)
    old_cache = page.evaluate(CACHE_URLS)["names"]
    page.evaluate("localStorage.setItem('studyguide:progress', '{\"hybrid-search\":\"known\"}')")

    topic = project / "content/domains/01-retrieval/01-hybrid-search.md"
    topic.write_text(topic.read_text(encoding="utf-8").replace("title: Hybrid Search", "title: Hybrid Search v2"),
                     encoding="utf-8")
    build(project / "studyguide.yml", out, search=True)

    page.goto(base + "retrieval/")
    # The open page keeps the version it has until the reader asks: the old title, and the offer.
    expect(page.locator("#hybrid-search .card-title")).to_have_text("Hybrid Search", timeout=T)
    prompt = page.locator("[data-update-prompt]")
    expect(prompt).to_be_visible(timeout=30_000)
    expect(prompt).to_contain_text("A new version is available — Reload", timeout=T)
    prompt.get_by_role("button", name="Reload").click()
    expect(page.locator("#hybrid-search .card-title")).to_have_text("Hybrid Search v2", timeout=30_000)
    expect(page.locator("[data-update-prompt]")).to_be_hidden(timeout=T)
    names = page.evaluate(CACHE_URLS)["names"]
    assert len(names) == 1 and names != old_cache  # the old build's cache is gone
    assert page.evaluate("localStorage.getItem('studyguide:progress')") == '{"hybrid-search":"known"}'
    # And offline, the new version is what is cached.
    context.set_offline(True)
    page.goto(base + "retrieval/")
    expect(page.locator("#hybrid-search .card-title")).to_have_text("Hybrid Search v2", timeout=T)
    context.set_offline(False)


def test_the_manifest_passes_chromiums_installability_check(browser_type, browser_type_launch_args, mini_repo: Path,
                                                             serve_dir, tmp_path: Path) -> None:
    # Chromium refuses installation in incognito-like contexts: use a profile on disk.
    context = browser_type.launch_persistent_context(str(tmp_path / "profile"), **browser_type_launch_args)
    try:
        base = serve_dir(mini_repo, prefix="/repo/")
        page = context.new_page()
        page.goto(base)
        wait_until_offline_ready(page)
        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["url"] == base + "manifest.webmanifest"
        assert manifest["errors"] == []
        parsed = manifest["manifest"]
        assert parsed["startUrl"] == base and parsed["scope"] == base and parsed["display"] == "kStandalone"
        assert {icon["sizes"] for icon in parsed["icons"]} == {"192x192", "512x512"}
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    finally:
        context.close()


def test_marking_a_card_asks_the_browser_to_keep_the_storage(context: BrowserContext, mini_repo: Path,
                                                             serve_dir) -> None:
    base = serve_dir(mini_repo, prefix="/repo/")
    page = context.new_page()
    page.add_init_script("""(() => {
        window.__persistCalls = 0;
        const persist = navigator.storage.persist.bind(navigator.storage);
        navigator.storage.persist = () => { window.__persistCalls += 1; return persist(); };
    })()""")
    page.goto(base + "retrieval/")
    page.wait_for_load_state("load")
    assert page.evaluate("window.__persistCalls") == 0  # never before the reader marks anything
    page.evaluate("document.dispatchEvent(new CustomEvent('studyguide:marked', {detail: {id: 'hybrid-search'}}))")
    page.wait_for_function("() => window.__persistCalls === 1")
    page.evaluate("document.dispatchEvent(new CustomEvent('studyguide:marked', {detail: {id: 'query-rewriting'}}))")
    page.wait_for_timeout(100)
    assert page.evaluate("window.__persistCalls") == 1


def test_offline_false_registers_nothing(context: BrowserContext, tmp_path: Path, serve_dir) -> None:
    project = copy_mini(tmp_path / "mini")
    config = project / "studyguide.yml"
    config.write_text(config.read_text() + "offline: false\n")
    build(config, tmp_path / "site", search=False)
    base = serve_dir(tmp_path / "site")
    page = context.new_page()
    page.goto(base)
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0
    shutil.rmtree(tmp_path / "site")
