"""Practice page timing: how soon after ``load`` the practice page is ready to use, in Chromium.

    python benchmarks/practice_bench.py [--config studyguide.yml] [--runs 9]

Builds the bundled guide (or the fixture guide when content/ is absent) with ``--no-search``, serves
it on 127.0.0.1 and loads ``practice/`` --runs times, each in a fresh context (empty cache and
storage). It prints medians of the ``load`` event and of the mark practice.js sets once the first
card is shown and the keys work (``studyguide:practice-ready``), both from navigation start, and
the gap between them (negative: ready before ``load``, as deferred scripts run first), and the time
from the last byte of HTML to ready (parsing 132 hidden cards plus the scripts). Goal: ready < 100 ms
after load. A second series runs with a stored history
of a grade for every card (a learner two weeks in), which is the slower case for the queue.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chromium import launch as launch_chromium  # noqa: E402
from localserver import serve_quietly  # noqa: E402

from studyguide.commands.build import build  # noqa: E402
from studyguide.content.loader import Loader  # noqa: E402
from studyguide.render.study import guide_id, practice_cards  # noqa: E402

GOAL_MS = 100.0

TIMES = """() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const ready = performance.getEntriesByName('studyguide:practice-ready')[0];
    return {load: nav.loadEventStart, html: nav.responseEnd, ready: ready ? ready.startTime : null};
}"""


def history(config: Path) -> tuple[str, str]:
    """A localStorage entry in which every card was graded once, 14 days ago."""
    guide = Loader().load(config)
    now = int(time.time() * 1000)
    day = 864e5
    cards, log = {}, []
    for i, card in enumerate(practice_cards(guide)):
        reviewed = now - 14 * day + i * 60_000
        cards[card.anchor] = {"due": reviewed + (i % 20) * day, "stability": 5.0, "difficulty": 5.0,
                              "elapsed_days": 0, "scheduled_days": i % 20, "reps": 1, "lapses": 0,
                              "state": 2, "last_review": reviewed}
        log.append({"id": card.anchor, "rating": 3, "state": 0, "due": reviewed, "stability": 0,
                    "difficulty": 0, "elapsed_days": 0, "last_elapsed_days": 0, "scheduled_days": 0,
                    "review": reviewed})
    data = {"app": "studyguide-progress", "format": 1, "guide": guide_id(guide), "marks": {},
            "cards": cards, "log": log, "settings": {}}
    return f"studyguide:progress:{guide_id(guide)}:/", json.dumps(data)


def measure(base: str, runs: int, storage: tuple[str, str] | None) -> list[dict[str, float]]:
    from playwright.sync_api import sync_playwright

    found = []
    with sync_playwright() as p:
        browser = launch_chromium(p)
        for _ in range(runs):
            context = browser.new_context()
            if storage:
                key, value = storage
                context.add_init_script(f"localStorage.setItem({json.dumps(key)}, {json.dumps(value)})")
            page = context.new_page()
            page.goto(base + "practice/", wait_until="load")
            page.wait_for_function("performance.getEntriesByName('studyguide:practice-ready').length > 0")
            found.append(page.evaluate(TIMES))
            context.close()
        browser.close()
    return found


def report(name: str, times: list[dict[str, float]]) -> None:
    load = statistics.median(t["load"] for t in times)
    ready = statistics.median(t["ready"] for t in times)
    gap = statistics.median(t["ready"] - t["load"] for t in times)
    since_html = statistics.median(t["ready"] - t["html"] for t in times)
    verdict = "OK" if gap < GOAL_MS else "OVER"
    print(f"{name:<22} load {load:6.1f} ms  ready {ready:6.1f} ms  ready − load {gap:6.1f} ms "
          f"(goal < {GOAL_MS:.0f} ms: {verdict})  ready − HTML received {since_html:6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = ROOT / "studyguide.yml" if (ROOT / "content").is_dir() else ROOT / "tests/fixtures/mini/studyguide.yml"
    parser.add_argument("--config", type=Path, default=default)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        build(args.config, site, search=False)
        server, base = serve_quietly(site)
        cards = len((site / "practice/index.html").read_text("utf-8").split("data-practice-card=")) - 1
        print(f"guide: {args.config}  ({cards} cards on the practice page, {args.runs} runs, medians)")
        report("first visit", measure(base, args.runs, None))
        report("every card reviewed", measure(base, args.runs, history(args.config)))
        server.shutdown()


if __name__ == "__main__":
    main()
