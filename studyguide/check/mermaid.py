"""Parse Mermaid diagrams with Mermaid's own parser, in headless Chromium.

Only Mermaid knows Mermaid's grammar (it changes between releases), so the check loads the very
``mermaid.min.js`` the site ships and calls ``mermaid.parse`` on each diagram in a real browser,
through the same driver the ``chromium`` diagram renderer uses
(:class:`~studyguide.site.mermaid_browser.MermaidBrowser`).

Why there is no Node fallback: the bundle loads under plain Node, but Mermaid sanitises labels with
DOMPurify, which needs a DOM; without one every flowchart and most other diagram types fail with
``addHook is not a function`` (measured with Mermaid 11.17.2 and Node 20), so Node would report
false errors. jsdom would fix that but is not a dependency. When Chromium or Playwright is missing
the check is therefore *skipped* and says so (:class:`~studyguide.check.report.ToolUnavailable`).
"""

from __future__ import annotations

from pathlib import Path

from ..render.theme import default_theme
from ..site.mermaid_browser import MERMAID_JS, BrowserUnavailable, MermaidBrowser, error_line, find_chromium, summary
from .report import ToolUnavailable

__all__ = ["error_line", "find_chromium", "find_mermaid", "parse_diagrams", "summary"]

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
    with MermaidBrowser(find_mermaid(site_dir)) as browser:
        try:
            results = browser.evaluate(_PARSE_ALL, texts)
        except BrowserUnavailable as exc:
            raise ToolUnavailable(str(exc)) from exc
        return browser.description, list(results)
