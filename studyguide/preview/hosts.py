"""Who may talk to the preview: the ``Host`` names it answers and the origins of its reload socket.

A page on another site can point its own DNS name at 127.0.0.1 (DNS rebinding) and then read the
preview as same-origin; checking the ``Host`` header stops that, as Vite and webpack-dev-server do.
"""

from __future__ import annotations

import ipaddress
import logging
from urllib.parse import urlsplit

from tornado import web

log = logging.getLogger(__name__)

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
ALL_INTERFACES = frozenset({"0.0.0.0", "::", ""})


def host_name(netloc: str) -> str | None:
    """The host of a ``Host`` header or an origin's netloc (``[::1]:8000`` → ``::1``), lower
    case, without a trailing dot; None when it is malformed."""
    netloc = netloc.strip().lower()
    if netloc.startswith("["):
        host, closed, rest = netloc[1:].partition("]")
        return host if closed and (not rest or rest.startswith(":")) else None
    host, _, port = netloc.partition(":")
    return host.rstrip(".") or None if ":" not in port else None


class HostPolicy:
    """The ``Host`` names the preview answers: loopback names and the ``--host`` it was started
    with; any name only when it listens on every interface (``--host 0.0.0.0``), which the user
    asked for. Anything else is refused with 403 — a page on another site that rebinds its DNS
    name to 127.0.0.1 could otherwise read the preview (what Vite and webpack-dev-server check).
    """

    def __init__(self, bind_host: str = "127.0.0.1") -> None:
        self.any_host = bind_host.strip("[]") in ALL_INTERFACES
        self.names = LOOPBACK_NAMES | {bind_host.strip("[]").lower().rstrip(".")}

    def allows(self, netloc: str) -> bool:
        name = host_name(netloc)
        if name is None:
            return False
        if self.any_host or name in self.names or name.endswith(".localhost"):
            return True
        try:
            return ipaddress.ip_address(name).is_loopback
        except ValueError:
            return False


class HostChecked(web.RequestHandler):
    """Refuses a request whose ``Host`` is not one of the preview's own (see :class:`HostPolicy`)."""

    @property
    def host_policy(self) -> HostPolicy:
        return self.application.settings.get("hosts") or HostPolicy()

    def same_origin(self, origin: str) -> bool:
        """Whether `origin` (a WebSocket's ``Origin``) is this very preview, by an allowed name."""
        try:
            netloc = urlsplit(origin).netloc
        except ValueError:
            return False
        return netloc.lower() == self.request.host.lower() and self.host_policy.allows(netloc)

    def prepare(self) -> None:
        if not self.host_policy.allows(self.request.host):
            log.warning("refused a request for host %r: not a name this preview was started for "
                        "(start it with --host NAME to allow one)", self.request.host[:100])
            self.set_status(403)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish("Blocked: this host name is not allowed. Start the preview with --host NAME to allow it.")
