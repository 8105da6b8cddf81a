"""The user's build cache: files that are slow to derive and safe to keep between builds.

Two things go here — compiled Jinja templates (their compilation was a fifth of a small guide's
build) and the app icons drawn from the theme's mark (Pillow's supersampled drawing was a third).
Both are pure functions of bytes we can hash, so an entry's name is the hash of everything it is
derived from and a stale entry can never be read: it is simply never looked up again.

Where: ``$STUDYGUIDE_CACHE_DIR``, else ``$XDG_CACHE_HOME/studyguide``, else ``~/.cache/studyguide``
(Hugo keeps its resource cache the same way, outside the project, so nothing here ever needs
committing — unlike the diagram cache, which is content and lives in the project). A cache that
cannot be created or written is no cache: the build derives everything again and says why in the
debug log, never fails for it. Entries are written to a temporary name and renamed, so two builds
running at once each see a whole file or none.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

CACHE_ENV = "STUDYGUIDE_CACHE_DIR"


def cache_root() -> Path:
    """The cache folder for this user (it may not exist yet)."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "studyguide"


def cache_folder(kind: str) -> Path | None:
    """``<cache root>/<kind>``, created; None when it cannot be (read-only home, no home at all)."""
    try:
        folder = cache_root() / kind
        folder.mkdir(parents=True, exist_ok=True)
    except (OSError, RuntimeError) as exc:  # RuntimeError: Path.home() with no home directory
        log.debug("build cache unavailable (%s): deriving everything", exc)
        return None
    return folder


def key_of(*parts: bytes) -> str:
    """A cache key for an entry derived from `parts` (their order matters)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()[:32]


def read_entry(folder: Path | None, name: str) -> bytes | None:
    """The cached bytes under `name`, or None (no cache, no entry, unreadable)."""
    if folder is None:
        return None
    try:
        return (folder / name).read_bytes()
    except OSError:
        return None


def write_entry(folder: Path | None, name: str, data: bytes) -> None:
    """Keep `data` under `name`, atomically; a failure only costs the next build some time."""
    if folder is None:
        return
    tmp = None
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".tmp-", delete=False) as tmp:
            tmp.write(data)
        os.replace(tmp.name, folder / name)
    except OSError as exc:
        log.debug("could not write build cache entry %s: %s", name, exc)
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp.name)
