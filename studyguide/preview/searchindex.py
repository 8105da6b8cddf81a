"""The preview's search index: rebuilt on a thread of its own after each rebuild of the pages.

``studyguide serve`` indexes by default, and Pagefind takes longer than rebuilding the pages an
edit changed (0.3 s for the bundled guide, 4 s at 1,000 topics, against 0.05 s and 0.2 s): run as
a post-step, it held every reload back until the whole index was written (issue #13). So the
preview renders and reloads first, and indexes meanwhile:

* the index lives outside the site folder, in ``current/`` under :attr:`SearchIndex.root`, and the
  preview's handler serves ``pagefind/`` from there (:meth:`SearchIndex.resolve`), so a rebuild of
  the pages neither waits for it nor has to carry 1,500 index files over into each new folder;
* each run writes a complete bundle into a folder of its own and then exchanges it with
  ``current/`` in one step (:func:`~studyguide.site.swap.exchange`), so a half-written index is
  never served; a run that fails logs why and leaves the previous index in place;
* saves that come while a run is indexing coalesce: the next run takes the newest guide only.

The first build indexes before the preview starts serving, as ``studyguide build`` would.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import threading
import time
from pathlib import Path

from ..content.model import Guide
from ..content.sources import resolve_within
from ..site.background import ContentStep
from ..site.swap import exchange

log = logging.getLogger(__name__)


class SearchIndex:
    """Keeps the content steps' output (Pagefind's bundle) up to date beside the preview's site."""

    def __init__(self, steps: list[ContentStep], root: Path) -> None:
        self.steps = steps
        self.root = root
        self.current = root / "current"  # what is served
        self.runs = 0  # finished runs that installed an index
        self._pending: Guide | None = None
        self._busy = False
        self._stopping = False
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def resolve(self, rel: str) -> Path | None:
        """The file for a site-relative path under one of the steps' folders, or None when `rel`
        is not the index's (the site's own file answers it then)."""
        if not any(rel == s.output or rel.startswith(s.output + "/") for s in self.steps):
            return None
        return resolve_within(self.current, rel)

    def index_now(self, guide: Guide) -> None:
        """Index `guide` in this thread (the first build)."""
        self._index(guide)

    def request(self, guide: Guide) -> None:
        """Index `guide` soon, on the index thread; a newer request replaces one not yet started."""
        with self._cond:
            if self._stopping:
                return
            self._pending = guide
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="studyguide-search-index", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every requested run has finished; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending is not None or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def stop(self, timeout: float = 30.0) -> None:
        """Let a running index finish, drop what was not started, and stop the thread."""
        with self._cond:
            self._stopping = True
            self._pending = None
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._pending is None and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                guide, self._pending, self._busy = self._pending, None, True
            assert guide is not None
            try:
                self._index(guide)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _index(self, guide: Guide) -> None:
        start = time.perf_counter()
        self.root.mkdir(parents=True, exist_ok=True)
        new = self.root / f".new-{secrets.token_hex(4)}"
        new.mkdir()
        try:
            for step in self.steps:
                step.run(new, guide)
            self._install(new)
        except Exception as exc:  # the previous index stays; the pages are not affected
            log.error("search: the index was not updated (%s); the previous one is still served", exc)
            log.debug("search indexing failed", exc_info=True)
            return
        finally:
            shutil.rmtree(new, ignore_errors=True)  # after an exchange it holds the previous index
        self.runs += 1
        log.info("Search index updated in %.2f s", time.perf_counter() - start)

    def _install(self, new: Path) -> None:
        if not self.current.exists():
            os.rename(new, self.current)
        elif not exchange(new, self.current):  # no atomic exchange here: two renames
            old = self.root / f".old-{secrets.token_hex(4)}"
            os.rename(self.current, old)
            os.rename(new, self.current)
            shutil.rmtree(old, ignore_errors=True)
