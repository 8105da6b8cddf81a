"""Scale benchmark: one huge topic file and a guide of 10,000+ files, with time and peak memory.

    python benchmarks/scale_bench.py                 # the full run (a few minutes on 2 cores)
    python benchmarks/scale_bench.py --quick         # smaller sizes, for a smoke test

Two series, each at three sizes so growth is visible (linear: time/size stays flat; quadratic:
it doubles when the size doubles):

* **big topic** — one topic whose Markdown body is 1.25, 2.5 and 5 MB of realistic prose, lists,
  tables, code and links; plus a 5 MB body that is a *single paragraph* (the worst case for inline
  parsing).
* **many files** — synthetic guides (``benchmarks/synthetic.py``) of about 2,500, 5,000 and 10,000
  content files (topics, questions, group/domain metadata, diagrams).

Every measurement runs in a fresh subprocess, so ``ru_maxrss`` is that case's own peak resident
memory and no cache carries over. Reported: files, MB of content, build wall and CPU seconds (load,
render, write; no search index), site-check seconds (links, anchors, ids, alt, titles — no external
tools) and peak RSS. Growth is judged on CPU seconds per unit, which a busy machine disturbs less.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import WORDS, make_guide  # noqa: E402

# Topics per guide for roughly 2,500 / 5,000 / 10,000 files (make_guide adds 0.4 questions per topic,
# a group per 10 questions and two files per domain).
FILE_SERIES = {2500: 1770, 5000: 3540, 10000: 7080}
MB_SERIES = (1.25, 2.5, 5.0)


def big_body(megabytes: float, *, single_paragraph: bool = False, seed: int = 11) -> str:
    """Markdown of about `megabytes` MB: sections of prose, lists, tables, code and links."""
    rng = random.Random(seed)
    target = int(megabytes * 1_000_000)

    def sentence() -> str:
        words = rng.choices(WORDS, k=rng.randint(8, 20))
        if rng.random() < 0.3:
            words.insert(rng.randint(1, len(words) - 1), f"**{rng.choice(WORDS)}**")
        if rng.random() < 0.2:
            words.insert(rng.randint(1, len(words) - 1), f"[{rng.choice(WORDS)}](#topic-1)")
        if rng.random() < 0.2:
            words.insert(rng.randint(1, len(words) - 1), f"`{rng.choice(WORDS)}()`")
        return " ".join(words).capitalize() + "."

    parts: list[str] = []
    size = 0
    n = 0
    while size < target:
        n += 1
        if single_paragraph:
            block = sentence() + " "
        else:
            kind = n % 6
            if kind == 0:
                block = f"## Section {n}\n\n"
            elif kind == 1:
                block = "\n".join(f"- {sentence()}" for _ in range(5)) + "\n\n"
            elif kind == 2:
                rows = "\n".join(f"| {rng.choice(WORDS)} | {rng.randint(1, 999)} ms | {sentence()} |" for _ in range(6))
                block = f"| Name | Latency | Notes |\n|---|---|---|\n{rows}\n\n"
            elif kind == 3:
                block = "```python\n" + "\n".join(f"{w} = compute({rng.randint(0, 99)})" for w in rng.sample(WORDS, 8)) + "\n```\n\n"
            else:
                block = " ".join(sentence() for _ in range(6)) + "\n\n"
        parts.append(block)
        size += len(block)
    return "".join(parts)


def make_big_topic_guide(root: Path, megabytes: float, single_paragraph: bool) -> Path:
    config = make_guide(root, 20)
    topic = next(sorted((root / "content" / "domains").iterdir())[0].glob("001-*.md"))
    head = topic.read_text(encoding="utf-8").split("\n---\n", 1)[0]
    topic.write_text(head + "\n---\n" + big_body(megabytes, single_paragraph=single_paragraph), encoding="utf-8")
    return config


def cpu_seconds() -> float:
    """CPU time of this process: steadier than wall time on a shared machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(case: str, size: float) -> dict:
    """Runs inside the child process: generate, build, check; report figures as JSON."""
    from studyguide.check.builtsite import check_site
    from studyguide.site.builder import SiteBuilder

    with tempfile.TemporaryDirectory(prefix="sg-scale-") as tmp:
        root = Path(tmp) / "guide"
        if case == "many-files":
            config = make_guide(root, FILE_SERIES[int(size)])
        else:
            config = make_big_topic_guide(root, size, single_paragraph=(case == "one-paragraph"))
        files = [p for p in (root / "content").rglob("*") if p.is_file()]
        content_mb = sum(p.stat().st_size for p in files) / 1e6
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        cpu_start, start = cpu_seconds(), time.perf_counter()
        result = SiteBuilder(config, Path(tmp) / "site", search=False).build()
        build_s, build_cpu = time.perf_counter() - start, cpu_seconds() - cpu_start
        start = time.perf_counter()
        report = check_site(result.out_dir, result.guide, html=False, diagrams=False)
        check_s = time.perf_counter() - start
        site_mb = sum(p.stat().st_size for p in result.out_dir.rglob("*") if p.is_file()) / 1e6
        return {"case": case, "size": size, "files": len(files), "content_mb": round(content_mb, 2),
                "pages": result.pages, "site_mb": round(site_mb, 1), "build_s": round(build_s, 2),
                "build_cpu": round(build_cpu, 2),
                "check_s": round(check_s, 2), "errors": len(report.errors),
                "rss_start_mb": round(rss_before), "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def run_child(case: str, size: float) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", case, str(size)], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{case} {size} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a smoke test)")
    parser.add_argument("--child", nargs=2, metavar=("CASE", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child[0], float(args.child[1]))))
        return
    scale = 0.1 if args.quick else 1.0
    plan = [("big-topic", mb * scale) for mb in MB_SERIES] + [("one-paragraph", MB_SERIES[-1] * scale)]
    plan += [("many-files", n) for n in (FILE_SERIES if not args.quick else [2500])]
    print(f"{'case':<14}{'files':>7}{'content MB':>11}{'pages':>7}{'site MB':>9}{'build s':>9}{'cpu s':>7}"
          f"{'check s':>9}{'peak MB':>9}{'build cpu s per unit':>22}")
    previous: dict[str, float] = {}
    for case, size in plan:
        row = run_child(case, size)
        unit = row["content_mb"] if case != "many-files" else row["files"] / 1000
        per = row["build_cpu"] / unit
        growth = f" (x{per / previous[case]:.2f})" if case in previous else ""
        previous[case] = per
        print(f"{case:<14}{row['files']:>7}{row['content_mb']:>11.2f}{row['pages']:>7}{row['site_mb']:>9.1f}"
              f"{row['build_s']:>9.2f}{row['build_cpu']:>7.2f}{row['check_s']:>9.2f}{row['peak_rss_mb']:>9}"
              f"{per:>14.2f} /{'MB' if case != 'many-files' else 'kf'}{growth}", flush=True)
        if row["errors"]:
            print(f"  warning: the site check found {row['errors']} errors", flush=True)


if __name__ == "__main__":
    main()
