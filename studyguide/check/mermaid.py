"""Parse Mermaid diagrams with Mermaid's own parser, in headless Chromium.

Only Mermaid knows Mermaid's grammar (it changes between releases), so the check loads the very
``mermaid.min.js`` the site ships and calls ``mermaid.parse`` on each diagram in a real browser,
driven by Playwright (a test extra: imported only here, only when the check runs).

Why there is no Node fallback: the bundle loads under plain Node, but Mermaid sanitises labels with
DOMPurify, which needs a DOM; without one every flowchart and most other diagram types fail with
``addHook is not a function`` (measured with Mermaid 11.17.2 and Node 20), so Node would report
false errors. jsdom would fix that but is not a dependency. When Chromium or Playwright is missing
the check is therefore *skipped* and says so (:class:`~studyguide.checkreport.ToolUnavailable`).
"""

from __future__ import annotations

import concurrent.futures
import logging
import os
import re
import shutil
from pathlib import Path

from ..render.theme import default_theme
from .report import ToolUnavailable

log = logging.getLogger(__name__)

CHROMIUM_ENV = "STUDYGUIDE_CHROMIUM"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
MERMAID_JS = Path("vendor/mermaid/mermaid.min.js")

# Runs in the browser: parse each text, collect the error message or null. Same settings as the
# site's diagrams.js (strict security), so what parses here parses for readers.
_PARSE_ALL = """async (texts) => {
  window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
  const results = [];
  for (const text of texts) {
    try { await window.mermaid.parse(text); results.push(null); }
    catch (err) { results.push(String((err && err.message) || err)); }
  }
  return results;
}"""


def find_chromium() -> str | None:
    """Chromium to drive: ``$STUDYGUIDE_CHROMIUM``, Debian's ``/usr/bin/chromium``, or on PATH."""
    configured = os.environ.get(CHROMIUM_ENV)
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    for candidate in CHROMIUM_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def find_mermaid(site_dir: Path | None) -> Path:
    """The ``mermaid.min.js`` the site serves (else the default theme's copy)."""
    candidates = [site_dir / "assets" / MERMAID_JS] if site_dir else []
    candidates.append(default_theme().static / MERMAID_JS)
    for path in candidates:
        if path.is_file():
            return path
    raise ToolUnavailable(f"mermaid.min.js not found (looked in {', '.join(map(str, candidates))})")


def parse_diagrams(texts: list[str], site_dir: Path | None = None) -> tuple[str, list[str | None]]:
    """Parse every text; returns (backend description, error message or None per text).

    Raises :class:`ToolUnavailable` when no browser can be driven.
    """
    if not texts:
        return "nothing to parse", []
    mermaid_js = find_mermaid(site_dir)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise ToolUnavailable("Playwright is not installed (pip install playwright)") from None
    chromium = find_chromium()
    if chromium is None:
        raise ToolUnavailable(f"Chromium not found (apt-get install chromium, or set {CHROMIUM_ENV})")

    def run() -> list[str | None]:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.set_content("<!doctype html><html><head><title>mermaid</title></head><body></body></html>")
                page.add_script_tag(path=str(mermaid_js))
                return page.evaluate(_PARSE_ALL, texts)
            finally:
                browser.close()

    try:
        # A thread of its own: Playwright's sync API refuses to run in a thread that already has an
        # event loop or a Playwright instance (serve's Tornado loop, pytest-playwright's session).
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            results = pool.submit(run).result()
    except Exception as exc:  # Playwright raises its own Error types; any of them means "could not run"
        log.debug("Mermaid parse in Chromium failed", exc_info=True)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ToolUnavailable(f"could not drive Chromium at {chromium}: {first}") from exc
    version_file = mermaid_js.parent / "VERSION"  # first line: "mermaid 11.17.2"
    version = version_file.read_text().split("\n", 1)[0].split()[-1] if version_file.is_file() else "?"
    return f"Mermaid {version} in Chromium", list(results)


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
