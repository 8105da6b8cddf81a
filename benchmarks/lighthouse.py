"""Lighthouse scores for every page type of the bundled guide (a benchmark, not a test).

    python benchmarks/lighthouse.py [--config studyguide.yml] [--runs 1] [--page KIND] [--keep DIR]
                                    [--lighthouse PATH]

Builds the guide (with search) into a temporary folder, serves it on 127.0.0.1 the way GitHub Pages
does (gzip for text), and runs npm's ``lighthouse`` (pinned: ``npm i -E lighthouse@12.2.3``; found
in ``~/.cache/studyguide/lighthouse`` or on PATH) with its default mobile emulation and simulated
throttling, driving Debian's Chromium through ``CHROME_PATH``. Prints one row per page type: the
four category scores (median of --runs), then the metrics that decide performance and every audit
that lost points.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chromium import CHROMIUM  # noqa: E402
from localserver import QuietHandler, serve_quietly  # noqa: E402
from page_weight import page_urls  # noqa: E402 - the same page of each type

from studyguide.commands.build import build  # noqa: E402

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
METRICS = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift",
           "speed-index")
DEFAULT_LIGHTHOUSE = Path.home() / ".cache/studyguide/lighthouse/node_modules/.bin/lighthouse"
TEXT = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt")


class GzipHandler(QuietHandler):
    """Static files, gzipped when the client accepts it (as GitHub Pages serves them)."""

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not urlsplit(self.path).path.endswith("/"):
                return super().send_head()  # the redirect to the folder's URL
            path = path / "index.html"
        if path.suffix not in TEXT or "gzip" not in self.headers.get("Accept-Encoding", "") or not path.is_file():
            return super().send_head()
        body = gzip.compress(path.read_bytes())
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


def run_lighthouse(lighthouse: str, url: str, out: Path) -> dict:
    env = dict(os.environ, CHROME_PATH=CHROMIUM)
    subprocess.run([lighthouse, url, "--quiet", "--output=json", f"--output-path={out}",
                    f"--only-categories={','.join(CATEGORIES)}",
                    "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"],
                   env=env, check=True, capture_output=True, timeout=300)
    return json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "studyguide.yml")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--page", action="append", help="only this page type (repeatable)")
    parser.add_argument("--keep", type=Path, help="keep every report's JSON in this folder")
    parser.add_argument("--lighthouse", default=str(DEFAULT_LIGHTHOUSE) if DEFAULT_LIGHTHOUSE.exists()
                        else shutil.which("lighthouse"))
    args = parser.parse_args()
    if not args.lighthouse:
        sys.exit("lighthouse not found: npm i -E --prefix ~/.cache/studyguide/lighthouse lighthouse@12.2.3")

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        build(args.config, site, search=True)
        server, base = serve_quietly(site, GzipHandler)
        print(f"lighthouse {args.lighthouse}, mobile emulation, {args.runs} run(s) per page, median")
        print(f"{'page':<11}" + "".join(f"{c[:13]:>15}" for c in CATEGORIES) + "   FCP     LCP     TBT    CLS   bytes")
        lost: dict[str, set[str]] = {}
        reports_dir = args.keep or Path(tmp)
        reports_dir.mkdir(parents=True, exist_ok=True)
        for kind, path in page_urls(args.config, site).items():
            if args.page and kind not in args.page:
                continue
            reports = [run_lighthouse(args.lighthouse, base + path, reports_dir / f"{kind}-{n}.json")
                       for n in range(args.runs)]
            scores = {c: statistics.median(round(100 * (r["categories"][c]["score"] or 0)) for r in reports)
                      for c in CATEGORIES}
            audits = reports[-1]["audits"]
            metric = {m: statistics.median(r["audits"][m]["numericValue"] for r in reports) for m in METRICS}
            weight = audits["total-byte-weight"]["numericValue"]
            print(f"{kind:<11}" + "".join(f"{scores[c]:>15}" for c in CATEGORIES)
                  + f"{metric['first-contentful-paint'] / 1000:>6.2f}s{metric['largest-contentful-paint'] / 1000:>6.2f}s"
                  + f"{metric['total-blocking-time']:>6.0f}ms{metric['cumulative-layout-shift']:>6.3f}{weight / 1024:>7.1f}K")
            for category in CATEGORIES:
                for ref in reports[-1]["categories"][category]["auditRefs"]:
                    audit = audits[ref["id"]]
                    if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                        lost.setdefault(f"{category}: {ref['id']} ({audit['title']})", set()).add(kind)
        server.shutdown()
    print()
    for audit, kinds in sorted(lost.items()):
        print(f"  lost points — {audit}: {', '.join(sorted(kinds))}")
    if not lost:
        print("  no audit lost points")


if __name__ == "__main__":
    main()
