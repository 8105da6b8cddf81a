"""Search indexing: one Pagefind record per topic card, interview question and free page.

Why records built from the content model, not a crawl of the built pages: Pagefind makes one result
per *page* and puts headings of that page into ``sub_results``. A domain page holds ten topic cards,
the interview page every question, and Pagefind's filters (badge, kind, domain) apply to whole
pages — so a crawl could neither filter questions by badge nor return a card as its own result.
Instead every card becomes a small HTML document of its own, added with the card's anchor as its
URL (``/rag/#query-rewriting-hyde``). Being HTML, it keeps Pagefind's weighting (the ``<h1>`` title
counts most, tags more than body text) and its ``data-pagefind-meta`` / ``data-pagefind-filter``
attributes. Navigation pages (home, tags, 404) are never added, so they cannot show up in results.

The index is written to ``pagefind/`` inside the temporary build folder before the atomic swap
(see :mod:`studyguide.builder`), so a failed indexing run leaves the previous site untouched.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import errno
import json
import logging
import shutil
import time
from collections.abc import Coroutine, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from markupsafe import Markup, escape

from ..content.model import Domain, Group, Guide, Page, Question, Topic
from ..markup.diagrams import DIAGRAM_MARKER
from ..markup.parser import render_inline, render_markdown
from .swap import disk_nearly_full

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Folder of the search bundle inside the site; static/js/search.js loads ``pagefind/pagefind.js``.
INDEX_DIR = "pagefind"

#: Pagefind writes its ready-made UIs too; the site uses its own (static/js/search.js), so these
#: are dropped to keep deploys small. ``pagefind.js``, its worker, the wasm and the index stay.
UNUSED_BUNDLE_FILES = (
    "pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
    "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js",
)

#: Mermaid source is diagram syntax (``A --> B``), not prose: keep it out of the index.
EXCLUDE_SELECTORS = [f"[{DIAGRAM_MARKER}]"]

# Pagefind weights (0–10, body text is 1; headings get 7 for h1 down to 2 automatically).
WEIGHT_SUBTITLE = "4"
WEIGHT_TAGS = "5"
WEIGHT_WHERE = "0.5"  # "RAG" should find RAG cards, but below cards that talk about RAG


#: How long the indexer may take to finish writing and exit after its input is closed.
SHUTDOWN_GRACE_SECONDS = 30
#: A bundle with an empty file is never published: index again, this many times at most.
INDEX_ATTEMPTS = 3


class SearchIndexError(OSError):
    """Indexing failed (Pagefind missing or it refused a record).

    An ``OSError`` so the CLI reports it as a message with exit 1 and no traceback, like any other
    failure to write the site; the previous site stays as it was.
    """


@dataclass(frozen=True)
class SearchRecord:
    """One search result: its URL (site-absolute; the browser prefixes the real base path) and the
    small HTML document Pagefind reads for its text, meta and filters."""

    url: str
    html: str


def _attrs(prefix: str, values: dict[str, str]) -> Markup:
    """``data-pagefind-meta``/``-filter`` read from attributes, so commas and colons in a value
    (``Interview Q&As: RAG, Agents``) are kept verbatim instead of splitting it."""
    keys = ", ".join(f"{key}[data-{key}]" for key in values)
    data = " ".join(f'data-{key}="{escape(value)}"' for key, value in values.items())
    return Markup(f'<span {prefix}="{keys}" {data}></span>')


def _document(language: str, *, meta: dict[str, str], filters: dict[str, str], body: str) -> str:
    return (f'<html lang="{escape(language)}"><body>'
            f'{_attrs("data-pagefind-meta", meta)}{_attrs("data-pagefind-filter", filters)}'
            f"{body}</body></html>")


def _tags_html(tags: tuple[str, ...]) -> str:
    items = "".join(f"<li>{escape(tag)}</li>" for tag in tags)
    return f'<ul data-pagefind-weight="{WEIGHT_TAGS}">{items}</ul>' if items else ""


def _where_html(where: str) -> str:
    return f'<p data-pagefind-weight="{WEIGHT_WHERE}">{escape(where)}</p>'


def topic_record(domain: Domain, topic: Topic, language: str) -> SearchRecord:
    where = f"{domain.label} · {domain.name}"
    body = (f'<h1>{escape(topic.title)}</h1>'
            f'<p data-pagefind-weight="{WEIGHT_SUBTITLE}">{escape(topic.subtitle)}</p>'
            f"{_tags_html(topic.tags)}{render_markdown(topic.body)}{_where_html(where)}")
    html = _document(language, body=body,
                     meta={"title": topic.title, "kind": "topic", "where": where},
                     filters={"kind": "topic", "domain": domain.name})
    return SearchRecord(f"/{domain.path}#{topic.anchor}", html)


def question_record(interview_path: str, group: Group, question: Question, language: str) -> SearchRecord:
    where = f"Interview · {group.name}"
    sections = "".join(f"<h2>{render_inline(s.heading)}</h2>{render_markdown(s.body)}" for s in question.sections)
    badge = f"<p>{escape(question.badge)}</p>" if question.badge else ""
    body = f"<h1>{escape(question.id)} {escape(question.question)}</h1>{badge}{sections}{_where_html(where)}"
    meta = {"title": question.question, "kind": "question", "where": where, "qid": question.id}
    filters = {"kind": "question", "group": group.name}
    if question.badge:
        meta["badge"] = filters["badge"] = question.badge
    html = _document(language, body=body, meta=meta, filters=filters)
    return SearchRecord(f"/{interview_path}#{question.anchor}", html)


def page_record(page: Page, language: str) -> SearchRecord:
    kicker = f"<p>{escape(page.label)}</p>" if page.label else ""
    body = f"<h1>{escape(page.title)}</h1>{kicker}{render_markdown(page.body)}"
    html = _document(language, body=body, meta={"title": page.title, "kind": "page", "where": "Page"},
                     filters={"kind": "page"})
    return SearchRecord(f"/{page.path}", html)


def iter_records(guide: Guide) -> Iterator[SearchRecord]:
    """Every searchable item of the guide, in reading order. Home, tags and 404 are navigation."""
    language = guide.site.language
    for d in guide.domains:
        for t in d.topics:
            yield topic_record(d, t, language)
    if guide.interview:
        for g in guide.interview.groups:
            for q in g.questions:
                yield question_record(guide.interview.path, g, q, language)
    for p in guide.pages:
        yield page_record(p, language)


def search_records(guide: Guide) -> list[SearchRecord]:
    """:func:`iter_records`, all at once."""
    return list(iter_records(guide))


# --- Pagefind ---------------------------------------------------------------------------------


def _service_class() -> type:
    """Pagefind's indexing service with a reader that dispatches each reply as it arrives.

    The stock reader (pagefind 1.5.x, ``PagefindService._wait_for_responses``) sleeps 0.1 s before
    reading *each* reply, which caps indexing at ten records per second — 17 minutes for a
    10,000-topic guide. This override reads replies back to back; the request side, the protocol
    and the binary are Pagefind's own. Measured in benchmarks/search_bench.py.
    """
    try:
        from pagefind.service import PagefindService
    except ImportError as exc:
        raise SearchIndexError("search indexing needs the 'pagefind[extended]' package "
                               "(pip install 'pagefind[extended]'), or build with --no-search") from exc

    class StreamingPagefindService(PagefindService):
        async def _wait_for_responses(self) -> None:
            try:
                await self._dispatch_replies()
            except (asyncio.IncompleteReadError, OSError, ValueError) as exc:
                # The binary died or spoke garbage: fail every waiting request instead of hanging.
                error = SearchIndexError(f"it stopped answering ({type(exc).__name__})")
                for future in self._responses.values():
                    if not future.done():
                        future.set_exception(error)

        async def _dispatch_replies(self) -> None:
            stdout = self._backend.stdout
            assert stdout is not None
            while True:
                output = await stdout.readuntil(b",")
                response = json.loads(base64.b64decode(output[:-1]))
                if response is None:
                    continue
                message_id = response.get("message_id")
                payload = response["payload"]
                if message_id is None and payload.get("original_message"):
                    # A request the binary could not parse comes back with the request itself.
                    message_id = json.loads(payload["original_message"]).get("message_id")
                future = self._responses.pop(message_id, None)
                if future is None or future.done():
                    log.debug("pagefind reply without a waiting request: %s", payload)
                elif payload.get("type") == "Error":
                    future.set_exception(SearchIndexError(str(payload.get("message"))))
                else:
                    future.set_result(payload)

        async def shutdown(self) -> None:
            """Stop the reader and the binary (the stock ``close`` re-raises a failed request).

            The binary answers ``write_files`` before every file is on disk: terminating it at
            once (as the stock ``close`` does) left an empty ``pagefind-entry.json`` in about one
            build in twelve on a loaded machine. So first close its input and let it exit by
            itself, and only terminate it if it does not.
            """
            self._poll_task.cancel()
            if self._backend.stdin is not None and not self._backend.stdin.is_closing():
                self._backend.stdin.close()
            try:
                await asyncio.wait_for(self._backend.wait(), timeout=SHUTDOWN_GRACE_SECONDS)
            except TimeoutError:
                log.debug("pagefind did not exit on end of input; terminating it")
            if self._backend.returncode is None:
                self._backend.terminate()
            await self._backend.wait()

    return StreamingPagefindService


async def write_index(records: Iterable[SearchRecord], output: Path) -> None:
    """Index `records` with Pagefind and write the search bundle into `output`."""
    from pagefind.index import IndexConfig
    from pagefind.service import get_executable

    service_class = _service_class()
    binary = get_executable()
    try:
        service = await service_class().launch()
    except OSError as exc:  # no binary, or one that cannot run here
        raise SearchIndexError(f"cannot run the Pagefind indexer ({binary}): {exc.strerror or exc}; "
                               f"install 'pagefind[extended]' or build with --no-search") from exc
    try:
        index = await service.create_index(IndexConfig(exclude_selectors=EXCLUDE_SELECTORS))
        # Each request goes out as soon as its record is built, so the binary indexes while the
        # next one is rendered; it answers them in order.
        pending = []
        for record in records:
            pending.append(asyncio.ensure_future(index.add_html_file(content=record.html, url=record.url)))
            await asyncio.sleep(0)  # lets the request reach the binary's input
        await asyncio.gather(*pending)
        await index.write_files(str(output))
        # The binary answers before its last writes reach the disk (tokio files not flushed):
        # keep it alive until no file is left empty, then let it exit.
        await _wait_for_complete_files(output)
    except (OSError, asyncio.IncompleteReadError) as exc:  # it refused a record, or died mid-way
        raise SearchIndexError(f"the Pagefind indexer ({binary}) failed: {exc}; "
                               f"build with --no-search to skip the search index") from exc
    finally:
        await service.shutdown()


def _empty_files(output: Path) -> list[Path]:
    """Files of the bundle with no bytes yet. Pagefind never writes an empty file on purpose."""
    return [p for p in output.rglob("*") if p.is_file() and p.stat().st_size == 0]


async def _wait_for_complete_files(output: Path) -> None:
    deadline = time.monotonic() + SHUTDOWN_GRACE_SECONDS
    while _empty_files(output) and time.monotonic() < deadline and not disk_nearly_full(output):
        await asyncio.sleep(0.02)


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine` to completion from synchronous code, even inside a running event loop
    (``serve`` rebuilds from livereload's Tornado loop): then it gets a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def index_site(site_dir: Path, guide: Guide) -> None:
    """Build step: write the search index for `guide` into ``site_dir/pagefind/``."""
    start = time.perf_counter()
    records: list[SearchRecord] = []

    def built_as_sent() -> Iterator[SearchRecord]:  # kept for another attempt
        for record in iter_records(guide):
            records.append(record)
            yield record

    output = Path(site_dir).resolve() / INDEX_DIR
    for attempt in range(1, INDEX_ATTEMPTS + 1):
        _run(write_index(built_as_sent() if attempt == 1 else records, output))
        empty = _empty_files(output)
        if not empty:
            break
        if disk_nearly_full(output):  # retrying cannot help; the builder reports the full disk
            raise SearchIndexError(errno.ENOSPC, f"the Pagefind indexer could not finish {empty[0]}: "
                                                 f"no space left on device")
        log.warning("search: Pagefind left %d empty file(s) (%s); indexing again (attempt %d of %d)",
                    len(empty), empty[0].name, attempt, INDEX_ATTEMPTS)
        shutil.rmtree(output)
    else:
        raise SearchIndexError(f"the Pagefind indexer left incomplete files in {output} "
                               f"{INDEX_ATTEMPTS} times; build with --no-search to skip the search index")
    for name in UNUSED_BUNDLE_FILES:
        (output / name).unlink(missing_ok=True)
    log.debug("search: indexed %d records in %.2f s", len(records), time.perf_counter() - start)
