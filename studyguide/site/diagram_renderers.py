"""Diagram renderers: Mermaid text + site theme → SVG, at build time.

* ``chromium`` — the vendored Mermaid in headless Chromium (:mod:`.mermaid_browser`): offline,
  private, the very renderer readers' browsers would run.
* ``mermaid-ink`` — a mermaid.ink server through **mermaid-py** (``ink_server:``; the public
  https://mermaid.ink only when the author names it, since it receives the diagram source). It also
  returns a PNG, kept as the domain page's Open Graph image.

Both draw with the palette of :class:`~studyguide.render.diagramtheme.DiagramTheme` and hand back
SVGs normalised by :func:`~studyguide.render.diagramsvg.normalise`. A renderer that cannot run at
all raises :class:`RendererUnavailable` (one message); a diagram that fails comes back as an
error with Mermaid's message.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..render.diagramsvg import FORMAT, TOKEN, normalise
from ..render.diagramtheme import DiagramTheme
from .mermaid_browser import MERMAID_JS, BrowserUnavailable, MermaidBrowser, mermaid_version

log = logging.getLogger(__name__)

INK_ENV = "MERMAID_INK_SERVER"  # how mermaid-py is pointed at a server


class RendererUnavailable(Exception):
    """The renderer cannot run at all (no browser, server unreachable)."""


@dataclass(frozen=True)
class Job:
    source: str  # Mermaid text as the author wrote it
    theme: str  # "dark" or "light"


@dataclass(frozen=True)
class Drawn:
    svg: str | None = None  # normalised SVG, or None on error
    png: bytes | None = None
    error: str | None = None  # Mermaid's message


class DiagramRenderer(Protocol):
    name: str

    @property
    def version(self) -> str: ...

    def render(self, jobs: list[Job]) -> list[Drawn]: ...

    def close(self) -> None: ...


# Runs in the page: render each text with its configuration; the SVG or the error message.
_RENDER_ALL = """async ({items, token}) => {
  const out = [];
  for (const item of items) {
    mermaid.initialize(Object.assign(
      {startOnLoad: false, securityLevel: "strict", suppressErrorRendering: true}, item.config));
    try {
      out.push({svg: (await mermaid.render(token, item.text)).svg});
    } catch (err) {
      out.push({error: String((err && err.message) || err)});
      for (const id of ["d" + token, "i" + token, token]) document.getElementById(id)?.remove();
    }
  }
  return out;
}"""


class ChromiumRenderer:
    """The vendored Mermaid in one headless Chromium, kept for the renderer's lifetime."""

    name = "chromium"

    def __init__(self, static_dir: Path, theme: DiagramTheme) -> None:
        self.theme = theme
        self.static_dir = static_dir
        self.browser = MermaidBrowser(static_dir / MERMAID_JS)

    @property
    def version(self) -> str:
        return self.version_for(self.static_dir)

    @staticmethod
    def version_for(static_dir: Path) -> str:
        return f"chromium/mermaid-{mermaid_version(static_dir / MERMAID_JS)}/{FORMAT}"

    def render(self, jobs: list[Job]) -> list[Drawn]:
        items = [{"text": self.theme.adapt(job.source, job.theme), "config": self.theme.config(job.theme)}
                 for job in jobs]
        try:
            results = self.browser.evaluate(_RENDER_ALL, {"items": items, "token": TOKEN})
        except BrowserUnavailable as exc:
            raise RendererUnavailable(f"the chromium diagram renderer cannot run: {exc}") from exc
        return [Drawn(svg=normalise(r["svg"])) if "svg" in r else Drawn(error=r["error"]) for r in results]

    def close(self) -> None:
        self.browser.close()


def _import_mermaid_py():
    # mermaid-py prints an IPython warning on import when IPython is absent: keep it off the CLI.
    with contextlib.redirect_stdout(io.StringIO()):
        import mermaid
    return mermaid


class InkRenderer:
    """A mermaid.ink server (public or self-hosted) through mermaid-py."""

    name = "mermaid-ink"

    def __init__(self, server: str, theme: DiagramTheme) -> None:
        self.server = server.rstrip("/")
        self.theme = theme

    VERSION = f"mermaid-ink/{FORMAT}"

    @property
    def version(self) -> str:
        return self.VERSION

    def render(self, jobs: list[Job]) -> list[Drawn]:
        import requests

        mermaid = _import_mermaid_py()
        drawn = []
        previous = os.environ.get(INK_ENV)
        os.environ[INK_ENV] = self.server  # mermaid-py reads it on every request
        try:
            for job in jobs:
                try:
                    result = mermaid.Mermaid(self.theme.directive(job.source, job.theme))
                except mermaid.MermaidError as exc:
                    if exc.status_code >= 500 or exc.status_code == 404:
                        raise RendererUnavailable(f"the mermaid.ink server at {self.server} failed: "
                                                  f"HTTP {exc.status_code}") from exc
                    drawn.append(Drawn(error=exc.response_text or str(exc)))
                    continue
                except requests.RequestException as exc:
                    raise RendererUnavailable(f"the mermaid.ink server at {self.server} is unreachable "
                                              f"({type(exc).__name__})") from exc
                drawn.append(Drawn(svg=normalise(result.svg_response.text), png=result.img_response.content))
        finally:
            if previous is None:
                os.environ.pop(INK_ENV, None)
            else:
                os.environ[INK_ENV] = previous
        return drawn

    def close(self) -> None:
        pass
