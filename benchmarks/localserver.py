"""One quiet static server on 127.0.0.1 for the browser benchmarks (a free port, a daemon thread)."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static files without a log line per request (the benchmarks print figures, not traffic)."""

    def log_message(self, *args: object) -> None:
        pass


def serve_quietly(site: Path, handler: type[QuietHandler] = QuietHandler) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve `site` until the process ends; the server and its base URL (``http://127.0.0.1:N/``)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"
