"""The built site served under a sub-path (``/repo/``, as on a GitHub project site) in Chromium.

A crawler starts at the home page and visits every page it can reach, collecting every link and
asset reference (``href``/``src`` of HTML elements, after scripts ran). Every internal target must
load, every ``#fragment`` must be an id on its target page, and no page may log an error or ask
another origin for anything. The crawl must reach exactly the pages of sitemap.xml. Then a deep
missing URL gets ``404.html``, which must come with its stylesheet applied and working links.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest

from studyguide.commands.build import build

REPO = Path(__file__).resolve().parents[1]
MINI = REPO / "tests" / "fixtures" / "mini"
PUBLIC_BASE = "https://example.github.io/repo/"  # base_url: the site is served under /repo/
PREFIX = "/repo/"

COLLECT = """() => {
    const html = 'http://www.w3.org/1999/xhtml';
    const refs = [];
    for (const el of document.querySelectorAll('[href], [src]')) {
        if (el.namespaceURI !== html) continue;  // Mermaid's SVG internals are not site links
        for (const attr of ['href', 'src']) {
            const raw = el.getAttribute(attr);
            if (raw === null) continue;
            refs.push({tag: el.tagName.toLowerCase(), raw, url: new URL(raw, document.baseURI).href});
        }
    }
    const ids = [...document.querySelectorAll('[id]')].map(e => e.id)
        .concat([...document.querySelectorAll('a[name]')].map(e => e.name));
    return {refs, ids};
}"""

STYLE_PROBE = """() => {
    const pick = (sel) => {
        const el = document.querySelector(sel);
        if (!el) return null;
        const s = getComputedStyle(el);
        return [s.fontFamily, s.color, s.backgroundColor, s.display, s.paddingTop, s.borderBottomWidth];
    };
    const sheets = [...document.querySelectorAll('link[rel="stylesheet"]')].map(l => ({
        href: l.href, rules: l.sheet ? l.sheet.cssRules.length : -1}));
    return {body: pick('body'), header: pick('.site-header'), sheets};
}"""


@dataclass
class Crawl:
    pages: dict[str, set[str]] = field(default_factory=dict)  # page URL → its ids
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (page, raw, absolute URL)
    assets: dict[str, int] = field(default_factory=dict)  # asset URL → HTTP status


def page_key(url: str) -> str:
    """A page's identity: a static host ignores the query (``?`` resets the interview filters)."""
    return urlsplit(url)._replace(query="", fragment="").geturl()


def is_page(url: str) -> bool:
    path = urlsplit(url).path
    return path.endswith(("/", ".html"))


def collect(page, crawl: Crawl, url: str, origin: str) -> list[str]:
    """Record the ids and references of the loaded page; return the internal pages it links to."""
    found = page.evaluate(COLLECT)
    crawl.pages[url] = set(found["ids"])
    targets = []
    for ref in found["refs"]:
        target = ref["url"]
        if not target.startswith(origin + "/"):
            continue  # another origin (source link, canonical URL): not part of this site
        crawl.links.append((url, ref["raw"], target))
        bare, _ = urldefrag(target)
        if is_page(bare):
            targets.append(page_key(bare))
        elif bare not in crawl.assets:
            crawl.assets[bare] = page.request.get(bare).status
    return targets


def crawl_site(page, base: str) -> Crawl:
    origin = base[: -len(PREFIX)]
    crawl = Crawl()
    queue = [base]
    while queue:
        url = queue.pop(0)
        if url in crawl.pages:
            continue
        response = page.goto(url)
        assert response is not None and response.status == 200, f"{url}: {response and response.status}"
        page.wait_for_load_state("networkidle")
        queue.extend(t for t in collect(page, crawl, url, origin) if t not in crawl.pages)
    return crawl


def broken_references(crawl: Crawl) -> list[str]:
    broken = []
    for source, raw, target in crawl.links:
        bare, fragment = urldefrag(target)
        if is_page(bare):
            bare = page_key(bare)
            if bare not in crawl.pages:
                broken.append(f"{source}: {raw} → page never loaded")
            elif fragment and fragment not in crawl.pages[bare]:
                broken.append(f"{source}: {raw} → no id '{fragment}' on {bare}")
        elif crawl.assets.get(bare) != 200:
            broken.append(f"{source}: {raw} → HTTP {crawl.assets.get(bare)}")
    return broken


def build_site(tmp_path: Path, which: str) -> Path:
    if which == "mini":
        project = tmp_path / "project"
        shutil.copytree(MINI, project)
        config = project / "studyguide.yml"
        config.write_text(config.read_text() + f"base_url: {PUBLIC_BASE}\n")
    else:
        if not (REPO / "content").is_dir() or not (REPO / "studyguide.yml").is_file():
            pytest.skip("the bundled guide (content/, studyguide.yml) is not in this checkout")
        text = (REPO / "studyguide.yml").read_text(encoding="utf-8")
        config = tmp_path / "studyguide.yml"
        lines = [line for line in text.splitlines() if not line.startswith(("base_url:", "content_dir:"))]
        config.write_text("\n".join([*lines, f"base_url: {PUBLIC_BASE}", f"content_dir: {REPO / 'content'}", ""]),
                          encoding="utf-8")
    out = tmp_path / "site"
    build(config, out, search=True)  # the full site, as published
    return out


@pytest.mark.parametrize("which", ["mini", "bundled"])
def test_every_link_and_asset_resolves_under_a_sub_path(which, tmp_path, page, serve_dir, watch_page) -> None:
    site = build_site(tmp_path, which)
    base = serve_dir(site, prefix=PREFIX)
    watch = watch_page(page, base)

    crawl = crawl_site(page, base)

    assert broken_references(crawl) == []
    watch.assert_clean()
    # The crawl found exactly the pages the sitemap lists (mapped from base_url to this server).
    locs = {loc.text.replace(PUBLIC_BASE, base) for loc in ET.parse(site / "sitemap.xml").getroot().iter()
            if loc.tag.endswith("loc")}
    assert set(crawl.pages) == locs
    assert len(crawl.links) > 10 * len(crawl.pages)  # the crawl really looked at links
    assert any("#" in raw for _, raw, _ in crawl.links), "fragment links were checked"


def test_404_from_a_deep_missing_path_has_its_css_and_working_links(tmp_path, page, serve_dir, watch_page) -> None:
    site = build_site(tmp_path, "mini")
    base = serve_dir(site, prefix=PREFIX)
    origin = base[: -len(PREFIX)]

    page.goto(base)
    page.wait_for_load_state("networkidle")
    home_style = page.evaluate(STYLE_PROBE)

    watch = watch_page(page, base)
    missing = base + "a/b/c/missing"
    response = page.goto(missing)
    assert response is not None and response.status == 404
    page.wait_for_load_state("networkidle")
    assert "Page not found" in page.title()
    style = page.evaluate(STYLE_PROBE)

    assert style["sheets"] and all(s["rules"] > 0 for s in style["sheets"]), style["sheets"]
    assert style["body"] == home_style["body"] and style["header"] == home_style["header"]
    assert style["header"] is not None

    crawl = Crawl()
    collect(page, crawl, missing, origin)  # the 404 page's ids, references and asset statuses
    broken = []
    for _, raw, target in crawl.links:
        bare, fragment = urldefrag(target)
        if page_key(bare) == missing:  # "#main" and the like: an id on the 404 page itself
            ok = not fragment or fragment in crawl.pages[missing]
        elif is_page(bare):
            ok = page.request.get(bare).status == 200
        else:
            ok = crawl.assets[bare] == 200
        if not ok:
            broken.append(f"{raw} → {target}")
    assert broken == []
    assert any(urlsplit(t).path == PREFIX for _, _, t in crawl.links), "404 links back to the home page"
    # The only error is the 404 of the page itself (console message and response).
    assert watch.http_errors == [f"404 {missing}"]
    assert not watch.page_errors and not watch.foreign_requests and not watch.failed_requests


def test_crawler_reports_missing_pages_anchors_and_assets(tmp_path, page, serve_dir) -> None:
    """The crawl can fail: a hand-made site with one good and three broken references."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<!doctype html><title>a</title><p id="here">a</p>')
    (tmp_path / "index.html").write_text(
        '<!doctype html><title>home</title><link rel="icon" href="data:,">'
        '<a href="a/#here">ok</a> <a href="a/#nope">no id</a> <a href="gone/">no page</a>'
        '<img alt="" src="missing.png">')
    base = serve_dir(tmp_path, prefix=PREFIX)
    origin = base[: -len(PREFIX)]
    crawl = Crawl()
    page.goto(base)
    for target in collect(page, crawl, base, origin):
        if target != base and page.request.get(target).status == 200:
            page.goto(target)
            collect(page, crawl, target, origin)
    assert sorted(broken_references(crawl)) == [
        f"{base}: a/#nope → no id 'nope' on {base}a/",
        f"{base}: gone/ → page never loaded",
        f"{base}: missing.png → HTTP 404",
    ]
