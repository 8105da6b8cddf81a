"""Debian's Chromium for the benchmarks, launched the way the tests and the diagram renderer do:
without the background networking that a closed network refuses connection by connection (on this
kind of machine those refusals slowed every page load)."""

from __future__ import annotations

from typing import Any

from studyguide.site.mermaid_browser import CHROMIUM_ARGS

CHROMIUM = "/usr/bin/chromium"


def launch(playwright: Any) -> Any:
    """A headless Chromium browser from a ``sync_playwright()`` instance."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
