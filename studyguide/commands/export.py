"""``studyguide export anki``: the guide as an Anki deck (``.apkg``) to import into Anki."""

from __future__ import annotations

from pathlib import Path

from ..site.anki import DeckSummary, deck_file_name, export_deck
from ..site.builder import SiteBuilder


def export_anki(config_path: Path, output: Path | None = None) -> DeckSummary:
    """Load the guide and write its deck to `output`: a file, or a folder to put it in (default:
    the current folder), named after the guide (``ai-engineering-study-topics.apkg``). Diagrams
    become images from the diagram cache (``studyguide diagrams`` fills it); none are rendered."""
    builder = SiteBuilder(config_path)
    guide = builder.load()  # raises ContentErrors with every problem at once
    try:
        art = builder.diagram_stage(guide).prepare(guide, render_missing=False)
    finally:
        builder.close()
    target = Path(output) if output else Path.cwd()
    if target.is_dir():
        target = target / deck_file_name(guide)
    return export_deck(guide, target, builder.project_root, art.svg_for)
