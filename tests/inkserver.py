"""A mermaid.ink-compatible server on 127.0.0.1, for testing the ``mermaid-ink`` renderer offline.

It answers mermaid.ink's two endpoints the way the real service does — ``GET /svg/<base64>`` with
an SVG, ``GET /img/<base64>?format=png`` with a PNG, ``400`` and Mermaid's message for a diagram
that does not parse — by drawing with the vendored Mermaid in headless Chromium (the same
:class:`~studyguide.site.mermaid_browser.MermaidBrowser` the ``chromium`` renderer drives). The
source may start with an ``%%{init: …}%%`` directive, as the real service accepts. Every request
path is recorded, so a test can see what mermaid-py asked for.
"""

from __future__ import annotations

import base64
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from studyguide.site.mermaid_browser import MERMAID_JS, MermaidBrowser

_RENDER = """async (text) => {
  mermaid.initialize({startOnLoad: false, securityLevel: "strict", suppressErrorRendering: true});
  try { return {svg: (await mermaid.render("mermaid-svg", text)).svg}; }
  catch (err) {
    for (const id of ["dmermaid-svg", "imermaid-svg", "mermaid-svg"]) document.getElementById(id)?.remove();
    return {error: String((err && err.message) || err)};
  }
}"""


def _png(page, svg: str) -> bytes:
    page.evaluate("(svg) => { const d = document.createElement('div'); d.id = 'shot'; d.innerHTML = svg;"
                  " document.body.replaceChildren(d); }", svg)
    data = page.locator("#shot svg").screenshot(type="png")
    page.evaluate("() => document.body.replaceChildren()")
    return data


@contextmanager
def ink_server(static_dir: Path) -> Iterator[tuple[str, list[str]]]:
    """Serve until the block ends; yields (base URL, list of request paths)."""
    browser = MermaidBrowser(static_dir / MERMAID_JS)
    requests: list[str] = []
    lock = threading.Lock()  # one diagram at a time: Mermaid keeps global state

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            requests.append(self.path)
            kind, _, encoded = urlsplit(self.path).path.strip("/").partition("/")
            if kind not in ("svg", "img") or not encoded:
                return self._send(404, "text/plain", b"not found")
            try:
                text = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8")
            except ValueError:
                return self._send(400, "text/plain", b"bad base64")
            with lock:
                result = browser.evaluate(_RENDER, text)
                if "error" in result:
                    return self._send(400, "text/plain", result["error"].encode())
                if kind == "svg":
                    return self._send(200, "image/svg+xml", result["svg"].encode())
                return self._send(200, "image/png", browser.run(lambda page: _png(page, result["svg"])))

        def _send(self, status: int, kind: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
        browser.close()
