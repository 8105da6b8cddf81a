"""Full-build benchmark: prints the median wall time of a build for synthetic guides and the bundled one.

    python benchmarks/build_bench.py [--sizes 100 1000 10000] [--runs 5]

Each run is a cold build in this process (parse caches and the Markdown cache are cleared first),
without search indexing (search has its own benchmark) and excluding interpreter start-up.
Goals on a 2-core machine: bundled guide < 0.5 s; linear growth (10,000 topics < 15 s); the
bundled guide with its diagrams drawn from the committed cache within 10% of the same build with
them left to the browser (``diagrams: {renderer: browser}``, what every build did before build-time
diagrams) — both rows are printed, and their ratio; their runs alternate, so that a neighbour's load
falls on both alike, and the ratio is given in CPU time (this process) too.
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


def time_one_build(config: Path, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one cold build."""
    clear_markdown_cache()
    builder = SiteBuilder(config, out, search=False)  # a new builder: no parse cache
    start, cpu = time.perf_counter(), time.process_time()
    builder.build()
    return time.perf_counter() - start, time.process_time() - cpu


def time_build(config: Path, out: Path, runs: int) -> list[float]:
    return [time_one_build(config, out)[0] for _ in range(runs)]


def row(name: str, n: int, times: list[float]) -> str:
    median = statistics.median(times)
    return f"{name:<28}{n:>8}{median:>10.3f}{min(times):>8.3f}{1000 * median / n:>10.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"{'guide':<28}{'topics':>8}{'median s':>10}{'min s':>8}{'ms/topic':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        pair = {"bundled (content/)": ROOT / "studyguide.yml",
                "bundled, browser diagrams": browser_diagrams_copy(Path(tmp) / "browser")}
        wall: dict[str, list[float]] = {name: [] for name in pair}
        cpu: dict[str, list[float]] = {name: [] for name in pair}
        for _ in range(args.runs):  # alternating
            for name, config in pair.items():
                seconds, cpu_seconds = time_one_build(config, Path(tmp) / "out" / str(len(name)))
                wall[name].append(seconds)
                cpu[name].append(cpu_seconds)
        for name in pair:
            print(row(name, 95, wall[name]), flush=True)
        for n in args.sizes:
            runs = args.runs if n <= 1000 else max(3, args.runs // 2)
            print(row(f"synthetic {n}", n, time_build(make_guide(Path(tmp) / f"g{n}", n), Path(tmp) / "out" / str(n),
                                                      runs)), flush=True)
        drawn, browser = pair
        ratio = statistics.median(wall[drawn]) / statistics.median(wall[browser])
        cpu_ratio = statistics.median(cpu[drawn]) / statistics.median(cpu[browser])
        print(f"\ndiagrams drawn from the cache / left to the browser: {ratio:.2f}× wall, {cpu_ratio:.2f}× CPU"
              " (goal ≤ 1.10×)")


if __name__ == "__main__":
    main()
