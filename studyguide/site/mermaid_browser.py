"""The vendored Mermaid in headless Chromium, driven by Playwright: one driver for every use.

``studyguide check`` parses diagrams with it and the ``chromium`` diagram renderer draws them with
it — the very ``mermaid.min.js`` the site ships, in a real browser, so what it accepts and draws is
what readers get. Playwright is a test extra (``pip install playwright``), imported only here and
only when a browser is first needed.

A :class:`MermaidBrowser` starts Chromium on first use and keeps it, with Mermaid loaded, until
:meth:`~MermaidBrowser.close`: ``serve`` re-renders an edited diagram in milliseconds instead of
paying the ~1.5 s start again. Every Playwright call runs on one worker thread of its own, because
Playwright's sync API refuses a thread that already has an event loop (serve's Tornado loop,
pytest-playwright's session) and must stay on the thread that started it.
"""

from __future__ import annotations

import concurrent.futures
import logging
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

CHROMIUM_ENV = "STUDYGUIDE_CHROMIUM"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
MERMAID_JS = Path("vendor/mermaid/mermaid.min.js")
_EMPTY_PAGE = "<!doctype html><html><head><title>mermaid</title></head><body></body></html>"


class BrowserUnavailable(Exception):
    """No browser could be driven (no Playwright, no Chromium, or it failed to start)."""


def find_chromium() -> str | None:
    """Chromium to drive: ``$STUDYGUIDE_CHROMIUM``, Debian's ``/usr/bin/chromium``, or on PATH."""
    configured = os.environ.get(CHROMIUM_ENV)
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    for candidate in CHROMIUM_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def playwright_installed() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


def browser_available() -> bool:
    """Whether a :class:`MermaidBrowser` could start (without starting one)."""
    return find_chromium() is not None and playwright_installed()


def mermaid_version(mermaid_js: Path) -> str:
    """The vendored Mermaid's version, from the ``VERSION`` file beside it (``mermaid 11.17.2``)."""
    version_file = mermaid_js.parent / "VERSION"
    return version_file.read_text().split("\n", 1)[0].split()[-1] if version_file.is_file() else "?"


class MermaidBrowser:
    """One headless Chromium page with Mermaid loaded, started on first use."""

    def __init__(self, mermaid_js: Path) -> None:
        self.mermaid_js = mermaid_js
        self.chromium = find_chromium()
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._pw: Any = None
        self._browser: Any = None
        self._page: Any = None

    @property
    def description(self) -> str:
        return f"Mermaid {mermaid_version(self.mermaid_js)} in Chromium"

    def evaluate(self, script: str, arg: Any) -> Any:
        """Run `script` (a JS function) on `arg` in the Mermaid page; raises BrowserUnavailable."""
        return self.run(lambda page: page.evaluate(script, arg))

    def run(self, action: Callable[[Any], T]) -> T:
        """Call `action` with the Mermaid page (a Playwright ``Page``) on the browser's thread."""
        if self._pool is None:
            self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")
        try:
            return self._pool.submit(self._run, action).result()
        except BrowserUnavailable:
            raise
        except Exception as exc:  # Playwright raises its own Error types; any of them means "could not run"
            log.debug("Chromium failed", exc_info=True)
            self._stop()  # a crashed browser is started afresh next time
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise BrowserUnavailable(f"could not drive Chromium at {self.chromium}: {first}") from exc

    def _run(self, action: Callable[[Any], T]) -> T:
        if self._page is None:
            self._start()
        return action(self._page)

    def _start(self) -> None:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            raise BrowserUnavailable("Playwright is not installed (pip install playwright)") from None
        if self.chromium is None:
            raise BrowserUnavailable(f"Chromium not found (apt-get install chromium, or set {CHROMIUM_ENV})")
        if not self.mermaid_js.is_file():
            raise BrowserUnavailable(f"mermaid.min.js not found at {self.mermaid_js}")
        self._pw = sync_playwright().start()
        try:
            self._browser = self._pw.chromium.launch(executable_path=self.chromium, headless=True,
                                                     args=CHROMIUM_ARGS)
            page = self._browser.new_page()
            page.set_content(_EMPTY_PAGE)
            page.add_script_tag(path=str(self.mermaid_js))
            self._page = page
            log.debug("started Chromium with %s", self.mermaid_js)
        except BaseException:
            self._stop_now()
            raise

    def _stop_now(self) -> None:
        for closer in (self._browser, self._pw):
            if closer is not None:
                try:
                    closer.close() if closer is self._browser else closer.stop()
                except Exception:  # already gone: nothing left to free
                    log.debug("closing Chromium", exc_info=True)
        self._pw = self._browser = self._page = None

    def _stop(self) -> None:
        if self._pool is not None:
            self._pool.submit(self._stop_now).result()

    def close(self) -> None:
        """Stop Chromium and its thread (a later :meth:`evaluate` starts them again)."""
        if self._pool is not None:
            self._stop()
            self._pool.shutdown(wait=True)
            self._pool = None

    def __enter__(self) -> MermaidBrowser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_LINE = re.compile(r"(?:on line|at line|line:?)\s+(\d+)", re.I)


def error_line(message: str, text: str) -> int:
    """The 1-based line of `text` that Mermaid blames (1 when it does not say). At the end of the
    input Mermaid names the line after the last one; that is clamped to the last line."""
    match = _LINE.search(message)
    last = text.strip("\n").count("\n") + 1
    return min(max(1, int(match.group(1))), last) if match else 1


def summary(message: str) -> str:
    """Mermaid's multi-line message (with an ASCII caret picture) as one readable line."""
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    wanted = [line for line in lines if not set(line) <= set("-^ ")]
    if len(wanted) >= 3 and wanted[0].lower().startswith("parse error"):
        wanted = [wanted[0], *wanted[2:]]  # drop the echoed source line
    return " ".join(wanted)[:400]
