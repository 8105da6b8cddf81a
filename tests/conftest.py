"""Shared pytest fixtures for tests that need external tools or a real browser.

What lives here:

* ``require_tool(available, reason)`` -- skip a test when a tool (Chromium,
  Java, Node, ...) is missing, or fail it when ``STUDYGUIDE_REQUIRE_TOOLS=1``
  is set (CI sets it so a missing tool can't quietly turn into a skip).
* ``require_executable`` -- fixture wrapping ``require_tool`` around
  ``shutil.which``.
* ``browser_type_launch_args`` -- overrides the pytest-playwright fixture so
  the browser tests drive Debian's ``/usr/bin/chromium``. Any test that uses
  ``page`` / ``context`` / ``new_context`` / ``browser`` / ``launch_browser``
  is checked with ``require_tool`` before its fixtures are set up.
* ``serve_dir`` -- serves a directory over HTTP on 127.0.0.1 (port 0),
  optionally under a sub-path prefix.
* ``watch_page`` -- attaches to a Playwright page and records console
  errors, page errors, failed requests and requests to other origins.
"""

from __future__ import annotations

import dataclasses
import functools
import http.server
import os
import shutil
import sys
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest

#: Env var: when "1", a missing tool FAILS the test instead of skipping it.
REQUIRE_TOOLS_ENV = "STUDYGUIDE_REQUIRE_TOOLS"

#: The browser used by every Playwright test (Debian's ``chromium`` package).
CHROMIUM_PATH = Path("/usr/bin/chromium")
CHROMIUM_MISSING_REASON = (
    f"Chromium not found at {CHROMIUM_PATH}; apt-get install chromium"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

#: Fixtures (pytest-playwright's) that need a launched browser.
BROWSER_FIXTURES = frozenset(
    {"page", "context", "new_context", "browser", "launch_browser"}
)



@pytest.fixture(autouse=True, scope="session")
def _build_cache_of_this_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One build cache (compiled templates, icons, diagram labels) for the whole test run, in its
    temporary folder: tests share it as builds on one machine would, and never touch ~/.cache
    (subprocesses inherit the variable)."""
    from studyguide.render.buildcache import CACHE_ENV

    old = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(tmp_path_factory.mktemp("build-cache"))
    yield
    if old is None:
        os.environ.pop(CACHE_ENV, None)
    else:
        os.environ[CACHE_ENV] = old

# ---------------------------------------------------------------------------
# Tool requirements: skip, or fail when STUDYGUIDE_REQUIRE_TOOLS=1
# ---------------------------------------------------------------------------


def tools_required() -> bool:
    """Return True when ``STUDYGUIDE_REQUIRE_TOOLS=1``: missing tools are errors."""
    return os.environ.get(REQUIRE_TOOLS_ENV, "").strip() == "1"


def require_tool(available: bool, reason: str) -> None:
    """Skip the current test if a tool is missing, or fail if tools are required.

    Call it from a test, a fixture or a hook. If ``available`` is true it does
    nothing. Otherwise it raises ``pytest.skip.Exception`` with ``reason``, or
    ``pytest.fail.Exception`` when ``STUDYGUIDE_REQUIRE_TOOLS=1`` is set.
    (A failure raised during fixture setup is reported as an ERROR; either way
    the run exits non-zero.)

    Example::

        require_tool(shutil.which("java") is not None,
                     "java not found; apt-get install default-jre-headless")
    """
    if available:
        return
    if tools_required():
        pytest.fail(f"{reason} [{REQUIRE_TOOLS_ENV}=1]", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def require_executable() -> Callable[..., str]:
    """Factory: ``require_executable(name, hint="") -> str`` (absolute path).

    Looks ``name`` up on ``PATH`` and returns its path; if it is missing,
    calls :func:`require_tool` (skip, or fail under
    ``STUDYGUIDE_REQUIRE_TOOLS=1``). ``hint`` is appended to the reason,
    e.g. ``require_executable("node", hint="apt-get install nodejs")``.
    """

    def _require(name: str, hint: str = "") -> str:
        found = shutil.which(name)
        reason = f"{name} not found on PATH" + (f"; {hint}" if hint else "")
        require_tool(found is not None, reason)
        assert found is not None
        return found

    return _require


def chromium_available() -> bool:
    """Return True if the Chromium binary exists and is executable."""
    return CHROMIUM_PATH.is_file() and os.access(CHROMIUM_PATH, os.X_OK)


def require_chromium() -> None:
    """``require_tool`` for Chromium at :data:`CHROMIUM_PATH`."""
    require_tool(chromium_available(), CHROMIUM_MISSING_REASON)


def _uses_browser(item: pytest.Item) -> bool:
    return not BROWSER_FIXTURES.isdisjoint(getattr(item, "fixturenames", ()))


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Tag browser tests with the ``browser`` marker, if it is registered.

    Lets you run ``-m "not browser"``. The marker only gets added once it
    is listed in the pytest ``markers`` ini option, so an unregistered mark
    never triggers a warning.
    """
    registered = any(
        line.split(":", 1)[0].split("(", 1)[0].strip() == "browser"
        for line in config.getini("markers")
    )
    if not registered:
        return
    for item in items:
        if _uses_browser(item) and item.get_closest_marker("browser") is None:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Check for Chromium before setting up a test that needs the browser.

    Runs before fixture setup, so a missing browser skips (or, with
    ``STUDYGUIDE_REQUIRE_TOOLS=1``, fails) the test with a clear reason
    rather than a Playwright launch traceback.
    """
    if _uses_browser(item):
        require_chromium()


# ---------------------------------------------------------------------------
# Playwright: launch Debian's Chromium
# ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Launch ``/usr/bin/chromium`` (headless) instead of Playwright's download.

    Extends pytest-playwright's own ``browser_type_launch_args``, so
    ``--headed``, ``--slowmo`` and indirect parametrization still apply.
    Adds ``executable_path`` and :data:`CHROMIUM_ARGS` (no sandbox, no GPU,
    no background networking, component updates, sync or first-run UI).
    """
    require_chromium()
    launch_args = dict(browser_type_launch_args)
    launch_args["executable_path"] = str(CHROMIUM_PATH)
    launch_args.setdefault("headless", True)
    launch_args["args"] = [*launch_args.get("args", []), *CHROMIUM_ARGS]
    return launch_args


# ---------------------------------------------------------------------------
# serve_dir: static HTTP server on 127.0.0.1
# ---------------------------------------------------------------------------


def _normalize_prefix(prefix: str) -> str:
    parts = [p for p in prefix.split("/") if p]
    return "/" + "".join(f"{p}/" for p in parts)


class _QuietServer(http.server.ThreadingHTTPServer):
    """ThreadingHTTPServer that ignores clients hanging up mid-response."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore connection resets (a browser abandoning a request)."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError):
            return
        super().handle_error(request, client_address)


class _StaticHandler(http.server.SimpleHTTPRequestHandler):
    """Serves ``directory`` under ``prefix``; ``404.html`` for missing files."""

    prefix = "/"
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".html": "text/html; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".mjs": "text/javascript; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".json": "application/json",
        ".svg": "image/svg+xml",
        ".wasm": "application/wasm",
        ".webmanifest": "application/manifest+json",
    }

    def __init__(self, *args: Any, prefix: str = "/", **kwargs: Any) -> None:
        self.prefix = prefix
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def send_head(self):  # type: ignore[no-untyped-def]
        """Map ``prefix`` to the directory root; 404 anything outside it."""
        url_path = urllib.parse.urlsplit(self.path).path
        if self.prefix != "/" and url_path + "/" == self.prefix:
            # "/sub/path" -> "/sub/path/", like a static host would.
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", self.prefix)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if not url_path.startswith(self.prefix):
            self.send_error(HTTPStatus.NOT_FOUND, "Outside the served prefix")
            return None
        # http.server answers If-Modified-Since to the second: a rebuild within the same second
        # as the previous one would get 304 and the browser would keep the old sw.js and pages.
        # Hosts (GitHub Pages, Netlify) validate with ETags, which change with the content.
        del self.headers["If-Modified-Since"]
        return super().send_head()

    def translate_path(self, path: str) -> str:
        """Strip the prefix before resolving the path inside the directory."""
        url_path = urllib.parse.urlsplit(path).path
        if url_path.startswith(self.prefix):
            url_path = "/" + url_path[len(self.prefix) :]
        return super().translate_path(url_path)

    def send_error(
        self, code: int, message: str | None = None, explain: str | None = None
    ) -> None:
        """Serve the site's ``404.html`` (status 404) when it exists."""
        page_404 = Path(self.directory) / "404.html"
        if code == HTTPStatus.NOT_FOUND and page_404.is_file():
            body = page_404.read_bytes()
            self.send_response(HTTPStatus.NOT_FOUND, message)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)


@pytest.fixture
def serve_dir() -> Iterator[Callable[..., str]]:
    """Factory: ``serve_dir(directory, prefix="/") -> base_url``.

    Serves ``directory`` over HTTP on ``127.0.0.1`` on a free port from a
    background thread and returns the base URL with a trailing slash, e.g.
    ``http://127.0.0.1:41234/`` or, with ``prefix="/some/sub/path"``,
    ``http://127.0.0.1:41234/some/sub/path/``.

    * With a prefix, ``<prefix>/x`` maps to ``directory/x``; paths outside
      the prefix get 404, and the prefix without its trailing slash
      redirects (301) to the prefix.
    * Missing files get ``directory/404.html`` with status 404 if it exists.
    * Directories serve their ``index.html``.
    * Request logging is off. Every server is shut down at teardown.
    """
    servers: list[tuple[http.server.ThreadingHTTPServer, threading.Thread]] = []

    def _serve(directory: str | os.PathLike[str], prefix: str = "/") -> str:
        root = Path(directory).resolve()
        if not root.is_dir():
            raise NotADirectoryError(f"serve_dir: not a directory: {root}")
        norm_prefix = _normalize_prefix(prefix)
        handler = functools.partial(
            _StaticHandler, directory=str(root), prefix=norm_prefix
        )
        server = _QuietServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"serve_dir:{root.name}",
            daemon=True,
        )
        thread.start()
        servers.append((server, thread))
        host, port = server.server_address[:2]
        return f"http://{host}:{port}{norm_prefix}"

    yield _serve

    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# ---------------------------------------------------------------------------
# watch_page: console errors, page errors, foreign-origin requests
# ---------------------------------------------------------------------------


def url_origin(url: str) -> str:
    """Return ``scheme://host[:port]`` for an http(s)/ws(s) URL, else ``""``."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https", "ws", "wss") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}".lower()


@dataclasses.dataclass
class PageWatch:
    """What a page did while watched by :func:`watch_page`.

    Attributes:
        origin: the allowed origin (``scheme://host:port``).
        console_errors: text of ``console.error`` messages (this includes
            Chromium's "Failed to load resource" messages).
        page_errors: uncaught exceptions / unhandled rejections.
        failed_requests: ``"METHOD url: failure"`` for requests that failed.
        http_errors: ``"status url"`` for same-origin responses >= 400.
        foreign_requests: URLs of network requests (incl. WebSockets) to any
            other origin. They are aborted if ``block_foreign`` was set.
    """

    origin: str
    console_errors: list[str] = dataclasses.field(default_factory=list)
    page_errors: list[str] = dataclasses.field(default_factory=list)
    failed_requests: list[str] = dataclasses.field(default_factory=list)
    http_errors: list[str] = dataclasses.field(default_factory=list)
    foreign_requests: list[str] = dataclasses.field(default_factory=list)

    def is_foreign(self, url: str) -> bool:
        """True for an http(s)/ws(s) URL whose origin is not ``origin``.

        ``data:``, ``blob:`` and ``about:`` URLs are not network requests.
        """
        origin = url_origin(url)
        if not origin:
            return False
        if origin.startswith("ws"):
            origin = "http" + origin[2:]
        return origin != self.origin

    def problems(self) -> dict[str, list[str]]:
        """The non-empty lists among errors and foreign requests."""
        found = {
            "console_errors": self.console_errors,
            "page_errors": self.page_errors,
            "failed_requests": self.failed_requests,
            "http_errors": self.http_errors,
            "foreign_requests": self.foreign_requests,
        }
        return {k: list(v) for k, v in found.items() if v}

    def assert_clean(self) -> None:
        """Assert: no console/page errors, failed requests or foreign requests."""
        problems = self.problems()
        assert not problems, f"page problems: {problems}"


@pytest.fixture
def watch_page() -> Callable[..., PageWatch]:
    """Factory: ``watch_page(page, base_url, *, block_foreign=True) -> PageWatch``.

    Call it BEFORE ``page.goto(...)``. The allowed origin comes from
    ``base_url`` (normally what ``serve_dir`` returned). With
    ``block_foreign`` (the default), requests to other origins are
    recorded and aborted, so a test never touches the network; the page
    then also logs a console error for each of them.

    Example::

        def test_home(page, serve_dir, watch_page, tmp_path):
            base = serve_dir(site_dir, prefix="/studyguide/")
            watch = watch_page(page, base)
            page.goto(base)
            ...
            watch.assert_clean()
    """

    def _watch(page: Any, base_url: str, *, block_foreign: bool = True) -> PageWatch:
        origin = url_origin(base_url)
        if not origin:
            raise ValueError(f"watch_page: base_url is not http(s): {base_url!r}")
        watch = PageWatch(origin=origin)

        def on_console(msg: Any) -> None:
            if msg.type == "error":
                loc = msg.location or {}
                where = loc.get("url", "")
                if where:
                    where = f" ({where}:{loc.get('lineNumber', 0)})"
                watch.console_errors.append(f"{msg.text}{where}")

        def on_request(request: Any) -> None:
            if watch.is_foreign(request.url):
                watch.foreign_requests.append(request.url)

        def on_request_failed(request: Any) -> None:
            # ERR_ABORTED is the browser cancelling a request itself (a favicon or an image still
            # loading when the page navigates away), not the site failing: a missing file is a 404,
            # which on_response records.
            if not watch.is_foreign(request.url) and "ERR_ABORTED" not in str(request.failure):
                watch.failed_requests.append(
                    f"{request.method} {request.url}: {request.failure}"
                )

        def on_response(response: Any) -> None:
            if response.status >= 400 and not watch.is_foreign(response.url):
                watch.http_errors.append(f"{response.status} {response.url}")

        def on_websocket(ws: Any) -> None:
            if watch.is_foreign(ws.url):
                watch.foreign_requests.append(ws.url)

        page.on("console", on_console)
        page.on("pageerror", lambda exc: watch.page_errors.append(str(exc)))
        page.on("request", on_request)
        page.on("requestfailed", on_request_failed)
        page.on("response", on_response)
        page.on("websocket", on_websocket)

        if block_foreign:

            def route_handler(route: Any) -> None:
                if watch.is_foreign(route.request.url):
                    route.abort("blockedbyclient")
                else:
                    route.fallback()

            page.route("**/*", route_handler)
        return watch

    return _watch
