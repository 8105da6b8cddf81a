"""``studyguide serve``: build, serve with live reload, rebuild on every save.

The site is built into a private temporary folder (never inside the watched sources, so a build
cannot trigger another one) and served under the configured base path, like GitHub Pages would.
Mistakes in content or templates never stop the server: the browser shows them until they are
fixed (see :mod:`studyguide.preview`). Only problems that keep the server from starting at all —
port taken, no config file — end it, with a message and exit code 1.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import logging
import os
import shutil
import signal
import socket
import tempfile
import threading
import webbrowser
from pathlib import Path

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from ..content.config import CONFIG_NAME
from ..preview.handlers import HostPolicy, make_app
from ..preview.rebuild import PreviewSite
from ..render.theme import Theme
from .build import search_steps
from .reporting import fail

log = logging.getLogger(__name__)


def is_loopback(host: str) -> bool:
    """Whether `host` only accepts connections from this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name: it may resolve to anything


def bind(host: str, port: int) -> list[socket.socket]:
    """Bind the listening sockets, or end with a message an author can act on."""
    try:
        return bind_sockets(port, address=host)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            fail([f"error: port {port} is already in use on {host} (is another preview running?)"],
                 f"Choose another port, e.g. studyguide serve --port {port + 1}")
        if exc.errno == errno.EACCES:
            fail([f"error: no permission to use port {port} on {host}"],
                 "Ports below 1024 need special rights: use --port 8000 or another high port.")
        fail([f"error: cannot listen on {host}:{port}: {exc.strerror or exc}"],
             "Check --host (an address of this machine, e.g. 127.0.0.1) and --port.")


def site_url(host: str, port: int, base_path: str) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else ("localhost" if host == "::" else host)
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}{base_path}"


def serve(config: Path, *, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False,
          search: bool = True, theme: Theme | None = None, poll: bool = False) -> None:
    """Serve the guide described by `config` until Ctrl-C (or SIGTERM)."""
    config = Path(config)
    config_file = config / CONFIG_NAME if os.path.isdir(config) else config
    if not os.path.isfile(config_file):
        fail([f"error: config file '{config_file}' not found"],
             "Run this in your guide's folder or pass -f path/to/studyguide.yml.")
    if not is_loopback(host):
        log.warning("listening on %s: anyone on your network can open this preview. The preview "
                    "server is for editing only, not for production; publish with "
                    "`studyguide build` or `studyguide deploy`.", host)
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        logging.getLogger("livereload").setLevel(logging.WARNING)  # "Browser Connected" on every reload
    sockets = bind(host, port)
    port = sockets[0].getsockname()[1]  # the real one when --port 0
    signal.signal(signal.SIGTERM, _interrupt)  # until the server loop handles it: clean up on kill
    work = Path(tempfile.mkdtemp(prefix="studyguide-serve-"))
    log.debug("building into %s", work)
    try:
        site = PreviewSite(config_file, work / "site", theme=theme, search=search,
                           post_steps=search_steps(search), poll=poll)
        site.snapshot()
        log.info("Building %s …", config_file)
        site.build_once()
        asyncio.run(_run(site, sockets, host, port, open_browser))
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM before the server loop took the signals over
        pass
    finally:
        for sock in sockets:
            sock.close()
        shutil.rmtree(work, ignore_errors=True)
    log.info("Stopped.")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


async def _run(site: PreviewSite, sockets: list[socket.socket], host: str, port: int,
               open_browser: bool) -> None:
    """Serve and watch until Ctrl-C or SIGTERM, then stop cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    server = HTTPServer(make_app(site, HostPolicy(host)))
    server.add_sockets(sockets)
    site.start()
    site.origin = site_url(host, port, "")
    url = site.origin + site.base_path
    log.info("Serving %s — live reload on; press Ctrl-C to stop.", url)
    if open_browser:  # some browsers block until closed: never on the server's thread
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
    try:
        await stop.wait()
    finally:
        server.stop()
        site.stop()
        await server.close_all_connections()
