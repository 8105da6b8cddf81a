"""Files authors put beside their content: images, PDFs, data files in ``assets/`` folders.

Any folder named ``assets`` inside the content folder (one for the whole guide, ``content/assets/``,
or one in a domain, group or pages folder) is published as it is: ``content/domains/02-rag/assets/
pipeline.png`` is served at ``files/domains/02-rag/assets/pipeline.png``. The loader skips these
folders when it reads content, Markdown refers to their files by paths relative to the Markdown
file (so the links also work in an editor's or GitHub's preview), and the renderer rewrites those
paths for the page they end up on.
"""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path, PurePosixPath

log = logging.getLogger(__name__)

ASSETS_DIR = "assets"
#: Where asset files go in the built site (the theme's own files are under ``assets/``).
SITE_FOLDER = "files"


def is_asset(path: Path, content_dir: Path) -> bool:
    """Whether `path` (absolute) lies in an ``assets/`` folder of the content folder."""
    try:
        rel = path.relative_to(content_dir)
    except ValueError:
        return False
    return ASSETS_DIR in rel.parts[:-1]


def site_path(path: Path, content_dir: Path) -> str:
    """The URL path, relative to the site root, an asset file is published at."""
    return str(PurePosixPath(SITE_FOLDER, *path.relative_to(content_dir).parts))


def asset_files(content_dir: Path) -> list[Path]:
    """Every file in an ``assets/`` folder (names starting with ``.`` are skipped), sorted."""
    found: list[Path] = []
    for folder, dirs, files in os.walk(content_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        here = Path(folder)
        if ASSETS_DIR not in here.relative_to(content_dir).parts:
            continue
        found.extend(here / name for name in sorted(files) if not name.startswith("."))
    return found


@functools.lru_cache(maxsize=4096)
def _size(path: Path, stamp: tuple[int, int]) -> tuple[int, int] | None:
    import imagesize  # only a guide with images needs it (it imports urllib.request: ~20 ms)

    try:
        width, height = imagesize.get(str(path))
    except (OSError, ValueError) as exc:
        log.debug("no size for %s: %s", path, exc)
        return None
    width, height = int(width), int(height)
    return (width, height) if width > 0 and height > 0 else None


def image_size(path: Path) -> tuple[int, int] | None:
    """Width and height from the file's header (PNG, JPEG, GIF, WebP, SVG ...), or None."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return _size(path, (stat.st_mtime_ns, stat.st_size))
