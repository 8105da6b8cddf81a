"""The theme's contract, checked on the built HTML without a browser (fast).

The asset budget, Mermaid only where a page has a diagram, card ids and order from the content
model, and every tag/topic link landing on an id that exists. The browser suite
(test_theme_browser.py) checks the same pages behave; this one keeps the cheap checks cheap.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from helpers import BUNDLED_CONFIG, MINI, REPO

from studyguide.commands.build import build
from studyguide.content.loader import Loader
from studyguide.content.model import Guide

OWN_ASSETS = ("css/site.css", "js/site.js", "js/theme-init.js", "js/diagrams.js", "js/diagram-zoom.js")
BUDGET = 60 * 1024


class PageScan(HTMLParser):
    """Ids, links, scripts and card ids of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.links: list[str] = []
        self.scripts: list[str] = []
        self.cards: list[str] = []
        self.diagrams = 0
        self.drawn = 0  # figures drawn at build time (the rest are left to diagrams.js)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "script" and a.get("src"):
            self.scripts.append(a["src"])
        if tag == "details" and "data-card" in a:
            self.cards.append(a.get("id") or "")
        if tag == "figure" and "diagram" in (a.get("class") or "").split():
            self.diagrams += 1
            self.drawn += "is-drawn" in (a.get("class") or "").split()


def scan_site(site: Path) -> dict[str, PageScan]:
    """Site-relative URL ("", "rag/", "404.html") → scan of that page."""
    pages = {}
    for file in site.rglob("*.html"):
        if "assets" in file.parts:
            continue
        scan = PageScan()
        scan.feed(file.read_text("utf-8"))
        pages[file.relative_to(site).as_posix().removesuffix("index.html")] = scan
    return pages


def _site(config: Path, out: Path) -> tuple[dict[str, PageScan], Guide]:
    build(config, out, search=False)
    return scan_site(out), Loader().load(config)


@pytest.fixture(scope="module", params=["mini", "bundled"])
def site(request, tmp_path_factory) -> tuple[dict[str, PageScan], Guide]:
    if request.param == "bundled":
        if not BUNDLED_CONFIG.is_file() or not (BUNDLED_CONFIG.parent / "content").is_dir():
            pytest.skip("the bundled guide (studyguide.yml + content/) is not in this checkout")
        return _site(BUNDLED_CONFIG, tmp_path_factory.mktemp("static") / "bundled")
    return _site(MINI / "studyguide.yml", tmp_path_factory.mktemp("static") / "mini")


def test_own_css_and_js_fit_the_budget_as_published(tmp_path: Path) -> None:
    build(MINI / "studyguide.yml", tmp_path / "site", search=False)
    assets = tmp_path / "site/assets"
    sizes = {name: (assets / name).stat().st_size for name in OWN_ASSETS}
    assert sum(sizes.values()) < BUDGET, sizes
    for name in OWN_ASSETS:  # minified: the comments stay in the sources, not in what readers get
        published, source = (assets / name).read_text("utf-8"), (REPO / "static" / name).read_text("utf-8")
        assert len(published) < len(source) and "/*" not in published and "\n//" not in published, name
    # Vendored code is published exactly as its authors ship it (and as its VERSION file hashes it).
    for vendored in ("vendor/mermaid/mermaid.min.js", "vendor/ts-fsrs/ts-fsrs.min.js"):
        assert (assets / vendored).read_bytes() == (REPO / "static" / vendored).read_bytes()


def test_mermaid_only_on_pages_with_a_diagram(site):
    pages, guide = site
    assert sum(p.diagrams for p in pages.values()) >= len(guide.domains)
    for url, scan in pages.items():
        # diagrams.js (which fetches Mermaid) only for diagrams left to the browser; the small
        # "Full size" script only for diagrams drawn at build time.
        loads = any("js/diagrams.js" in src for src in scan.scripts)
        left = scan.diagrams - scan.drawn
        assert loads == bool(left), f"/{url}: diagrams.js {'without' if loads else 'missing for'} diagrams"
        zoom = any("js/diagram-zoom.js" in src for src in scan.scripts)
        assert zoom == bool(scan.drawn), f"/{url}: diagram-zoom.js {'without' if zoom else 'missing for'} drawn diagrams"
        assert not any("mermaid" in src for src in scan.scripts), f"/{url} loads Mermaid up front"


def test_cards_carry_the_model_ids_in_order(site):
    pages, guide = site
    for domain in guide.domains:
        assert pages[domain.path].cards == [t.anchor for t in domain.topics]
    if guide.interview:
        assert pages[guide.interview.path].cards == [q.anchor for q in guide.questions]


def test_every_fragment_link_lands_on_an_id(site):
    """Tag chips → tags page entries, tags page → topic cards, sidebar → cards and groups."""
    pages, guide = site
    checked = 0
    for url, scan in pages.items():
        if url == "404.html":
            continue  # absolute links from base_url; the sub-path crawl covers it
        for href in scan.links:
            if "#" not in href or href.startswith(("http:", "https:", "mailto:")):
                continue
            target = urljoin("http://site/" + url, href)
            path, fragment = urlsplit(target).path.lstrip("/"), urlsplit(target).fragment
            assert path in pages, f"/{url}: {href} → no page /{path}"
            assert fragment in pages[path].ids, f"/{url}: {href} → no #{fragment} on /{path}"
            checked += 1
    tagged = sum(len(t.tags) for t in guide.topics)
    assert checked >= 2 * tagged  # at least every chip and every tags-page entry


def test_tags_page_lists_every_tag_once(site):
    pages, guide = site
    tag_ids = [i for i in pages["tags/"].ids if i.startswith("tag-")]
    assert len(tag_ids) == len(set(tag_ids)) == len(guide.tags())
    assert all(re.fullmatch(r"tag-[a-z0-9-]+", i) for i in tag_ids)
