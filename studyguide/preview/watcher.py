"""Finding changed sources by comparing stat snapshots.

The snapshot is the truth about what changed, however the preview learns that it should look:
file-system events on the folders a scan found (:mod:`studyguide.preview.events`), or polling.
livereload's watcher polls every 0.8 s on the server's event loop and walks a whole folder on each
poll; when ours polls, it is every 0.1 s for normal guides (backing off to 1 s for huge ones, so
polling never costs more than ~10 % of one core), from a thread that never blocks serving.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

POLL_MIN_S, POLL_MAX_S = 0.1, 1.0
POLL_BUDGET = 10  # poll interval ≥ 10 × the time one scan takes: polling costs ≤ 10 % of a core

Stamp = tuple[int, int] | None  # (mtime_ns, size) for files, None for folders


class SourceWatcher:
    """Finds added, removed and modified files under some roots by comparing stat snapshots.

    It sees what the build reads. Names starting with ``.`` are skipped (editor swap files,
    ``.git``), and in the content folder (`content`) also names starting with ``_`` (drafts), as
    the loader skips them. Folders count only by existence, so an editor's temporary file coming
    and going does not trigger a rebuild.

    Symbolic links: each real folder is scanned once (``ln -s . _a`` or a link to a parent can
    never make a scan loop or grow), and a link inside the content folder that leads out of it is
    noted but not followed — the loader refuses such links, it does not read through them.
    """

    def __init__(self, roots: list[Path], content: Path | None = None) -> None:
        self.roots = list(roots)
        self.content = content
        self.folders: tuple[str, ...] = ()  # what the last scan listed: the folders to watch for events
        self.state = self.scan()

    def scan(self) -> dict[str, Stamp]:
        found: dict[str, Stamp] = {}
        seen: set[tuple[int, int]] = set()  # (device, inode) of every folder scanned
        folders: dict[str, None] = {}  # in scan order, without repeats
        for root in self.roots:
            confined = self.content is not None and Path(root) == self.content
            real_root = os.path.realpath(root) if confined else None
            self._scan_into(str(root), found, seen, folders, real_root, top=True)
        self.folders = tuple(folders)
        return found

    def _scan_into(self, path: str, found: dict[str, Stamp], seen: set[tuple[int, int]],
                   folders: dict[str, None], real_root: str | None, *, top: bool = False) -> None:
        try:
            st = os.stat(path)
            if top and not stat.S_ISDIR(st.st_mode):
                found[path] = (st.st_mtime_ns, st.st_size)
                # A file is watched through its folder: an editor that saves by renaming a new
                # file over it replaces its inode, and a watch on the old inode would go silent.
                folders[os.path.dirname(os.path.abspath(path))] = None
                return
            found[path] = None
            if (st.st_dev, st.st_ino) in seen:
                return  # scanned already under another name: a link loop or an alias
            seen.add((st.st_dev, st.st_ino))
            folders[path] = None
            with os.scandir(path) as listing:
                entries = sorted(listing, key=lambda e: e.name)  # the same folder wins every scan
        except (OSError, ValueError):
            return  # vanished while scanning (or unreadable): the next scan sees the final state
        for entry in entries:
            if entry.name.startswith(".") or (real_root is not None and entry.name.startswith("_")):
                continue
            try:
                if entry.is_symlink() and real_root is not None:
                    target = os.path.realpath(entry.path)
                    if os.path.commonpath([target, real_root]) != real_root:
                        link = entry.stat(follow_symlinks=False)  # refused by the loader: watch the link
                        found[entry.path] = (link.st_mtime_ns, link.st_size)
                        continue
                if entry.is_dir():
                    self._scan_into(entry.path, found, seen, folders, real_root)
                else:
                    st = entry.stat()
                    found[entry.path] = (st.st_mtime_ns, st.st_size)
            except OSError:
                found[entry.path] = None  # a dangling link or a loop: the loader reports it

    def changes(self) -> list[str]:
        """Paths that changed since the last call (sorted)."""
        new = self.scan()
        old, self.state = self.state, new
        return sorted(p for p in old.keys() | new.keys() if old.get(p, 0) != new.get(p, 0))
