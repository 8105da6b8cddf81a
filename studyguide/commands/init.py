"""``studyguide init [DIR]``: start a new guide from the starter guide shipped in the package.

Like ``mkdocs new`` or ``hugo new site``, it writes a small but complete guide — config with
comments, one domain with a diagram and two topics, an interview group with a question, a page,
``.gitignore`` and a GitHub Pages workflow for a repository that holds only the guide — that builds
and passes ``studyguide check --strict`` as written. It never overwrites a file: when any of them
exists, it writes nothing and names them all.
"""

from __future__ import annotations

import json
import logging
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import click

from .. import __version__
from ..content.errors import display_path
from .reporting import fail

log = logging.getLogger(__name__)

STARTER = "starter"  # the package folder beside this module that holds the starter guide
# Names that cannot be stored as they are in the package: git would treat a `.gitignore` inside
# the package as its own, and `.github/` is not a folder a wheel should carry hidden.
RENAMES = {"gitignore": ".gitignore", "github": ".github"}


def _walk(folder: Traversable, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Traversable]]:
    files = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.startswith(("__", ".")):
            continue  # __pycache__ and the like
        parts = (*prefix, RENAMES.get(entry.name, entry.name) if not prefix else entry.name)
        if entry.is_dir():
            files.extend(_walk(entry, parts))
        else:
            files.append((parts, entry))
    return files


def starter_files(title: str) -> dict[str, str]:
    """The starter guide: relative path → text, with the title and studyguide version filled in."""
    root = resources.files("studyguide.commands").joinpath(STARTER)
    values = {"@TITLE@": json.dumps(title, ensure_ascii=False), "@STUDYGUIDE_VERSION@": __version__}
    files = {}
    for parts, entry in _walk(root):
        text = entry.read_text(encoding="utf-8")
        for token, value in values.items():
            text = text.replace(token, value)
        files["/".join(parts)] = text
    return files


def title_from_folder(folder: Path) -> str:
    """``kubernetes-prep`` → ``Kubernetes Prep``: a first title the author will replace."""
    words = folder.resolve().name.replace("_", "-").split("-")
    title = " ".join(w[:1].upper() + w[1:] for w in words if w)
    return title or "My Study Guide"


def init(directory: Path, title: str | None = None) -> list[Path]:
    """Write the starter guide into `directory` (created if needed); return the files written."""
    directory = Path(directory)
    files = starter_files(title or title_from_folder(directory))
    taken = [directory / name for name in files if (directory / name).exists() or (directory / name).is_symlink()]
    if taken:
        fail([f"{display_path(p)}: already exists" for p in taken],
             "Nothing was written: init never overwrites a file. Choose an empty folder, "
             "e.g. `studyguide init my-guide`.")
    written = []
    for name, text in files.items():
        target = directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "x", encoding="utf-8", newline="\n") as handle:  # "x": never overwrite
            handle.write(text)
        written.append(target)
        log.debug("wrote %s", target)
    where = display_path(directory)
    click.echo(f"Started a study guide in {where}/ ({len(written)} files):")
    for path in written:
        click.echo(f"  {display_path(path)}")
    go = "" if directory.resolve() == Path.cwd() else f"cd {where} && "
    click.echo(f"Next: {go}studyguide serve   (a live preview at http://127.0.0.1:8000)")
    click.echo('      studyguide new topic "A title"   (adds the next card; see studyguide new --help)')
    return written
