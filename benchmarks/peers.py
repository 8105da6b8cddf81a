"""Peer benchmark: studyguide against Hugo (and MkDocs + Material when installed) on one corpus.

    python benchmarks/peers.py [--sizes 95 1000 10000] [--runs 5] [--search] [--smoke]

Emits the shared benchmark corpus (``../shared/bench/``: ``gen_corpus.py`` and its ``to_*.py``
emitters; ``--bench-tools`` or ``STUDYGUIDE_BENCH_TOOLS`` point elsewhere) for every tool at each
size, then times whole processes, interleaved (studyguide, Hugo, studyguide, Hugo, …) after one
untimed warm-up each, so that both see the same machine load. Prints per tool and size the median
and min–max wall time, the peak RSS (the child's ``ru_maxrss``) and the median of the per-round
studyguide/Hugo ratios, the median CPU time (user + system: steadier than wall time on a busy
machine, but it counts both cores' work), with the load average before and after. ``--search`` adds a studyguide
build with search indexing as a third command. ``--smoke`` is 95 topics, one run, for CI: it
proves the benchmark still runs, it asserts no timing.

Targets (issue #13): ``--no-search`` ≤ 1.0× Hugo at 1,000 and 10,000 topics and ≤ 0.15 s at 95;
peak RSS at 10,000 ≤ 600 MB; with search, 1,000 topics ≤ 2× the no-search build.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TOOLS = ROOT.parent / "shared" / "bench"


@dataclass
class Command:
    name: str
    argv: list[str]
    out: Path  # cleared before every run, so each build starts from the same state
    env: dict[str, str] | None = None
    times: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user + system seconds (children included)


def run_once(cmd: Command) -> tuple[float, int, float]:
    """Wall time, peak RSS (KB) and CPU time of one whole process; raises if it fails."""
    shutil.rmtree(cmd.out, ignore_errors=True)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd.argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=cmd.env)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode:
        raise SystemExit(f"{cmd.name} failed (exit {proc.returncode}):\n  {' '.join(cmd.argv)}\n{stderr}")
    return seconds, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def emit(tools: Path, work: Path, n: int, mkdocs: bool) -> Path:
    """The corpus for `n` topics as a studyguide project, a Hugo site and (maybe) a MkDocs site."""
    base = work / f"n{n}"
    corpus = base / "corpus.json"
    if not corpus.exists():
        base.mkdir(parents=True, exist_ok=True)
        py = sys.executable
        subprocess.run([py, str(tools / "gen_corpus.py"), str(n), str(corpus)], check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run([py, str(tools / "to_studyguide.py"), str(corpus), str(base / "studyguide")], check=True)
        subprocess.run([py, str(tools / "to_hugo.py"), str(corpus), str(base / "hugo")], check=True)
    if mkdocs and not (base / "mkdocs").exists():
        subprocess.run([sys.executable, str(tools / "to_mkdocs.py"), str(corpus), str(base / "mkdocs")],
                       check=True)
    return base


def studyguide_argv() -> list[str]:
    exe = Path(sys.executable).parent / "studyguide"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "studyguide"]


def commands(base: Path, out: Path, search: bool, mkdocs: bool) -> list[Command]:
    config = str(base / "studyguide" / "studyguide.yml")
    sg = studyguide_argv()
    cmds = [
        Command("studyguide", [*sg, "-q", "build", "-f", config, "--out", str(out / "sg"), "--no-search"],
                out / "sg"),
        Command("hugo", ["hugo", "--quiet", "-s", str(base / "hugo"), "-d", str(out / "hugo")], out / "hugo"),
    ]
    if search:
        cmds.append(Command("studyguide+search", [*sg, "-q", "build", "-f", config, "--out", str(out / "sgs")],
                            out / "sgs"))
    if mkdocs:
        env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
        cmds.append(Command("mkdocs", ["mkdocs", "build", "-q", "-f", str(base / "mkdocs" / "mkdocs.yml"),
                                       "-d", str(out / "mkdocs")], out / "mkdocs", env))
    return cmds


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def fmt_s(seconds: float) -> str:
    return f"{seconds:.3f}" if seconds < 10 else f"{seconds:.1f}"


def compile_bytecode() -> None:
    """Write studyguide's .pyc files, as ``pip install .`` does. The warm-up run cannot when
    PYTHONDONTWRITEBYTECODE is set (it is on these machines), and an editable install has none: every
    timed run then compiled ~100 modules from source, ~0.1 s that no installed copy pays."""
    compileall.compile_dir(str(ROOT / "studyguide"), quiet=1)


def bench(n: int, cmds: list[Command], runs: int) -> list[str]:
    for cmd in cmds:  # warm-up: page cache, the build cache
        run_once(cmd)
    before = load()
    for _ in range(runs):
        for cmd in cmds:  # interleaved: every round sees the same machine
            seconds, rss, cpu = run_once(cmd)
            cmd.times.append(seconds)
            cmd.rss_kb.append(rss)
            cmd.cpu.append(cpu)
    after = load()
    hugo = next(c for c in cmds if c.name == "hugo")
    rows = []
    for cmd in cmds:
        ratio = statistics.median(a / b for a, b in zip(cmd.times, hugo.times, strict=True))
        rows.append(f"{n:>7} {cmd.name:<18} {fmt_s(statistics.median(cmd.times)):>8} "
                    f"{fmt_s(min(cmd.times)):>8}–{fmt_s(max(cmd.times)):<8} "
                    f"{max(cmd.rss_kb) / 1024:>8.0f} {ratio:>7.2f}× {fmt_s(statistics.median(cmd.cpu)):>7}   "
                    f"{before} → {after}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[95, 1000, 10000])
    parser.add_argument("--runs", type=int, default=5, help="timed rounds per size (10,000: at most 3)")
    parser.add_argument("--search", action="store_true", help="also time a build with search")
    parser.add_argument("--smoke", action="store_true", help="95 topics, one run (CI)")
    parser.add_argument("--no-mkdocs", action="store_true", help="skip MkDocs even when installed")
    parser.add_argument("--bench-tools", type=Path,
                        default=Path(os.environ.get("STUDYGUIDE_BENCH_TOOLS", DEFAULT_TOOLS)))
    parser.add_argument("--work", type=Path, default=None, help="keep the emitted corpora here")
    args = parser.parse_args()
    if args.smoke:
        args.sizes, args.runs = [95], 1
    if not (args.bench_tools / "gen_corpus.py").exists():
        raise SystemExit(f"no benchmark corpus tools in {args.bench_tools} (give --bench-tools or "
                         f"STUDYGUIDE_BENCH_TOOLS)")
    if shutil.which("hugo") is None:
        raise SystemExit("hugo is not installed (apt-get install -y hugo)")
    mkdocs = not args.no_mkdocs and shutil.which("mkdocs") is not None
    work = args.work or Path(tempfile.mkdtemp(prefix="studyguide-peers-"))
    compile_bytecode()
    hugo_version = subprocess.run(["hugo", "version"], capture_output=True, text=True).stdout.split()[1]
    print(f"{os.cpu_count()} CPUs; hugo {hugo_version}; load average 1/5/15 min per size (before → after)")
    print(f"{'topics':>7} {'tool':<18} {'median s':>8} {'min–max s':>17} {'peak MB':>8} {'÷ Hugo':>8} {'CPU s':>7}   load")
    try:
        for n in args.sizes:
            base = emit(args.bench_tools, work, n, mkdocs)
            cmds = commands(base, work / "out", args.search, mkdocs)
            for row in bench(n, cmds, args.runs if n < 10000 else min(args.runs, 3)):
                print(row, flush=True)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
