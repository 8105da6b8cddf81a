"""Live-preview benchmark: how long an edit takes to be rebuilt, and to be visible in the browser.

    python benchmarks/serve_bench.py [--runs 5] [--topics 10000] [--corpus 1000] [--search]
                                     [--no-browser] [--browser-only]

Prints medians of:
  (a) one-file edit → rebuild done, for the bundled guide (a copy of content/) and the test fixture,
      with the builder ``studyguide serve`` keeps (parse cache + page reuse);
  (b) the same for a synthetic guide of --topics topics (benchmarks/synthetic.py) and for the
      shared peer corpus at --corpus topics (``../shared/bench/``, emitted by benchmarks/peers.py);
  (c) save → new text visible in an open Chromium tab, for the bundled guide, through a real
      ``studyguide serve`` subprocess (watching, debounce, rebuild, reload, page load), once with
      file-system events (the default) and once with ``--poll``: from the save to the first paint
      of the reloaded page that holds the new text.
Two kinds of edit: a topic's body (the everyday case) and its title (also changes the home and
tags pages). Targets (issue #13): save → visible ≤ 300 ms; one-edit rebuild at 1,000 topics
≤ 50 ms (body) and ≤ 150 ms (title). Every edit is made to a copy in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from chromium import CHROMIUM  # noqa: E402
from chromium import launch as launch_chromium  # noqa: E402
from peers import DEFAULT_TOOLS, emit  # noqa: E402
from synthetic import make_guide  # noqa: E402

from studyguide.commands.build import search_steps  # noqa: E402
from studyguide.preview.rebuild import PreviewSite  # noqa: E402


def copy_project(config: Path, dest: Path) -> Path:
    """A copy of a guide (config + content folder) to edit freely; returns the new config path."""
    dest.mkdir(parents=True)
    shutil.copy2(config, dest / config.name)
    shutil.copytree(config.parent / "content", dest / "content")
    return dest / config.name


def a_topic(config: Path) -> Path:
    """A topic in the middle of the guide."""
    topics = sorted((config.parent / "content" / "domains").glob("*/*.md"))
    return topics[len(topics) // 2]


def edit_body(topic: Path, n: int) -> str:
    topic.write_text(topic.read_text(encoding="utf-8") + f"\nBenchmark paragraph {n}.\n", encoding="utf-8")
    return f"Benchmark paragraph {n}."


def edit_title(topic: Path, n: int) -> str:
    title = f"Benchmark title {n}"
    text = re.sub(r"^title: .*$", f"title: {title}", topic.read_text(encoding="utf-8"), count=1, flags=re.M)
    topic.write_text(text, encoding="utf-8")
    return title


def time_rebuilds(config: Path, out: Path, runs: int, search: bool) -> dict[str, float]:
    """Median seconds of builder.build() after each kind of edit (first build not counted)."""
    # The builder exactly as `studyguide serve` sets it up (no service worker, deck on demand).
    builder = PreviewSite(config, out, search=search, post_steps=search_steps(search)).builder
    start = time.perf_counter()
    builder.build()
    results = {"first build": time.perf_counter() - start}
    topic = a_topic(config)
    for name, edit in (("body edit", edit_body), ("title edit", edit_title)):
        times, cpu = [], []
        for n in range(runs):
            edit(topic, n)
            start, start_cpu = time.perf_counter(), time.process_time()
            builder.build()
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        results[name] = statistics.median(times)
        results[name + " CPU"] = statistics.median(cpu)  # steadier than wall time on a busy machine
        results[name + " pages"] = builder.last_rendered
    return results


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# When the page now shown first painted, in ms since the epoch (null if the browser has no entry).
PAINTED = """() => {
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    return paint ? performance.timeOrigin + paint.startTime : null;
}"""


def time_in_browser(config: Path, runs: int, search: bool, poll: bool = False) -> dict[str, float]:
    """Median seconds from saving a topic to its new text being visible in an open tab."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    cmd = [sys.executable, "-m", "studyguide", "serve", "-f", str(config), "--port", str(port)]
    cmd += ([] if search else ["--no-search"]) + (["--poll"] if poll else [])
    server = subprocess.Popen(cmd, cwd=config.parent,
                              env=dict(os.environ, PYTHONPATH=str(ROOT)),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url, timeout=5).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the preview server did not start") from None
                time.sleep(0.1)
        topic = a_topic(config)
        domain_slug = topic.parent.name.split("-", 1)[1]
        results = {}
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            page = browser.new_page()
            page.goto(url + domain_slug + "/")
            for name, edit, locate in (
                ("body edit", edit_body, lambda text: page.get_by_text(text, exact=False)),
                ("title edit", edit_title, lambda text: page.locator(".card-title", has_text=text)),
            ):
                times = []
                for n in range(runs):
                    time.sleep(0.5)  # let the previous reload settle
                    start = time.time()
                    text = edit(topic, n + 100)
                    locate(text).first.wait_for(state="attached", timeout=10_000)
                    # Visible = the reloaded page's first paint (the browser's own clock, in ms since
                    # the epoch like time.time()), not when Playwright's polling noticed the text.
                    painted = page.evaluate(PAINTED)
                    times.append((painted / 1000 if painted else time.time()) - start)
                results[name] = statistics.median(times)
            browser.close()
        return results
    finally:
        server.terminate()
        server.wait(10)


def report(label: str, results: dict[str, float]) -> None:
    parts = []
    for key, value in results.items():
        parts.append(f"{key} {value:.0f}" if key.endswith("pages") else f"{key} {value:.3f} s")
    print(f"{label:<42}" + " · ".join(parts), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--topics", type=int, default=10000, help="size of the synthetic guide (0: skip)")
    parser.add_argument("--search", action="store_true", help="also index for search (as serve does by default)")
    parser.add_argument("--corpus", type=int, default=1000, help="size of the shared peer corpus (0: skip)")
    parser.add_argument("--bench-tools", type=Path,
                        default=Path(os.environ.get("STUDYGUIDE_BENCH_TOOLS", DEFAULT_TOOLS)))
    parser.add_argument("--no-browser", action="store_true", help="skip (c)")
    parser.add_argument("--browser-only", action="store_true", help="only (c)")
    parser.add_argument("--watch", choices=["both", "events", "poll"], default="both",
                        help="(c) with file-system events, with --poll, or both")
    args = parser.parse_args()
    print(f"medians of {args.runs} runs; search {'on' if args.search else 'off'}; "
          f"pages = pages rendered by the last rebuild (the rest were reused); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        guides: list[tuple[str, Callable[[], Path]]] = []
        if (ROOT / "content").is_dir() and (ROOT / "studyguide.yml").is_file():
            guides.append(("(a) bundled guide", lambda: copy_project(ROOT / "studyguide.yml", tmp / "bundled")))
        guides.append(("(a) test fixture", lambda: copy_project(ROOT / "tests/fixtures/mini/studyguide.yml",
                                                                 tmp / "mini")))
        if args.topics:
            guides.append((f"(b) synthetic {args.topics} topics", lambda: make_guide(tmp / "synthetic", args.topics)))
        if args.corpus and (args.bench_tools / "gen_corpus.py").exists():
            guides.append((f"(b) peer corpus {args.corpus} topics", lambda: emit(
                args.bench_tools, tmp / "corpus", args.corpus, mkdocs=False) / "studyguide" / "studyguide.yml"))
        for label, make in [] if args.browser_only else guides:
            config = make()
            report(label, time_rebuilds(config, tmp / "out" / config.parent.name / "site", args.runs, args.search))
        if not args.no_browser and (ROOT / "content").is_dir() and os.access(CHROMIUM, os.X_OK):
            for poll in [p for p in (False, True) if args.watch in ("both", "poll" if p else "events")]:
                config = copy_project(ROOT / "studyguide.yml", tmp / f"browser-{poll}")
                report(f"(c) bundled, save → visible, {'polling' if poll else 'events'}",
                       time_in_browser(config, args.runs, args.search, poll))


if __name__ == "__main__":
    main()
