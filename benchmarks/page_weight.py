"""Page weight: bytes a browser fetches for each page type, by kind of resource.

    python benchmarks/page_weight.py [--config studyguide.yml] [--no-browser]

Builds the bundled guide (or the fixture guide when content/ is absent) with ``--no-search`` into a
temporary folder, serves it on 127.0.0.1 and loads one page of each type (home, domain, interview,
free page, tags, 404) in Chromium with an empty cache, counting every response body. The domain
page is the heaviest one (the budget holds for every domain page when it holds for that one):

* html — the page itself;
* own css/js — the theme's site.css, site.js, theme-init.js, diagrams.js, diagram-zoom.js, as the
  build publishes them (minified; the 60 KB budget);
* search — the search box's own css/js (owned by search, listed apart);
* mermaid — the vendored Mermaid bundle, which must appear only on pages with a diagram left to
  the browser (none when every diagram was drawn at build time; the SVGs are in the html);
* study — the study scripts (marks, progress, practice, backup) and the vendored ts-fsrs: none on
  pages without cards, and at most 40 KB on any page (the practice page is the largest);
* other — favicon and anything else (diagrams/theme.json, which only diagrams.js fetches).

"gzip" estimates what a compressing host (GitHub Pages) sends. --no-browser skips Chromium and
reports what each page's HTML references instead (same categories, from the files on disk).
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chromium import launch as launch_chromium  # noqa: E402
from localserver import serve_quietly  # noqa: E402

from studyguide.commands.build import build  # noqa: E402
from studyguide.content.loader import Loader  # noqa: E402

OWN = ("css/site.css", "js/site.js", "js/theme-init.js", "js/diagrams.js", "js/diagram-zoom.js")
BUDGET = 60 * 1024
DOMAIN_BUDGET = 150 * 1024  # a domain page, everything it fetches (issue #15: was 3.6 MB)
STUDY_BUDGET = 40 * 1024  # study JavaScript on one page: ours + ts-fsrs, uncompressed
KINDS = ("html", "own css/js", "search", "mermaid", "study", "other")


def category(path: str) -> str:
    if path.endswith((".html", "/")):
        return "html"
    if any(path.endswith("assets/" + own) for own in OWN):
        return "own css/js"
    if "mermaid" in path:
        return "mermaid"
    if "/js/study-" in path or path.endswith("/js/practice.js") or "ts-fsrs" in path:
        return "study"
    if "search" in path or "pagefind" in path:
        return "search"
    return "other"


def page_urls(config: Path, site: Path) -> dict[str, str]:
    guide = Loader().load(config)
    heaviest = max(guide.domains, key=lambda d: (site / d.path / "index.html").stat().st_size)
    urls = {"home": "", "domain": heaviest.path}
    if guide.interview:
        urls["interview"] = guide.interview.path
    if guide.pages:
        urls["page"] = guide.pages[0].path
    urls.update({"practice": "practice/", "tags": "tags/", "404": "404.html"})
    return urls


def own_asset_bytes(static: Path) -> dict[str, int]:
    return {name: (static / name).stat().st_size for name in OWN}


def measure_browser(site: Path, urls: dict[str, str]) -> dict[str, dict[str, list[bytes]]]:
    from playwright.sync_api import sync_playwright

    server, base = serve_quietly(site)
    found: dict[str, dict[str, list[bytes]]] = {}
    with sync_playwright() as p:
        browser = launch_chromium(p)
        for kind, path in urls.items():
            context = browser.new_context()  # empty cache per page type
            page = context.new_page()
            responses = []
            page.on("requestfinished", lambda request, responses=responses: responses.append(request))
            page.goto(base + path, wait_until="networkidle")
            # Diagram pages fetch Mermaid after the first frame: wait until they are drawn.
            page.wait_for_function("""() => [...document.querySelectorAll('figure.diagram')]
                .every(f => f.closest('details:not([open])') || /is-(rendered|failed|drawn)/.test(f.className))""")
            bodies: dict[str, list[bytes]] = defaultdict(list)
            for request in responses:
                response = request.response()
                if response is not None and 200 <= response.status < 300:
                    bodies[category(urlsplit(request.url).path)].append(response.body())
            found[kind] = dict(bodies)
            context.close()
        browser.close()
    server.shutdown()
    return found


def measure_static(site: Path, urls: dict[str, str]) -> dict[str, dict[str, list[bytes]]]:
    found: dict[str, dict[str, list[bytes]]] = {}
    for kind, path in urls.items():
        file = site / (path if path.endswith(".html") else path + "index.html")
        html = file.read_text("utf-8")
        bodies: dict[str, list[bytes]] = defaultdict(list)
        bodies["html"].append(html.encode())
        for ref in re.findall(r'(?:src|href)="([^"#]+\.(?:css|js|svg)(?:\?[^"]*)?)"', html):
            target = urlsplit(urljoin("http://x/" + path, ref)).path.lstrip("/")
            bodies[category(target)].append((site / target).read_bytes())
        for ref in re.findall(r'data-mermaid="([^"]+)"', html):  # diagrams.js loads it
            target = urlsplit(urljoin("http://x/" + path, ref)).path.lstrip("/")
            bodies["mermaid"].append((site / target).read_bytes())
        found[kind] = dict(bodies)
    return found


def kb(n: int) -> str:
    return f"{n / 1024:,.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = ROOT / "studyguide.yml" if (ROOT / "content").is_dir() else ROOT / "tests/fixtures/mini/studyguide.yml"
    parser.add_argument("--config", type=Path, default=default)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        result = build(args.config, site, search=False)
        urls = page_urls(args.config, site)
        measured = measure_static(site, urls) if args.no_browser else measure_browser(site, urls)
        own = own_asset_bytes(result.out_dir / "assets")

    print(f"guide: {args.config}  ({'referenced by the HTML' if args.no_browser else 'fetched by Chromium'}, KB)")
    header = f"{'page':<11}" + "".join(f"{k:>13}" for k in KINDS) + f"{'total':>10}{'gzip':>9}"
    print(header)
    for kind, bodies in measured.items():
        sizes = {k: sum(len(b) for b in bodies.get(k, [])) for k in KINDS}
        total = sum(sizes.values())
        zipped = sum(len(gzip.compress(b)) for k in KINDS for b in bodies.get(k, []))
        print(f"{kind:<11}" + "".join(f"{kb(sizes[k]):>13}" for k in KINDS) + f"{kb(total):>10}{kb(zipped):>9}")
    domain = measured.get("domain", {})
    raw = sum(len(b) for bodies in domain.values() for b in bodies)
    zipped = sum(len(gzip.compress(b)) for bodies in domain.values() for b in bodies)
    print(f"\nheaviest domain page (/{urls['domain']}): {kb(raw)} KB as served ({kb(zipped)} KB gzipped), "
          f"of the {kb(DOMAIN_BUDGET)} KB budget: {'OK' if raw <= DOMAIN_BUDGET else 'OVER'}")
    total_own = sum(own.values())
    print()
    print("own CSS + JS as published (minified): " + ", ".join(f"{name} {kb(n)}" for name, n in own.items()))
    print(f"total {kb(total_own)} KB of {kb(BUDGET)} KB budget: {'OK' if total_own < BUDGET else 'OVER'}")
    study = {kind: sum(len(b) for b in bodies.get("study", [])) for kind, bodies in measured.items()}
    worst = max(study, key=lambda k: study[k])
    print(f"study JS: {', '.join(f'{k} {kb(n)}' for k, n in study.items() if n)}; none on "
          f"{', '.join(k for k, n in study.items() if not n)}")
    print(f"largest ({worst}) {kb(study[worst])} KB of {kb(STUDY_BUDGET)} KB budget: "
          f"{'OK' if study[worst] <= STUDY_BUDGET else 'OVER'}")


if __name__ == "__main__":
    main()
