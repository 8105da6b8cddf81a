"""Search benchmark: index time, index size on disk, and bytes a browser fetches for one query.

    python benchmarks/search_bench.py [--sizes 10000] [--runs 3] [--compare] [--no-browser]

For the bundled guide (content/) and synthetic guides of the given sizes (benchmarks/synthetic.py):

* index time — ``studyguide.site.search.index_site`` on an already written site, median of --runs runs
  (records built from the content model + Pagefind indexing + writing the bundle);
* index size — the ``pagefind/`` folder on disk;
* one query — the site is served on 127.0.0.1 and Chromium types the query into the search box;
  every ``pagefind/`` response is counted (pagefind.js, its worker, the wasm, the entry/meta files,
  the index chunks and filter files the query needs, and the fragments of the results shown). The
  local server does not compress; "gzip" estimates what a compressing host (GitHub Pages) sends.

--compare also times the alternatives that were considered: Pagefind's stock Python API (its reply
reader sleeps 0.1 s per record; timed on 30 records and extrapolated) and the Pagefind CLI on one
HTML file per record.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from chromium import launch as launch_chromium  # noqa: E402
from localserver import QuietHandler, serve_quietly  # noqa: E402
from synthetic import make_guide  # noqa: E402

from studyguide.content.loader import Loader  # noqa: E402
from studyguide.content.model import Guide  # noqa: E402
from studyguide.site.builder import SiteBuilder  # noqa: E402
from studyguide.site.search import EXCLUDE_SELECTORS, INDEX_DIR, index_site, search_records  # noqa: E402


def folder_bytes(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def time_index(site: Path, guide: Guide, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        shutil.rmtree(site / INDEX_DIR, ignore_errors=True)
        start = time.perf_counter()
        index_site(site, guide)
        times.append(time.perf_counter() - start)
    return times


# --- one query in a real browser -------------------------------------------------------------------


class _Quiet(QuietHandler):
    extensions_map = {**QuietHandler.extensions_map, ".js": "text/javascript", ".wasm": "application/wasm"}


def query_transfer(site: Path, query: str, *, typed: bool) -> dict[str, object]:
    """Bytes of every pagefind/ response while a user focuses the box and enters `query`.

    Pasted (``typed=False``, one input event) is the minimum a query costs. Typed one key at a
    time, Pagefind also preloads index chunks for the prefixes on the way ("r", "re", ...), so the
    figure depends on typing speed; it is what a real visitor pays."""
    from playwright.sync_api import sync_playwright

    server, base = serve_quietly(site, _Quiet)
    fetched: list[tuple[str, bytes]] = []
    try:
        with sync_playwright() as p:
            browser = launch_chromium(p)
            page = browser.new_page()
            page.goto(base)
            page.wait_for_load_state("networkidle")
            page.on("response", lambda r: fetched.append((r.url, r.body())) if f"/{INDEX_DIR}/" in r.url else None)
            page.keyboard.press("/")
            if typed:
                page.keyboard.type(query, delay=60)
            else:
                page.keyboard.insert_text(query)
            page.wait_for_selector("[data-search-status]:has-text('for “')")
            page.wait_for_load_state("networkidle")
            results = page.locator("[data-search-results] [role=option]").count()
            status = page.locator("[data-search-status]").text_content()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()

    def kind(url: str) -> str:
        if "/fragment/" in url:
            return "fragments"
        if "/index/" in url or "/filter/" in url:
            return "index+filter chunks"
        return "runtime (js, wasm, entry, meta)"

    groups: dict[str, list[int]] = {}
    raw = zipped = 0
    for url, body in fetched:
        groups.setdefault(kind(url), []).append(len(body))
        raw += len(body)
        zipped += min(len(body), len(gzip.compress(body, 6)))
    return {"requests": len(fetched), "bytes": raw, "gzip": zipped, "results": results, "status": status,
            "by_kind": {k: (len(v), sum(v)) for k, v in sorted(groups.items())}}


# --- the alternatives (--compare) -------------------------------------------------------------------


async def _stock_api(records, output: Path) -> None:
    from pagefind.index import IndexConfig, PagefindIndex

    async with PagefindIndex(IndexConfig(exclude_selectors=EXCLUDE_SELECTORS, output_path=str(output))) as index:
        await asyncio.gather(*(index.add_html_file(content=r.html, url=r.url) for r in records))


def time_stock_api(guide: Guide, work: Path, sample: int = 30) -> float:
    """Seconds per record with Pagefind's unmodified Python API (sampled)."""
    records = search_records(guide)[:sample]
    start = time.perf_counter()
    asyncio.run(_stock_api(records, work / "stock"))
    return (time.perf_counter() - start) / len(records)


def time_cli(guide: Guide, work: Path) -> float:
    """Seconds to write one HTML file per record and run ``python -m pagefind --site`` on them.
    (URLs would then come from file names, not card anchors: that is why it was not chosen.)"""
    start = time.perf_counter()
    src = work / "cli-src"
    for i, record in enumerate(search_records(guide)):
        (src / f"r{i // 1000}").mkdir(parents=True, exist_ok=True)
        (src / f"r{i // 1000}" / f"{i}.html").write_text(record.html, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(src), "--output-path", str(work / "cli-out"),
                    "--exclude-selectors", EXCLUDE_SELECTORS[0]], check=True, capture_output=True)
    return time.perf_counter() - start


# --- main ----------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--compare", action="store_true", help="also time the stock Python API and the CLI")
    parser.add_argument("--no-browser", action="store_true", help="skip the per-query transfer measurement")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        guides = []
        if (ROOT / "content").is_dir():
            guides.append(("bundled", ROOT / "studyguide.yml", ["HyDE", "token bucket"]))
        for n in args.sizes:
            guides.append((f"synthetic {n}", make_guide(work / f"g{n}", n), ["retrieval", "canary rollout"]))

        for name, config, queries in guides:
            guide = Loader().load(config)
            site = work / "site" / name.replace(" ", "-")
            SiteBuilder(config, site, search=True, post_steps=[]).build()  # pages with the search box
            n_records = len(search_records(guide))
            times = time_index(site, guide, args.runs)
            size, files = folder_bytes(site / INDEX_DIR)
            median = statistics.median(times)
            print(f"\n== {name}: {len(guide.topics)} topics, {len(guide.questions)} questions, "
                  f"{n_records} records")
            print(f"index time: median {median:.2f} s (min {min(times):.2f}, {args.runs} runs), "
                  f"{1000 * median / n_records:.2f} ms/record")
            print(f"index on disk: {size / 1024:.0f} KiB in {files} files")
            if args.compare:
                per_record = time_stock_api(guide, work / name.replace(" ", "-"))
                print(f"  stock Python API: {per_record * 1000:.0f} ms/record → ~{per_record * n_records:.0f} s "
                      f"for this guide")
                print(f"  CLI on one file per record: {time_cli(guide, work / name.replace(' ', '-')):.2f} s")
            if not args.no_browser:
                for query in queries:
                    for typed in (False, True):
                        t = query_transfer(site, query, typed=typed)
                        parts = ", ".join(f"{k} {n}× {b / 1024:.0f} KiB" for k, (n, b) in t["by_kind"].items())
                        how = "typed " if typed else "pasted"
                        print(f"query {query!r} {how}: {t['bytes'] / 1024:.0f} KiB in {t['requests']} requests "
                              f"(~{t['gzip'] / 1024:.0f} KiB gzip'd); {t['status']}")
                        print(f"  {parts}")


if __name__ == "__main__":
    main()
