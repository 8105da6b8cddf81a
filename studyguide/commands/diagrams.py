"""``studyguide diagrams``: render the project's diagram cache, or refresh and prune it.

The cache (``.studyguide/diagrams/``) is what lets a fresh clone or a CI runner build with neither
a browser nor the network: run this where Chromium is installed (or against a mermaid.ink server)
and commit the folder. ``--prune`` removes entries no diagram of the guide uses any more.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import click

from ..content.errors import ContentErrors, display_path
from ..content.loader import Loader
from ..content.model import Guide
from ..render.diagramart import DiagramArt
from ..render.diagramtheme import THEMES
from ..render.theme import default_theme
from ..site.diagrams import DiagramStage, wanted_diagrams, with_diagram_errors
from .reporting import fail


def diagrams(config_path: Path, *, renderer: str | None = None, prune: bool = False) -> int:
    """Render every diagram missing from the cache; with `prune`, drop unused entries.

    Returns the number of diagrams rendered. Exits 1 when a diagram is left undrawn.
    """
    root = Path(config_path).resolve().parent

    def stage_for(guide: Guide) -> DiagramStage:
        settings = guide.site.diagrams
        if renderer is not None:
            settings = dataclasses.replace(settings, renderer=renderer)
        if settings.renderer == "browser":
            fail(["the diagrams: renderer is 'browser': diagrams are drawn in readers' browsers, nothing is "
                  "cached. Choose one with --renderer chromium or --renderer mermaid-ink."])
        return DiagramStage(root, settings, default_theme().static)

    def draw(guide: Guide) -> tuple[DiagramStage, DiagramArt]:
        stage = stage_for(guide)
        try:
            return stage, stage.prepare(guide)
        finally:
            stage.close()

    try:
        guide = Loader().load(config_path)
    except ContentErrors as exc:  # every broken diagram too, with the other content errors
        raise with_diagram_errors(exc, draw) from None
    stage, art = draw(guide)
    sources = list(dict.fromkeys(w.source.strip() for w in wanted_diagrams(guide)))
    undrawn = [s for s in sources if art.get(s) is None]
    where = display_path(stage.cache.folder)
    click.echo(f"{len(sources)} diagram{'s' if len(sources) != 1 else ''} × {len(THEMES)} themes: "
               f"{stage.rendered} rendered, {len(sources) - stage.rendered - len(undrawn)} from the cache ({where})")
    if prune:
        keep = {key for source in sources for key in stage.keys(source).values()}
        gone = stage.cache.prune(keep)
        click.echo(f"pruned {len(gone)} stale entr{'ies' if len(gone) != 1 else 'y'}")
    if undrawn:
        fail([f"{len(undrawn)} diagram{'s' if len(undrawn) != 1 else ''} not drawn: no renderer is available "
              "(install Chromium and Playwright, or set diagrams: renderer: mermaid-ink)"])
    sys.stdout.flush()
    return stage.rendered
