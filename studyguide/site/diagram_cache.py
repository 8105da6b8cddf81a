"""The diagram cache: rendered SVGs under the project, meant to be committed.

``.studyguide/diagrams/<key>.svg`` (and ``<key>.png`` where the renderer made one), the key being
a hash of the diagram source, the site theme and its palette, and the renderer's version. A build
looks here first and renders only what is missing, so a fresh clone with a committed cache builds
its diagrams with neither a browser nor the network. Entries are written atomically (a temporary
file renamed into place): an interrupted build never leaves half an SVG to be trusted later.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

CACHE_DIR = Path(".studyguide/diagrams")


def cache_key(source: str, theme: str, theme_digest: str, renderer_version: str) -> str:
    """Changes whenever the source, the site theme, its palette or the renderer's version does."""
    text = "\0".join((renderer_version, theme, theme_digest, source.strip()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


class DiagramCache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def svg(self, key: str) -> str | None:
        try:
            return (self.folder / f"{key}.svg").read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError):
            return None

    def png_path(self, key: str) -> Path | None:
        path = self.folder / f"{key}.png"
        return path if path.is_file() else None

    def put(self, key: str, svg: str, png: bytes | None = None) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if png is not None:
            self._write(self.folder / f"{key}.png", png)
        self._write(self.folder / f"{key}.svg", svg.encode("utf-8"))

    def _write(self, path: Path, data: bytes) -> None:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def entries(self) -> set[str]:
        if not self.folder.is_dir():
            return set()
        return {p.stem for p in self.folder.iterdir() if p.suffix in (".svg", ".png")}

    def prune(self, keep: set[str]) -> list[str]:
        """Remove every entry whose key is not in `keep`; returns the removed keys."""
        gone = sorted(self.entries() - keep)
        for key in gone:
            for suffix in (".svg", ".png"):
                (self.folder / f"{key}{suffix}").unlink(missing_ok=True)
        return gone
