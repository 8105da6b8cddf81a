"""Rebuilding on change: the preview's builder, its last outcome, and the debounce.

Pieces, and why they are ours rather than livereload's ``Server``:

* :func:`~studyguide.preview.events.watch_sources` watches the sources (content, theme, config)
  from a thread: file-system events say when to scan, :class:`SourceWatcher`'s scan says what
  changed; polling is the fallback. livereload's watcher polls every 0.8 s on the server's event
  loop and walks a whole folder on each poll; ours never blocks serving.
* :class:`PreviewSite` turns a burst of saves into one rebuild, runs it in a thread with one
  long-lived :class:`~studyguide.incremental.IncrementalBuilder` (its parse cache and page reuse
  make rebuilds cheap), keeps the last result — the site, or the problems that stopped it — and
  tells the browsers to reload.
  It calls the reload itself: livereload's own trigger (``LiveReloadHandler.poll_tasks``) drops a
  reload that comes within ``DEFAULT_RELOAD_TIME`` (3 s) of the previous one, so the second of two
  edits 1 s apart would never show.
* Every page carries the number of the build it came from (``snipver`` in the livereload.js URL,
  which livereload.js sends back in its handshake). A tab that loaded build 4 and reconnects after
  build 5 finished is told to reload at once: an edit is never lost between a reload and the
  browser's reconnection.
* The reload script is an external ``<script src="/livereload.js">``, not livereload's inline
  snippet, because the site's Content-Security-Policy (``script-src 'self'``) forbids inline scripts.
  Its WebSocket is same-origin, which ``connect-src 'self'`` allows: no CSP change is needed.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from tornado import ioloop

from ..content.config import load_config
from ..content.errors import ErrorList, display_path
from ..content.model import Guide
from ..render.pages import anki_deck_path
from ..render.theme import Theme
from ..site.background import ContentStep
from ..site.builder import BuildResult, PostStep
from ..site.failures import Problem, problems_from
from ..site.incremental import IncrementalBuilder
from .events import watch_sources
from .reload import ReloadSocket
from .searchindex import SearchIndex
from .watcher import SourceWatcher

log = logging.getLogger(__name__)

# Page kinds that show every card: most of a one-edit rebuild at 1,000 topics (issue #13), and
# rarely the page an author is looking at while writing.
DEFERRED_KINDS = frozenset({"onepage", "practice-cards", "worksheet"})


class PreviewSite:
    """Owns the builder, the last build's outcome and the browsers to reload.

    State changes happen on the server's event loop; only the build itself and source scans run in
    threads, and they hand results back with ``loop.add_callback``.
    """

    def __init__(self, config_path: Path, out_dir: Path, *, theme: Theme | None = None,
                 search: bool = False, post_steps: list[PostStep] | None = None, poll: bool = False) -> None:
        # No service worker in the preview (offline=False): it would answer with cached, stale pages.
        # Steps that read only the content model (search indexing) run after the reload, on a
        # thread of their own, into a folder beside the site (see searchindex.py).
        steps = list(post_steps or [])
        content_steps = [s for s in steps if isinstance(s, ContentStep)]
        self.builder = IncrementalBuilder(config_path, out_dir, theme=theme, search=search, offline=False,
                                          post_steps=[s for s in steps if not isinstance(s, ContentStep)])
        self.search_index = SearchIndex(content_steps, out_dir.parent / f".{out_dir.name}-search") \
            if content_steps else None
        self.out_dir = self.builder.out_dir
        self.generation = 0  # number of finished builds, failed or not; pages carry it
        self.problems: list[Problem] = []
        self.failed_at: float | None = None
        self.base_path = "/"
        self.origin = ""  # http://host:port, set by the server: to print the new address on a move
        self.building = False
        self.dirty: set[str] = set()  # changes not yet in a started build
        self.watcher: SourceWatcher | None = None
        self.poll = poll  # poll the sources instead of waiting for file-system events
        self.builder.deck_on_demand = True  # see deck()
        # Pages that show every card wait until they are asked for (render_deferred).
        self.builder.defer_kinds = DEFERRED_KINDS
        self._build_lock = threading.Lock()  # a build and a deferred page never run at once
        self.guide: Guide | None = None  # the last guide that built
        self._deck: tuple[int, bytes] | None = None  # (generation, the deck built for it)
        self._loop: ioloop.IOLoop | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    # -- building ---------------------------------------------------------------------------------

    def read_config(self) -> list[Path]:
        """Take the base path from the config; return the roots to watch.

        Those are the config file, the content folder, the theme's templates and static folders,
        the project's own theme folder (``theme: dir``) and the files the config adds (logo,
        favicon, ``extra_css``, ``extra_js``). A broken config keeps the previous base path (its
        errors show in the browser).
        """
        config_path = self.builder.config_path
        content = self.builder.project_root / "content"
        config = load_config(config_path, ErrorList())
        theme = self.builder.theme
        extra: list[Path] = []
        if config is not None:
            content = config.content_dir
            base_path = urlsplit(config.site.base_url).path if config.site.base_url else "/"
            if base_path != self.base_path and self.watcher is not None:  # not the first read
                log.info("base_url changed: the preview is now at %s%s", self.origin, base_path)
            self.base_path = base_path
            settings = config.site.theme
            theme = theme.with_overrides(settings.folder)
            extra = [p for p in (settings.logo, settings.favicon, *settings.extra_css, *settings.extra_js) if p]
        return [config_path, content, *theme.folders, *extra]

    def build_once(self) -> BuildResult | None:
        """Run one build (any thread); record its outcome and return it (None on failure)."""
        start = time.perf_counter()
        try:
            with self._build_lock:
                result: BuildResult | None = self.builder.build()
            problems: list[Problem] = []
        except Exception as exc:
            result, problems = None, problems_from(exc, self.builder.theme.templates)
            if problems[0].kind == "internal":
                log.error("the build crashed", exc_info=exc)
        if result is not None:
            self.guide = result.guide
        self._record(result, problems, time.perf_counter() - start)
        if result is not None and self.search_index is not None:
            if self.search_index.runs == 0:  # the first build: search works once the preview serves
                self.search_index.index_now(result.guide)
            else:
                self.search_index.request(result.guide)
        return result

    def render_deferred(self, path: str) -> None:
        """Bring the page at `path` (in out_dir) up to date if the last build deferred it (any
        thread; waits for a running build). A failure is logged; the stale page stays."""
        with self._build_lock:
            try:
                self.builder.render_deferred(path)
            except Exception:
                log.exception("rendering %s failed", path)

    def deck_path(self) -> str | None:
        return anki_deck_path(self.guide.site) if self.guide is not None else None

    def deck(self, rel: str) -> bytes | None:
        """The Anki deck if `rel` is its path (any thread), else None.

        Written when it is downloaded, for the last guide that built, rather than by every
        rebuild: every body edit changes it, and it cost more than rendering the pages.
        """
        guide, generation = self.guide, self.generation
        if guide is None or rel != self.deck_path():
            return None
        if self._deck is None or self._deck[0] != generation:
            with tempfile.TemporaryDirectory(prefix=".deck-", dir=self.out_dir.parent) as tmp:
                self.builder.write_deck(Path(tmp), guide)
                self._deck = (generation, (Path(tmp) / rel).read_bytes())
        return self._deck[1]

    def _record(self, result: BuildResult | None, problems: list[Problem], seconds: float) -> None:
        was_failing = bool(self.problems)
        self.problems = problems
        self.failed_at = time.time() if problems else None
        self.generation += 1
        if problems:
            for problem in problems:
                log.error("%s", problem)
            n = len(problems)
            log.error("%d problem%s: the browser shows %s until fixed", n, "s" * (n != 1),
                      "it" if n == 1 else "them")
        elif result is not None:
            verb = "Built" if self.generation == 1 else "Fixed: rebuilt" if was_failing else "Rebuilt"
            log.info("%s %d pages in %.2f s", verb, result.pages, seconds)

    # -- watching and scheduling (event loop) -----------------------------------------------------

    def snapshot(self) -> None:
        """Note the sources as they are now. Call before the first build: a file saved while it
        runs then differs from this snapshot and triggers a rebuild instead of going unnoticed."""
        roots = self.read_config()
        self.watcher = SourceWatcher(roots, content=roots[1])

    def start(self) -> None:
        """Start watching sources; call on the event loop, after the first build."""
        self._loop = ioloop.IOLoop.current()
        if self.watcher is None:
            self.snapshot()
        thread = threading.Thread(target=self._watch, args=(self.watcher,), name="studyguide-watch", daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop watching and wait for a running build to finish (it writes into our folder)."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
        if self.search_index is not None:
            self.search_index.stop(timeout)
        self.builder.close()  # the diagram renderer's Chromium, kept for the session

    def _watch(self, watcher: SourceWatcher) -> None:
        def hand_over(paths: list[str]) -> None:
            if self._loop is not None:
                self._loop.add_callback(self.changed, paths)

        watch_sources(watcher, self._stop, hand_over, poll=self.poll)

    def changed(self, paths: list[str]) -> None:
        """Sources changed (event loop): rebuild now, or after the build that is running."""
        log.debug("changed: %s", ", ".join(display_path(Path(p)) for p in paths))
        self.dirty.update(paths)
        self._start_build()

    def _start_build(self) -> None:
        if self.building or not self.dirty:
            return  # a running build picks up `dirty` when it finishes
        changed = sorted(self.dirty)
        self.dirty.clear()
        shown = ", ".join(display_path(Path(p)) for p in changed[:3]) + (" …" if len(changed) > 3 else "")
        log.info("Changed: %s", shown)
        self.building = True
        thread = threading.Thread(target=self._build_thread, name="studyguide-build", daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def _build_thread(self) -> None:
        try:
            self.build_once()
        finally:
            assert self._loop is not None
            with contextlib.suppress(RuntimeError):  # the server stopped while this build ran
                self._loop.add_callback(self._build_done)

    def _build_done(self) -> None:
        self.building = False
        roots = self.read_config()
        if self.watcher is not None and roots != self.watcher.roots:
            self.watcher.roots, self.watcher.content = roots, roots[1]  # the config moved the content folder
        ReloadSocket.reload_all()
        if self.dirty:  # saved again while building: build again
            self._start_build()

