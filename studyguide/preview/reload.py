"""The reload socket: livereload's WebSocket and protocol, without its 3-second throttle.

Every page carries the number of the build it came from (``snipver`` in the livereload.js URL,
which livereload.js sends back in its handshake). A tab that loaded build 4 and reconnects after
build 5 finished is told to reload at once: an edit is never lost between a reload and the
browser's reconnection. The reload script is an external ``<script src="/livereload.js">``, not
livereload's inline snippet, because the site's Content-Security-Policy forbids inline scripts.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from livereload.handlers import LiveReloadHandler

from .hosts import HostChecked

log = logging.getLogger(__name__)


class ReloadSocket(HostChecked, LiveReloadHandler):
    """livereload's WebSocket, plus: a tab that shows an older build than the current one reloads;
    only the preview's own pages may connect (livereload accepts any ``Origin``), and a malformed
    message is logged in one line, not as a traceback."""

    #: The number of the newest finished build (set by the preview; None before it starts).
    current_generation: Callable[[], int] | None = None

    def check_origin(self, origin: str) -> bool:
        if self.same_origin(origin):
            return True
        log.warning("refused a reload connection from origin %r: not this preview's pages", origin[:100])
        return False  # Tornado answers 403

    def open(self, *args: str, **kwargs: str) -> None:
        self.page_generation: int | None = None

    def on_message(self, message: str | bytes) -> None:
        try:
            data = json.loads(message)
        except ValueError:  # not JSON, or not UTF-8
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("command"), str):
            log.warning("ignored a malformed reload message: %r", message[:80])
            return
        if data.get("command") == "hello" and isinstance(data.get("snipver"), int):
            self.page_generation = data["snipver"]
        super().on_message(message)
        newest = ReloadSocket.current_generation() if ReloadSocket.current_generation else None
        if (data.get("command") == "info" and newest is not None and self.page_generation is not None
                and self.page_generation < newest):
            log.debug("tab shows build %d of %d: reloading it", self.page_generation, newest)
            self.send_message(reload_message())

    @classmethod
    def reload_all(cls) -> None:
        """Tell every connected tab to reload now (no throttling: every build shows up)."""
        for waiter in list(LiveReloadHandler.waiters):
            try:
                waiter.write_message(reload_message())
            except Exception:
                LiveReloadHandler.waiters.discard(waiter)


def reload_message() -> dict[str, object]:
    # path "*" → livereload.js reloads the whole page (the HTML changes with every build).
    return {"command": "reload", "path": "*", "liveCSS": False, "liveImg": False}


def inject_reload_script(page: bytes, port: int, generation: int) -> bytes:
    """Add the external livereload.js tag (allowed by ``script-src 'self'``) before ``</head>``."""
    tag = f'<script src="/livereload.js?port={port}&amp;snipver={generation}" defer></script>'.encode()
    at = page.find(b"</head>")
    return page[:at] + tag + page[at:] if at >= 0 else page + tag

