"""Post-steps that need only the content model, run in a forked process while the pages render.

Search indexing is the one today: its records come from the content model, not from the written
pages (see :mod:`.search`), and its work is done by the Pagefind binary, a process of its own. Run
after the pages, as every post-step used to be, it tripled a 1,000-topic build (issue #13); started
in a fork before the pages are rendered, it uses the core the renderer leaves idle and the rest of
the build waits for it only at the end, before the offline step hashes the finished site.

The fork follows the rules of :mod:`.parallel`: only where ``fork`` exists and no other thread runs
(a live preview, a browser drawing diagrams), else the step runs after the pages as before. A fork
that fails for any reason is not trusted to explain why: its partial output is removed and the
main process runs the step itself, so an error is raised exactly as in a sequential build (same
exception, same message). The fork leads a process group of its own, so that cancelling it (the
build failed elsewhere) also stops the programs it started, such as Pagefind's binary, before the
temporary folder they write into is removed.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import shutil
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..content.model import Guide

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ContentStep:
    """A post-step that reads only the content model, never the written pages, and writes only
    under `output` (a folder of the site): the builder may run it while the pages render."""

    run: Callable[[Path, Guide], None]
    output: str

    def __call__(self, folder: Path, guide: Guide) -> None:
        self.run(folder, guide)


def can_fork() -> bool:
    """Whether a step may run in a forked process now (the conditions of :mod:`.parallel`)."""
    return hasattr(os, "fork") and sys.platform != "darwin" and threading.active_count() == 1


def _child(conn: Connection, step: ContentStep, folder: Path, guide: Guide) -> None:
    os.setpgid(0, 0)  # a group of its own: cancel() stops what the step starts with it
    try:
        step.run(folder, guide)
        conn.send("ok")
    except BaseException:  # the main process runs the step again and reports the error
        log.debug("background step failed; it runs again in the main process", exc_info=True)
        conn.send("failed")
    finally:
        conn.close()


class BackgroundStep:
    """One content step running in a forked process."""

    def __init__(self, step: ContentStep, folder: Path, guide: Guide) -> None:
        import multiprocessing  # only when a step runs in the background (see parallel.py)

        self.step, self.folder, self.guide = step, folder, guide
        context = multiprocessing.get_context("fork")
        ours, theirs = context.Pipe(duplex=False)
        self._conn = ours
        self._process: BaseProcess = context.Process(
            target=_child, args=(theirs, step, folder, guide), daemon=True)
        gc.freeze()  # the child's garbage collector never walks (so never copies) what it inherits
        try:
            self._process.start()
        finally:
            gc.unfreeze()  # ours does again; the child keeps its own frozen copy
        theirs.close()
        # The child does the same; whichever runs first, cancel() finds the group. OSError: it
        # has already exited.
        with contextlib.suppress(OSError):
            os.setpgid(self._process.pid or 0, self._process.pid or 0)

    def finish(self) -> None:
        """Wait for the step; if it failed, run it here instead (raising what it raises)."""
        try:
            status = self._conn.recv()
        except EOFError:  # the process died without a word (killed, out of memory)
            status = "failed"
        finally:
            self._conn.close()
            self._process.join()
        if status != "ok":
            shutil.rmtree(self.folder / self.step.output, ignore_errors=True)
            self.step.run(self.folder, self.guide)

    def cancel(self) -> None:
        """Stop the step and everything it started, and wait until they are gone."""
        if self._process.is_alive() and self._process.pid is not None:
            try:
                os.killpg(self._process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):  # exited, or not yet its own group
                self._process.kill()
        self._conn.close()
        self._process.join()


def start_content_steps(steps: list[Callable[[Path, Guide], None]], folder: Path,
                        guide: Guide) -> dict[int, BackgroundStep]:
    """Start every content step of `steps` in the background where forking is safe; returns
    them by their index in `steps` (the others run after the pages, as before)."""
    started: dict[int, BackgroundStep] = {}
    for i, step in enumerate(steps):
        if isinstance(step, ContentStep) and can_fork():
            started[i] = BackgroundStep(step, folder, guide)
    return started
