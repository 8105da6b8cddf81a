"""The live preview behind ``studyguide serve``: watch, rebuild, serve, reload the browser.

Pieces, and why they are ours rather than livereload's ``Server``:

* :class:`SourceWatcher` polls the sources (content, theme, config) from a thread. livereload's
  watcher polls every 0.8 s on the server's event loop and walks a whole folder on each poll; ours
  polls every 0.1 s for normal guides (backing off to 1 s for huge ones, so polling never costs more
  than ~10 % of one core) and never blocks serving.
* :class:`PreviewSite` turns a burst of saves into one rebuild, runs it in a thread with one
  long-lived :class:`~studyguide.incremental.IncrementalBuilder` (its parse cache and page reuse
  make rebuilds cheap), keeps the last result — the site, or the problems that stopped it — and
  tells the browsers to reload.
  It calls the reload itself: livereload's own trigger (``LiveReloadHandler.poll_tasks``) drops a
  reload that comes within ``DEFAULT_RELOAD_TIME`` (3 s) of the previous one, so the second of two
  edits 1 s apart would never show.
* Every page carries the number of the build it came from (``snipver`` in the livereload.js URL,
  which livereload.js sends back in its handshake). A tab that loaded build 4 and reconnects after
  build 5 finished is told to reload at once: an edit is never lost between a reload and the
  browser's reconnection.
* The reload script is an external ``<script src="/livereload.js">``, not livereload's inline
  snippet, because the site's Content-Security-Policy (``script-src 'self'``) forbids inline scripts.
  Its WebSocket is same-origin, which ``connect-src 'self'`` allows: no CSP change is needed.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import mimetypes
import os
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

from jinja2 import Environment, FileSystemLoader
from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado import ioloop, web

from .builder import BuildResult, PostStep
from .config import load_config
from .errors import ErrorList, display_path
from .failures import Problem, problems_from
from .incremental import IncrementalBuilder
from .theme import Theme, default_theme

log = logging.getLogger(__name__)

POLL_MIN_S, POLL_MAX_S = 0.1, 1.0
POLL_BUDGET = 10  # poll interval ≥ 10 × the time one scan takes: polling costs ≤ 10 % of a core

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
    except Exception:  # noqa: BLE001 - the error page must always render
        log.debug("error.html failed; using the plain error page", exc_info=True)
        items = "".join(f"<li>{html.escape(str(p))}</li>" for p in problems)
        return (f"<!doctype html><html><head><meta charset='utf-8'><title>Build failed</title></head>"
                f"<body><h1>Build failed</h1><ul>{items}</ul><p>{stamp}</p></body></html>")


# -- watching sources -----------------------------------------------------------------------------

Stamp = tuple[int, int] | None  # (mtime_ns, size) for files, None for folders


class SourceWatcher:
    """Finds added, removed and modified files under some roots by comparing stat snapshots.

    Names starting with ``.`` are skipped (editor swap files, ``.git``): the loader ignores them
    too. Folders count only by existence, so an editor's temporary file coming and going does not
    trigger a rebuild.
    """

    def __init__(self, roots: list[Path]) -> None:
        self.roots = list(roots)
        self.state = self.scan()

    def scan(self) -> dict[str, Stamp]:
        found: dict[str, Stamp] = {}
        for root in self.roots:
            self._scan_into(str(root), found, top=True)
        return found

    def _scan_into(self, path: str, found: dict[str, Stamp], *, top: bool = False) -> None:
        try:
            if top and not os.path.isdir(path):
                st = os.stat(path)
                found[path] = (st.st_mtime_ns, st.st_size)
                return
            found[path] = None
            with os.scandir(path) as entries:
                for entry in entries:
                    if entry.name.startswith("."):
                        continue
                    if entry.is_dir():
                        self._scan_into(entry.path, found)
                    else:
                        st = entry.stat()
                        found[entry.path] = (st.st_mtime_ns, st.st_size)
        except OSError:
            pass  # vanished while scanning: the next scan sees the final state

    def changes(self) -> list[str]:
        """Paths that changed since the last call (sorted)."""
        new = self.scan()
        old, self.state = self.state, new
        return sorted(p for p in old.keys() | new.keys() if old.get(p, 0) != new.get(p, 0))


# -- the preview site -----------------------------------------------------------------------------

class PreviewSite:
    """Owns the builder, the last build's outcome and the browsers to reload.

    State changes happen on the server's event loop; only the build itself and source scans run in
    threads, and they hand results back with ``loop.add_callback``.
    """

    def __init__(self, config_path: Path, out_dir: Path, *, theme: Theme | None = None,
                 search: bool = False, post_steps: list[PostStep] | None = None) -> None:
        self.builder = IncrementalBuilder(config_path, out_dir, theme=theme, search=search, post_steps=post_steps)
        self.out_dir = self.builder.out_dir
        self.generation = 0  # number of finished builds, failed or not; pages carry it
        self.problems: list[Problem] = []
        self.failed_at: float | None = None
        self.base_path = "/"
        self.building = False
        self.dirty: set[str] = set()  # changes not yet in a started build
        self.watcher: SourceWatcher | None = None
        self._loop: ioloop.IOLoop | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    # -- building ---------------------------------------------------------------------------------

    def read_config(self) -> list[Path]:
        """Take the base path from the config; return the roots to watch.

        Those are the config file, the content folder and the theme's templates and static
        folders. A broken config keeps the previous base path (its errors show in the browser).
        """
        config_path = self.builder.config_path
        content = self.builder.project_root / "content"
        config = load_config(config_path, ErrorList())
        if config is not None:
            content = config.content_dir
            self.base_path = urlsplit(config.site.base_url).path if config.site.base_url else "/"
        theme = self.builder.theme
        return [config_path, content, theme.templates, theme.static]

    def build_once(self) -> BuildResult | None:
        """Run one build (any thread); record its outcome and return it (None on failure)."""
        start = time.perf_counter()
        try:
            result: BuildResult | None = self.builder.build()
            problems: list[Problem] = []
        except Exception as exc:  # noqa: BLE001 - a typo must never stop the preview
            result, problems = None, problems_from(exc, self.builder.theme.templates)
            if problems[0].kind == "internal":
                log.error("the build crashed", exc_info=exc)
        self._record(result, problems, time.perf_counter() - start)
        return result

    def _record(self, result: BuildResult | None, problems: list[Problem], seconds: float) -> None:
        was_failing = bool(self.problems)
        self.problems = problems
        self.failed_at = time.time() if problems else None
        self.generation += 1
        if problems:
            for problem in problems:
                log.error("%s", problem)
            n = len(problems)
            log.error("%d problem%s: the browser shows %s until fixed", n, "s" * (n != 1),
                      "it" if n == 1 else "them")
        elif result is not None:
            verb = "Built" if self.generation == 1 else "Fixed: rebuilt" if was_failing else "Rebuilt"
            log.info("%s %d pages in %.2f s", verb, result.pages, seconds)

    # -- watching and scheduling (event loop) -----------------------------------------------------

    def snapshot(self) -> None:
        """Note the sources as they are now. Call before the first build: a file saved while it
        runs then differs from this snapshot and triggers a rebuild instead of going unnoticed."""
        self.watcher = SourceWatcher(self.read_config())

    def start(self) -> None:
        """Start watching sources; call on the event loop, after the first build."""
        self._loop = ioloop.IOLoop.current()
        if self.watcher is None:
            self.snapshot()
        thread = threading.Thread(target=self._poll, args=(self.watcher,), name="studyguide-watch", daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop watching and wait for a running build to finish (it writes into our folder)."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)

    def _poll(self, watcher: SourceWatcher) -> None:
        """Scan the sources; hand over what changed once a scan finds nothing new.

        That is the debounce: a burst of saves (an editor's "save all", a git checkout) ends
        up in one rebuild, which starts only after every file of the burst was seen written.
        """
        interval = POLL_MIN_S
        pending: list[str] = []
        while not self._stop.wait(interval):
            start = time.perf_counter()
            try:
                changed = watcher.changes()
            except Exception:  # noqa: BLE001 - a watcher that dies silently would lose every edit
                log.exception("watching the sources failed; trying again")
                continue
            interval = min(POLL_MAX_S, max(POLL_MIN_S, POLL_BUDGET * (time.perf_counter() - start)))
            if changed:
                pending += changed
            elif pending and self._loop is not None:
                self._loop.add_callback(self.changed, pending)
                pending = []

    def changed(self, paths: list[str]) -> None:
        """Sources changed (event loop): rebuild now, or after the build that is running."""
        log.debug("changed: %s", ", ".join(display_path(Path(p)) for p in paths))
        self.dirty.update(paths)
        self._start_build()

    def _start_build(self) -> None:
        if self.building or not self.dirty:
            return  # a running build picks up `dirty` when it finishes
        changed = sorted(self.dirty)
        self.dirty.clear()
        shown = ", ".join(display_path(Path(p)) for p in changed[:3]) + (" …" if len(changed) > 3 else "")
        log.info("Changed: %s", shown)
        self.building = True
        thread = threading.Thread(target=self._build_thread, name="studyguide-build", daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def _build_thread(self) -> None:
        try:
            self.build_once()
        finally:
            assert self._loop is not None
            try:
                self._loop.add_callback(self._build_done)
            except RuntimeError:
                pass  # the server stopped while this build ran

    def _build_done(self) -> None:
        self.building = False
        roots = self.read_config()
        if self.watcher is not None and roots != self.watcher.roots:
            self.watcher.roots = roots  # the config moved the content folder
        ReloadSocket.reload_all()
        if self.dirty:  # saved again while building: build again
            self._start_build()


# -- HTTP and WebSocket handlers ------------------------------------------------------------------

class ReloadSocket(LiveReloadHandler):
    """livereload's WebSocket, plus: a tab that shows an older build than the current one reloads."""

    site: PreviewSite | None = None

    def open(self, *args: str, **kwargs: str) -> None:
        self.page_generation: int | None = None

    def on_message(self, message: str | bytes) -> None:
        data = json.loads(message)
        if data.get("command") == "hello" and isinstance(data.get("snipver"), int):
            self.page_generation = data["snipver"]
        super().on_message(message)
        site = ReloadSocket.site
        if (data.get("command") == "info" and site is not None and self.page_generation is not None
                and self.page_generation < site.generation):
            log.debug("tab shows build %d of %d: reloading it", self.page_generation, site.generation)
            self.send_message(reload_message())

    @classmethod
    def reload_all(cls) -> None:
        """Tell every connected tab to reload now (no throttling: every build shows up)."""
        for waiter in list(LiveReloadHandler.waiters):
            try:
                waiter.write_message(reload_message())
            except Exception:  # noqa: BLE001 - a closed tab
                LiveReloadHandler.waiters.discard(waiter)


def reload_message() -> dict[str, object]:
    # path "*" → livereload.js reloads the whole page (the HTML changes with every build).
    return {"command": "reload", "path": "*", "liveCSS": False, "liveImg": False}


def inject_reload_script(page: bytes, port: int, generation: int) -> bytes:
    """Add the external livereload.js tag (allowed by ``script-src 'self'``) before ``</head>``."""
    tag = f'<script src="/livereload.js?port={port}&amp;snipver={generation}" defer></script>'.encode()
    at = page.find(b"</head>")
    return page[:at] + tag + page[at:] if at >= 0 else page + tag


class SiteHandler(web.RequestHandler):
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
        is_html = path.endswith(("/", ".html")) or not os.path.splitext(path)[1]
        if site.problems and is_html:
            page = render_error_page(site.problems, when=site.failed_at).encode()
            return self._send(500, ".html", page, generation, head)
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
        root = self.site.out_dir.resolve()
        target = (root / rel).resolve()
        return target if target == root or target.is_relative_to(root) else None

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
        else:
            # Assets may be cached but are revalidated on every use (ETag → 304): a reload then
            # does not download and parse Mermaid's 3 MB again, yet never sees an old file.
            self.set_header("Cache-Control", "no-cache")
        self.set_status(status)
        self.set_header("Content-Type", content_type)
        if head:
            self.set_header("Content-Length", str(len(body)))
        else:
            self.write(body)  # Tornado adds Content-Length and the ETag, and answers 304 on a match
        self.finish()


def make_app(site: PreviewSite) -> web.Application:
    """The Tornado application: livereload's script and socket at the root, the site everywhere else."""
    ReloadSocket.site = site

    def log_request(handler: web.RequestHandler) -> None:
        log.debug("%d %s %.0f ms", handler.get_status(), handler.request.uri, 1000 * handler.request.request_time())

    return web.Application([
        (r"/livereload", ReloadSocket),
        (r"/livereload\.js", LiveReloadJSHandler),
        (r"/.*", SiteHandler, {"site": site}),
    ], log_function=log_request)
