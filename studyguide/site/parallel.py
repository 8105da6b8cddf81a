"""Render a big guide on every core: forked workers each render and write a share of the pages.

Rendering is pure Python (markdown-it, Jinja), so threads would not help; processes do. Workers
are forked after the guide is loaded, so they start with the content model, the templates and the
Markdown cache already in memory and nothing is pickled on the way in. Each worker writes its
pages straight into the build's temporary folder (the swap makes the whole folder appear at once)
and sends back only the pages' paths and kinds — and, when a post-step such as search indexing
will need it, the Markdown it rendered.

A worker that fails for any reason is not trusted to explain why: the main process renders that
share itself, so a template error is raised exactly as in a single-process build (same exception,
same ``templates/FILE:LINE``). Small guides stay in one process, where forking costs more than it
saves (see :data:`MIN_PARALLEL_WEIGHT`).
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..content.model import Guide
from ..markup.parser import markdown_cache_size, remember, rendered_after
from ..render.pages import PageSpec, WrittenPage
from ..render.renderer import Renderer

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

log = logging.getLogger(__name__)

# Markdown characters a page renders, summed over the guide, below which one process is faster
# than forking (about 150 topics of ~2 KB; the bundled guide has ~260 KB and stays single).
MIN_PARALLEL_WEIGHT = 300_000
PAGE_OVERHEAD = 3_000  # a page's fixed cost (sidebar, header) in the same unit as its Markdown


# Pages that show every card again (the one-page edition, the practice cards, the printable sheets).
# A parallel build renders them last, in the main process, once the workers' Markdown is in its
# cache: rendered inside a share, each parsed again every body the other shares had rendered (at
# 1,000 topics that left one share 60 % slower than the other).
WHOLE_GUIDE_KINDS = frozenset({"onepage", "practice-cards", "worksheet"})

# Writes one page (its path and its pieces of HTML) and returns the SHA-256 of the bytes written.
WritePage = Callable[[str, Iterable[str]], str]


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class GuideSize:
    """The Markdown characters of every topic and of every answer: computed once per build (per
    page, it made a 10,000-topic build quadratic)."""

    topics: int
    answers: int

    @classmethod
    def of(cls, guide: Guide) -> GuideSize:
        return cls(sum(len(t.body) for t in guide.topics),
                   sum(len(s.body) for q in guide.questions for s in q.sections))


def page_weight(spec: PageSpec, guide: Guide, size: GuideSize) -> int:
    """Roughly how much work a page is: the Markdown it renders plus a fixed part. The factors are
    measured on the 1,000-topic peer corpus, relative to a domain page's cost per character."""
    topics, answers = size.topics, size.answers
    if spec.kind == "domain":
        return PAGE_OVERHEAD + sum(len(t.body) for t in spec.extra["domain"].topics)
    if spec.kind == "interview":  # the answers, then their text again for the FAQ JSON-LD
        return PAGE_OVERHEAD + answers * 17 // 10
    if spec.kind == "page":
        return PAGE_OVERHEAD + len(spec.extra["page"].body)
    # Pages that show every card again: their Markdown is cached when this process rendered the
    # card's own page, so mostly template work.
    if spec.kind == "onepage":
        return PAGE_OVERHEAD + topics // 5
    if spec.kind == "practice-cards":
        return PAGE_OVERHEAD + (topics + answers) // 8
    if spec.kind == "worksheet":
        return PAGE_OVERHEAD + answers // 10
    if spec.kind in ("home", "tags"):
        return PAGE_OVERHEAD + 100 * len(guide.topics)
    return PAGE_OVERHEAD


def split_shares(weights: list[int], n: int) -> list[list[int]]:
    """Page indexes in `n` shares of about equal weight (heaviest first onto the lightest share),
    each share in page order."""
    shares: list[list[int]] = [[] for _ in range(n)]
    loads = [0] * n
    for i in sorted(range(len(weights)), key=lambda i: -weights[i]):
        lightest = loads.index(min(loads))
        shares[lightest].append(i)
        loads[lightest] += weights[i]
    return [sorted(share) for share in shares if share]


def worker_count(total_weight: int) -> int:
    """How many processes to render with (1: the main process alone)."""
    if total_weight < MIN_PARALLEL_WEIGHT or not hasattr(os, "fork") or sys.platform == "darwin":
        return 1
    if threading.active_count() > 1:  # forking a process with threads can deadlock the child
        return 1
    return max(1, min(available_cpus(), total_weight // MIN_PARALLEL_WEIGHT))


def _write_share(renderer: Renderer, guide: Guide, specs: Iterable[PageSpec],
                 write: WritePage) -> list[WrittenPage]:
    written = []
    for spec, chunks in renderer.iter_chunks(guide, specs):
        written.append(WrittenPage(spec.output_path, spec.kind, write(spec.output_path, chunks)))
    return written


def _worker(conn: Connection, renderer: Renderer, guide: Guide, specs: list[PageSpec], write: WritePage,
            send_markdown: bool) -> None:
    try:
        cached = markdown_cache_size()
        written = _write_share(renderer, guide, specs, write)
        conn.send(("ok", written, rendered_after(cached) if send_markdown else []))
    except BaseException:  # the main process renders this share again and reports the error
        log.debug("render worker failed; its share is rendered again", exc_info=True)
        conn.send(("failed", [], []))
    finally:
        conn.close()


def render_pages(renderer: Renderer, guide: Guide, write: WritePage, *,
                 keep_markdown: bool = False) -> list[WrittenPage]:
    """Render every page of `guide` and `write` each as soon as it is rendered, in parallel when
    the guide is big enough. Returns the written pages in page order.

    `keep_markdown`: bring what the workers rendered back into this process's Markdown cache
    (search indexing reads every body again); it is brought back anyway for the pages of
    :data:`WHOLE_GUIDE_KINDS`.
    """
    specs = renderer.pages(guide)
    size = GuideSize.of(guide)
    weights = [page_weight(spec, guide, size) for spec in specs]
    workers = worker_count(sum(weights))
    if workers == 1:
        return _write_share(renderer, guide, specs, write)
    import multiprocessing  # only here: it imports socket and selectors (~15 ms a small build skips)

    later = [i for i, spec in enumerate(specs) if spec.kind in WHOLE_GUIDE_KINDS]
    first = [i for i, spec in enumerate(specs) if spec.kind not in WHOLE_GUIDE_KINDS]
    # Equal shares, then the whole-guide pages: they cannot start before the last worker is done.
    shares = [[first[j] for j in share] for share in split_shares([weights[i] for i in first], workers)]
    send_markdown = keep_markdown or bool(later)
    context = multiprocessing.get_context("fork")
    running = []
    # Objects that exist at the fork go to the permanent generation: a worker's garbage collector
    # then never walks (and so never copies, page by page) the guide it inherited.
    gc.freeze()
    try:
        for share in shares[1:]:
            ours, theirs = context.Pipe(duplex=False)
            process = context.Process(target=_worker, daemon=True,
                                      args=(theirs, renderer, guide, [specs[i] for i in share], write,
                                            send_markdown))
            process.start()
            theirs.close()
            running.append((process, ours, share))
        by_index = dict(zip(shares[0], _write_share(renderer, guide, [specs[i] for i in shares[0]], write),
                            strict=True))
        for _process, conn, share in running:
            try:
                status, written, markdown = conn.recv()
            except EOFError:  # the worker died without a word (killed, out of memory)
                status, written, markdown = "failed", [], []
            if status != "ok":
                written = _write_share(renderer, guide, [specs[i] for i in share], write)
            remember(markdown)
            by_index.update(zip(share, written, strict=True))
        by_index.update(zip(later, _write_share(renderer, guide, [specs[i] for i in later], write), strict=True))
        log.debug("rendered %d pages in %d processes", len(specs), workers)
        return [by_index[i] for i in range(len(specs))]
    finally:
        gc.unfreeze()
        for process, conn, _ in running:
            conn.close()
            if process.is_alive():
                process.terminate()
            process.join()


def page_writer(folder: Path) -> WritePage:
    """Write a page into `folder` as its pieces arrive, making its parent folders as needed.

    The SHA-256 of each page is taken on the way out, so that the offline step's precache hash
    need not read the site back in (at 10,000 topics it is 1.9 GB of pages)."""
    made: set[Path] = set()

    def write(path: str, chunks: Iterable[str]) -> str:
        target = folder / path
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        digest = hashlib.sha256()
        with open(target, "wb") as out:
            for chunk in chunks:
                data = chunk.encode("utf-8")
                digest.update(data)
                out.write(data)
        return digest.hexdigest()

    return write
