"""Full-build benchmark: prints the median wall time of a build for synthetic guides and the bundled one.

    python benchmarks/build_bench.py [--sizes 100 1000 10000] [--runs 5]

Each run is a cold build in this process (parse caches and the Markdown cache are cleared first),
without search indexing (search has its own benchmark) and excluding interpreter start-up.
Goals on a 2-core machine: bundled guide < 0.5 s; linear growth (10,000 topics < 15 s); the
bundled guide with its diagrams drawn from the committed cache within 10% of the same build with
them left to the browser (``diagrams: {renderer: browser}``, what every build did before build-time
diagrams) — both rows are printed, and their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import make_guide  # noqa: E402

from studyguide.markup.parser import clear_markdown_cache  # noqa: E402
from studyguide.site.builder import SiteBuilder  # noqa: E402


def browser_diagrams_copy(folder: Path) -> Path:
    """The bundled guide configured to leave its diagrams to the reader's browser."""
    folder.mkdir(parents=True)
    (folder / "content").symlink_to(ROOT / "content")
    config = folder / "studyguide.yml"
    config.write_text((ROOT / "studyguide.yml").read_text(encoding="utf-8") + "\ndiagrams:\n  renderer: browser\n",
                      encoding="utf-8")
    return config


def time_build(config: Path, out: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        clear_markdown_cache()
        builder = SiteBuilder(config, out, search=False)  # a new builder: no parse cache
        start = time.perf_counter()
        builder.build()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"{'guide':<28}{'topics':>8}{'median s':>10}{'min s':>8}{'ms/topic':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        rows = [("bundled (content/)", ROOT / "studyguide.yml", 95),
                ("bundled, browser diagrams", browser_diagrams_copy(Path(tmp) / "browser"), 95)]
        for n in args.sizes:
            rows.append((f"synthetic {n}", make_guide(Path(tmp) / f"g{n}", n), n))
        medians = {}
        for name, config, n in rows:
            runs = args.runs if n <= 1000 else max(3, args.runs // 2)
            times = time_build(config, Path(tmp) / "out" / name.replace(" ", "-").replace(",", ""), runs)
            medians[name] = median = statistics.median(times)
            print(f"{name:<28}{n:>8}{median:>10.3f}{min(times):>8.3f}{1000 * median / n:>10.2f}", flush=True)
        ratio = medians["bundled (content/)"] / medians["bundled, browser diagrams"]
        print(f"\ndiagrams drawn from the cache / left to the browser: {ratio:.2f}× (goal ≤ 1.10×)")


if __name__ == "__main__":
    main()
