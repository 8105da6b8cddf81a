"""``studyguide export anki``: the guide as an Anki deck (``.apkg``) to import into Anki."""

from __future__ import annotations

from pathlib import Path

from ..content.config import CONFIG_NAME
from ..content.loader import Loader
from ..site.anki import DeckSummary, deck_file_name, export_deck


def export_anki(config_path: Path, output: Path | None = None) -> DeckSummary:
    """Load the guide and write its deck to `output`: a file, or a folder to put it in (default:
    the current folder), named after the guide (``ai-engineering-study-topics.apkg``)."""
    config_path = Path(config_path)
    if config_path.is_dir():
        config_path = config_path / CONFIG_NAME
    guide = Loader().load(config_path)  # raises ContentErrors with every problem at once
    target = Path(output) if output else Path.cwd()
    if target.is_dir():
        target = target / deck_file_name(guide)
    return export_deck(guide, target, config_path.resolve().parent)
