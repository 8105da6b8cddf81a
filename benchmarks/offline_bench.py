"""Offline reading: what the service worker precaches, and how soon after a first visit the guide
works offline.

    python benchmarks/offline_bench.py [--config studyguide.yml] [--runs 5]

Builds the bundled guide (with search) into a temporary folder and prints:

* the precache: files and bytes, by kind (pages, theme, Mermaid, search), and a gzip estimate of
  what a compressing host (GitHub Pages) sends;
* time to first offline-ready (median of --runs fresh browser contexts): from the start of the
  first page view to the moment the worker controls the page, i.e. every file is cached;
* what the first page view requests before its load event, and whether the worker was registered
  before it (it must not be: registration waits for ``load``).

Served on 127.0.0.1 (loopback: the download time is mostly Chromium's own work, so a real network
adds the transfer of the gzip figure).
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chromium import launch as launch_chromium  # noqa: E402
from localserver import serve_quietly  # noqa: E402

from studyguide.commands.build import build  # noqa: E402

PROBE = """(() => {
    window.__registeredAt = null;
    const register = navigator.serviceWorker.register.bind(navigator.serviceWorker);
    navigator.serviceWorker.register = (...args) => {
        window.__registeredAt = performance.now(); return register(...args); };
})()"""


def kind(path: str) -> str:
    if path.endswith((".html", "/")):
        return "pages"
    if "mermaid" in path:
        return "mermaid"
    if path.startswith("pagefind/"):
        return "search index"
    return "theme + manifest"


def worker_files(site: Path) -> tuple[list[str], str]:
    """The files the built worker precaches, and its cache version (sw.js's first line)."""
    first = (site / "sw.js").read_text(encoding="utf-8").split("\n", 1)[0]
    build = json.loads(first[len("var BUILD = "):].rstrip(";"))
    files = ["index.html" if u == "./" else u + "index.html" if u.endswith("/") else unquote(u) for u in build["files"]]
    return files, build["version"]


def precache_report(site: Path) -> None:
    files, version = worker_files(site)
    sizes: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for path in files:
        data = (site / path).read_bytes()
        row = sizes[kind(path)]
        row[0] += 1
        row[1] += len(data)
        row[2] += len(gzip.compress(data, 6))
    print(f"precache: {len(files)} files, {sum(r[1] for r in sizes.values()) / 1e6:.2f} MB "
          f"(gzip ≈ {sum(r[2] for r in sizes.values()) / 1e6:.2f} MB), cache version {version}")
    for name, (count, raw, packed) in sorted(sizes.items()):
        print(f"  {name:<18} {count:>4} files  {raw / 1024:>8.0f} KB  gzip ≈ {packed / 1024:>6.0f} KB")


def time_to_offline_ready(site: Path, runs: int) -> None:
    from playwright.sync_api import sync_playwright

    server, base = serve_quietly(site)
    ready_ms, load_ms, before_load = [], [], []
    registered_early = 0
    with sync_playwright() as p:
        browser = launch_chromium(p)
        for _ in range(runs):
            context = browser.new_context()  # empty cache, no worker
            page = context.new_page()
            page.add_init_script(PROBE)
            page.goto(base)
            page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=120_000)
            ready, load, registered = page.evaluate("""() => [performance.now(),
                performance.getEntriesByType('navigation')[0].loadEventStart, window.__registeredAt]""")
            early = page.evaluate(f"""() => performance.getEntriesByType('resource')
                .filter(e => e.startTime < {load}).length""")
            ready_ms.append(ready)
            load_ms.append(load)
            before_load.append(early + 1)  # + the page itself
            registered_early += registered is None or registered < load
            context.close()
        browser.close()
    server.shutdown()
    print(f"first page view: load event at {statistics.median(load_ms):.0f} ms (median of {runs}), "
          f"{statistics.median(before_load):.0f} requests before it, none of them the worker's "
          f"(registered before load in {registered_early} of {runs} runs)")
    print(f"time to first offline-ready: {statistics.median(ready_ms):.0f} ms median "
          f"(min {min(ready_ms):.0f}, max {max(ready_ms):.0f}) from the start of the first view")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=ROOT / "studyguide.yml")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        build(args.config, site, search=True)
        precache_report(site)
        time_to_offline_ready(site, args.runs)


if __name__ == "__main__":
    main()
