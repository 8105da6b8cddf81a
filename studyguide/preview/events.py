"""Watching the sources: file-system events (watchfiles), with polling as the fallback.

Events only say *when* to look; :class:`~studyguide.preview.watcher.SourceWatcher`'s scan still
says *what* changed. So every guarantee of the scan holds whichever way the preview learns of a
save: names starting with ``.`` or ``_`` ignored, links out of the content folder watched but not
followed, link loops scanned once, folders counted only by existence.

The events come from *watchfiles* (the Rust ``notify`` crate: inotify on Linux, FSEvents on macOS,
ReadDirectoryChangesW on Windows; what uvicorn's ``--reload`` uses). It watches exactly the folders
the last scan listed, each one non-recursively, never a whole tree: a link to ``/`` or to a parent
then costs no watches and no walk, and the loader's rules decide what is watched, not notify's.
A new or removed folder shows in the next scan, which renews the watches and scans once more
(what was written into a new folder before its watch existed is found by that scan).

Polling takes over, with one log line, when watchfiles cannot be imported, the watches cannot be
made (the inotify limit, ``fs.inotify.max_user_watches``, is reached), or events do not come: even
with events, the sources are scanned once a second, and a change that this scan finds and no event
announced means a file system without events (a network share, a folder mounted into a VM or a
container), so the preview polls from then on. ``studyguide serve --poll`` polls from the start.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from .watcher import POLL_BUDGET, POLL_MAX_S, POLL_MIN_S, SourceWatcher

log = logging.getLogger(__name__)

# How long the sources must stay quiet after an event before they are scanned. Editors save in
# several steps (write a temporary file and rename it over the old one; truncate, then write;
# vim's backup rename, write, delete), and a scan between two steps would build a half-saved or
# missing file; a "save all" or a git checkout is a burst that should be one rebuild. The steps
# are back-to-back system calls, normally well under a millisecond apart, but on a busy machine
# the writer can lose the CPU between two of them: with 50 ms, a burst of saves on 2 cores at load
# 6 came as two rebuilds (tests/test_serve.py). 100 ms is the polling watcher's shortest interval,
# so events are never less patient than polling was, and a save is handed over 100–125 ms after
# its last step (notify is checked every STEP_MS): a third of the 300 ms save → visible budget.
QUIET_MS = 100
STEP_MS = 25  # how often notify's queue is looked at; an idle preview wakes 40 times a second
GROUP_MAX_MS = 1000  # a longer burst (a git checkout) is handed over in 1-s parts, not held back
SAFETY_SCAN_S = 1.0  # with events, scan this often anyway: it finds a file system without events
CONFIRM_S = 0.2  # a change found by a scan, not an event: wait this long for its late event


class EventsUnavailable(Exception):
    """File-system events cannot be used here; the message says why."""


class FolderEvents:
    """Non-recursive watches on a set of folders; :meth:`wait` returns when something happened."""

    def __init__(self) -> None:
        try:
            from watchfiles._rust_notify import RustNotify
        except ImportError as exc:
            raise EventsUnavailable(f"watchfiles cannot be imported ({exc})") from exc
        self._make = RustNotify
        self._notify: RustNotify | None = None
        self.folders: tuple[str, ...] = ()

    def watch(self, folders: tuple[str, ...]) -> None:
        """Watch exactly `folders` from now on (a vanished one raises FileNotFoundError)."""
        self.close()
        try:
            # poll_delay_ms only matters if notify itself falls back to polling (no inotify at all).
            self._notify = self._make(list(folders), False, False, 300, False, True)
        except FileNotFoundError:
            raise
        except Exception as exc:  # e.g. "OS file watch limit reached"
            raise EventsUnavailable(str(exc)) from exc
        self.folders = folders

    def wait(self, timeout_s: float, stop: threading.Event) -> bool:
        """Wait up to `timeout_s` for events; once one came, until the folders were quiet for
        QUIET_MS (at most GROUP_MAX_MS). True if there were events (False on timeout or `stop`)."""
        if self._notify is None:
            stop.wait(timeout_s)
            return False
        # notify returns once one STEP_MS passed without new events; we then wait until QUIET_MS
        # passed since the last one (its "debounce" would stop a burst at a fixed length instead).
        if not isinstance(self._notify.watch(STEP_MS, STEP_MS, max(1, int(timeout_s * 1000)), stop), set):
            return False
        start = time.monotonic()
        last = start - STEP_MS / 1000  # no event in the step before the return
        while (left_ms := QUIET_MS - (time.monotonic() - last) * 1000) > 0:
            if (time.monotonic() - start) * 1000 > GROUP_MAX_MS:
                break
            more = self._notify.watch(STEP_MS, STEP_MS, max(1, int(left_ms)), stop)
            if not isinstance(more, set):
                break  # quiet ("timeout") or stopped
            last = time.monotonic() - STEP_MS / 1000
        return True

    def close(self) -> None:
        if self._notify is not None:
            self._notify.close()
            self._notify = None


def watch_sources(watcher: SourceWatcher, stop: threading.Event, hand_over: Callable[[list[str]], None],
                  *, poll: bool = False) -> None:
    """Hand every change of the watched sources to `hand_over` until `stop` is set (blocks)."""
    events: FolderEvents | None = None
    if not poll:
        try:
            events = FolderEvents()
            changed = _rewatch(events, watcher)  # also what changed during the first build
            log.debug("watching %d folders for file-system events", len(events.folders))
        except EventsUnavailable as exc:
            log.warning("file-system events unavailable: %s; polling the sources instead", exc)
            events = None
            changed = []
        if events is not None:
            if changed:
                hand_over(changed)
            _watch_events(events, watcher, stop, hand_over)
    if not stop.is_set():
        _poll(watcher, stop, hand_over)


def _rewatch(events: FolderEvents, watcher: SourceWatcher) -> list[str]:
    """Watch the folders the last scan listed, then scan again: a file written into a new folder
    before its watch existed is found. Returns what that scan found changed."""
    changed: list[str] = []
    for _ in range(10):  # folders come and go while we look (a checkout): at most a few rounds
        try:
            events.watch(watcher.folders)
        except FileNotFoundError:
            changed += watcher.changes()  # a folder vanished in between: scan and try again
            continue
        changed += watcher.changes()
        if watcher.folders == events.folders:
            return sorted(set(changed))
    raise EventsUnavailable("the watched folders keep changing")


def _scan(watcher: SourceWatcher) -> tuple[list[str] | None, float]:
    """One scan of the sources: what changed (None if the scan failed, logged) and how long it
    took, from which both loops pace their next scan."""
    start = time.perf_counter()
    try:
        changed = watcher.changes()
    except Exception:
        log.exception("watching the sources failed; trying again")
        return None, time.perf_counter() - start
    return changed, time.perf_counter() - start


def _watch_events(events: FolderEvents, watcher: SourceWatcher, stop: threading.Event,
                  hand_over: Callable[[list[str]], None]) -> None:
    """The event loop of :func:`watch_sources`; returns (to poll instead) if events fail."""
    interval = SAFETY_SCAN_S
    try:
        while not stop.is_set():
            woke = events.wait(interval, stop)
            if stop.is_set():
                return
            changed, took = _scan(watcher)
            if changed is None:
                continue
            interval = max(SAFETY_SCAN_S, POLL_BUDGET * took)
            if changed and not woke and not events.wait(CONFIRM_S, stop):
                log.warning("a change came without a file-system event (%s): polling the sources "
                            "from now on", changed[0])
                hand_over(changed)
                return
            if watcher.folders != events.folders:
                changed = sorted(set(changed + _rewatch(events, watcher)))
            if changed:  # the folders were quiet for QUIET_MS: the saves are complete
                hand_over(changed)
    except EventsUnavailable as exc:
        log.warning("file-system events failed: %s; polling the sources instead", exc)
    finally:
        events.close()


def _poll(watcher: SourceWatcher, stop: threading.Event, hand_over: Callable[[list[str]], None]) -> None:
    """Scan the sources; hand over what changed once a scan finds nothing new.

    That is the polling debounce: a burst of saves (an editor's "save all", a git checkout) ends
    up in one rebuild, which starts only after every file of the burst was seen written.
    """
    interval = POLL_MIN_S
    pending: list[str] = []
    while not stop.wait(interval):
        changed, took = _scan(watcher)
        if changed is None:
            continue
        interval = min(POLL_MAX_S, max(POLL_MIN_S, POLL_BUDGET * took))
        if changed:
            pending += changed
        elif pending:
            hand_over(pending)
            pending = []
