"""HTTP handlers of the preview: the built site under its base path, the error page, the app."""

from __future__ import annotations

import asyncio
import html
import logging
import mimetypes
import os
import time
from pathlib import Path
from urllib.parse import unquote

from jinja2 import Environment, FileSystemLoader
from livereload.handlers import LiveReloadJSHandler
from tornado import web

from ..content.sources import path_text_problem, resolve_within
from ..render.theme import default_theme
from ..site.failures import Problem
from ..site.offline import WORKER
from .hosts import HostChecked, HostPolicy
from .rebuild import PreviewSite
from .reload import ReloadSocket, inject_reload_script

log = logging.getLogger(__name__)

#: Served as sw.js: replaces and removes a service worker left by a built copy of the site.
RETIRE_WORKER = Path(__file__).with_name("retire-worker.js")

TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
         ".json": "application/json", ".svg": "image/svg+xml", ".wasm": "application/wasm",
         ".xml": "application/xml", ".txt": "text/plain; charset=utf-8"}


# -- problems and the error page ------------------------------------------------------------------

def render_error_page(problems: list[Problem], *, when: float | None = None) -> str:
    """The page shown for every HTML URL while the last rebuild failed.

    It comes from the default theme's ``error.html`` (never the project's own templates, which may
    be the very thing that is broken), and falls back to plain HTML if even that fails.
    """
    stamp = time.strftime("%H:%M:%S", time.localtime(when or time.time()))
    try:
        env = Environment(loader=FileSystemLoader(str(default_theme().templates)), autoescape=True)
        return env.get_template("error.html").render(problems=problems, time=stamp)
    except Exception:
        log.debug("error.html failed; using the plain error page", exc_info=True)
        items = "".join(f"<li>{html.escape(str(p))}</li>" for p in problems)
        return (f"<!doctype html><html><head><meta charset='utf-8'><title>Build failed</title></head>"
                f"<body><h1>Build failed</h1><ul>{items}</ul><p>{stamp}</p></body></html>")

class ReloadScript(HostChecked, LiveReloadJSHandler):
    """livereload.js, for the preview's own host names only."""


class SiteHandler(HostChecked):
    """Serves the built site under its base path, or the error page while the build is broken."""

    site: PreviewSite

    def initialize(self, site: PreviewSite) -> None:
        self.site = site

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")  # a preview must never show a stale page

    async def get(self) -> None:
        await self._serve(head=False)

    async def head(self) -> None:
        await self._serve(head=True)

    async def _serve(self, *, head: bool) -> None:
        site = self.site
        path = unquote(self.request.path)
        problem = path_text_problem(path)
        if problem:  # a NUL byte, a 5 kB name: no file can answer it, and os would raise
            log.warning("400 for a request path that %s: %r", problem, self.request.path[:80])
            return self._send(400, ".txt", b"Bad request: this path cannot name a file.", site.generation, head)
        base = site.base_path
        query = f"?{self.request.query}" if self.request.query else ""
        if base != "/" and path in ("/", base.rstrip("/")):
            return self.redirect(base + query)  # 302: the base path may change with the config
        generation = site.generation  # read before the file: a page is never newer than its label
        rel = path[len(base):] if path.startswith(base) else None
        target = self._resolve(rel) if rel is not None else None
        if target is not None and target.is_dir():
            if not path.endswith("/"):
                return self.redirect(path + "/" + query)
            target = target / "index.html"
        if rel == WORKER:  # never the built site's worker: see retire-worker.js
            return self._send(200, ".js", RETIRE_WORKER.read_bytes(), generation, head)
        is_html = path.endswith(("/", ".html")) or not os.path.splitext(path)[1]
        if site.problems and is_html:
            page = render_error_page(site.problems, when=site.failed_at).encode()
            return self._send(500, ".html", page, generation, head)
        if target is not None and site.builder.deferred and target.is_relative_to(root := site.out_dir.resolve()):
            stale = target.relative_to(root).as_posix()
            if stale in site.builder.deferred:  # left stale by the last rebuild: render it now
                await asyncio.to_thread(site.render_deferred, stale)
        deck = await asyncio.to_thread(site.deck, rel) if rel is not None and rel == site.deck_path() else None
        if deck is not None:
            return self._send(200, ".apkg", deck, generation, head)
        body = self._read(target)
        if body is None:  # a build may be swapping folders this very instant: look once more
            await asyncio.sleep(0.05)
            body = self._read(target)
        if body is not None:
            return self._send(200, target.suffix, body, generation, head)  # type: ignore[union-attr]
        not_found = self._read(self.site.out_dir / "404.html")
        if not_found is not None:
            return self._send(404, ".html", not_found, generation, head)
        self._send(404, ".txt", b"Not found (the site has not been built yet).", generation, head)

    def _resolve(self, rel: str) -> Path | None:
        index = self.site.search_index  # pagefind/ is served from beside the site (searchindex.py)
        if index is not None and (found := index.resolve(rel)) is not None:
            return found
        return resolve_within(self.site.out_dir, rel)

    @staticmethod
    def _read(target: Path | None) -> bytes | None:
        try:
            return target.read_bytes() if target is not None and target.is_file() else None
        except OSError:
            return None

    def _port(self) -> int:
        """The port the browser used (behind a port mapping it differs from ours): the socket's."""
        host_port = self.request.host.rsplit(":", 1)[-1]
        if host_port.isdigit():
            return int(host_port)
        return 443 if self.request.protocol == "https" else 80

    def _send(self, status: int, suffix: str, body: bytes, generation: int, head: bool) -> None:
        content_type = TYPES.get(suffix) or mimetypes.guess_type("x" + suffix)[0] or "application/octet-stream"
        if suffix == ".html":
            body = inject_reload_script(body, self._port(), generation)
        elif "v" in self.request.query_arguments:
            # The theme's stylesheets and scripts are linked as name?v=<hash of their content>: a
            # changed file is a new URL (the page, never cached, links the new one), so the same URL
            # can be kept without asking again. A live reload then requests the page alone, not a
            # revalidation of every script (a third of save → visible on the bundled guide).
            self.set_header("Cache-Control", "max-age=31536000, immutable")
        else:
            # Other files may be cached but are revalidated on every use (ETag → 304): a reload
            # then does not download and parse Mermaid's 3 MB again, yet never sees an old file.
            self.set_header("Cache-Control", "no-cache")
        self.set_status(status)
        self.set_header("Content-Type", content_type)
        if head:
            self.set_header("Content-Length", str(len(body)))
        else:
            self.write(body)  # Tornado adds Content-Length and the ETag, and answers 304 on a match
        self.finish()


def make_app(site: PreviewSite, hosts: HostPolicy | None = None) -> web.Application:
    """The Tornado application: livereload's script and socket at the root, the site everywhere else.

    `hosts` says which ``Host`` names it answers (default: loopback names only)."""
    ReloadSocket.current_generation = lambda: site.generation

    def log_request(handler: web.RequestHandler) -> None:
        log.debug("%d %s %.0f ms", handler.get_status(), handler.request.uri, 1000 * handler.request.request_time())

    return web.Application([
        (r"/livereload", ReloadSocket),
        (r"/livereload\.js", ReloadScript),
        (r"/.*", SiteHandler, {"site": site}),
    ], log_function=log_request, hosts=hosts or HostPolicy())
