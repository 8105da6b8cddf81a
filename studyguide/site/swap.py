"""The output folder's life cycle: work folders beside it, the atomic swap, and the clean-up.

A build writes into a *work folder* — ``.site-new-<random>`` beside ``site/``, on the same file
system — and then exchanges the two in one step. On Linux that step is ``renameat2`` with
``RENAME_EXCHANGE`` (through ctypes: the ``os`` module has no binding), so ``site/`` never stops
existing, not even for a moment, and a build killed at any instant leaves either the old site or
the new one. Where there is no atomic exchange (macOS, Windows, file systems that refuse the flag)
the swap falls back to two renames, with a short window in which ``site/`` is absent.

Work folders are made with ``os.mkdir(path, 0o777)``, so they follow the umask like every file a
build writes (``tempfile.mkdtemp`` would make the published folder 0700). Each build holds an
``flock`` on its work folder while it runs; the next build removes every work folder whose lock is
free — what builds killed with ``kill -9`` or a power cut left — and never one that a concurrent
build is still writing.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import logging
import os
import secrets
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: no flock; leftovers are then removed by age only
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

AT_FDCWD = -100  # <fcntl.h>: paths relative to the working directory
RENAME_EXCHANGE = 2  # <linux/fs.h>
# A folder still named ``….init`` younger than this may be one another build is just setting up.
INIT_SUFFIX = ".init"
FRESH_S = 30.0
# Without flock (Windows) only folders this old are taken for leftovers.
STALE_WITHOUT_LOCKS_S = 24 * 3600.0

NEARLY_FULL_BYTES = 1 << 20

_held: dict[Path, int] = {}  # work folder → the descriptor that holds its lock


@functools.cache
def _renameat2() -> Any:
    """libc's ``renameat2`` (glibc ≥ 2.28), or None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        func = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    func.restype = ctypes.c_int
    return func


def exchange(a: Path, b: Path) -> bool:
    """Swap the names `a` and `b` in one atomic step. False when this OS or file system has no
    such step (nothing was changed then); raises OSError for any other failure."""
    func = _renameat2()
    if func is None:
        return False
    if func(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):  # old kernel, or a file system without it
        log.debug("renameat2(RENAME_EXCHANGE) is not supported here (%s): two renames", os.strerror(code))
        return False
    raise OSError(code, os.strerror(code), str(b))


def disk_nearly_full(folder: Path) -> bool:
    """Whether the file system of `folder` has less than :data:`NEARLY_FULL_BYTES` left: a tool
    that failed there most likely ran out of space, whatever it said (Pagefind leaves empty files
    instead of reporting ENOSPC)."""
    try:
        st = os.statvfs(folder)
    except (OSError, AttributeError):  # no statvfs on Windows
        return False
    return st.f_bavail * st.f_frsize < NEARLY_FULL_BYTES


def _prefixes(out_dir: Path) -> tuple[str, str]:
    return f".{out_dir.name}-new-", f".{out_dir.name}-old-"


def make_work_folder(out_dir: Path, kind: str = "new") -> Path:
    """A new, empty, locked folder beside `out_dir` (``.site-new-…``), mode 0777 minus the umask.

    It is made under a name ending in ``.init``, locked, then renamed (the lock stays with the
    folder): so a folder with the final name and a free lock is never one being set up.
    """
    prefix = _prefixes(out_dir)[0 if kind == "new" else 1]
    while True:
        path = out_dir.parent / f"{prefix}{secrets.token_hex(4)}"
        try:
            os.mkdir(f"{path}{INIT_SUFFIX}", 0o777)
            break
        except FileExistsError:
            continue
    try:
        if fcntl is not None:
            fd = os.open(f"{path}{INIT_SUFFIX}", os.O_RDONLY)
            _held[path] = fd
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.rename(f"{path}{INIT_SUFFIX}", path)
    except BaseException:
        remove_work_folder(Path(f"{path}{INIT_SUFFIX}"))
        _release(path)
        raise
    return path


def remove_work_folder(path: Path) -> None:
    """Delete a work folder of ours and release its lock (what cannot be deleted, the next
    build removes)."""
    shutil.rmtree(path, ignore_errors=True)
    fd = _held.pop(path, None)
    if fd is not None:
        os.close(fd)


def _in_use(path: Path) -> bool:
    """Whether a running build holds `path`'s lock (or may be about to take it)."""
    if path in _held:
        return True
    if path.name.endswith(INIT_SUFFIX):
        return time.time() - path.stat().st_ctime < FRESH_S
    if fcntl is None:
        return time.time() - path.stat().st_mtime < STALE_WITHOUT_LOCKS_S
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing releases the lock we may have taken
    return False


def remove_leftovers(out_dir: Path) -> list[Path]:
    """Remove the work folders that earlier, interrupted builds left beside `out_dir`."""
    removed = []
    try:
        entries = list(os.scandir(out_dir.parent))
    except OSError:
        return []
    for entry in entries:
        if not entry.name.startswith(_prefixes(out_dir)):
            continue
        path = Path(entry.path)
        try:
            if not entry.is_dir(follow_symlinks=False) or _in_use(path):
                continue
        except OSError:
            continue
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            removed.append(path)
    if removed:
        log.info("removed %d folder%s left by interrupted builds", len(removed), "s" * (len(removed) != 1))
    return removed


def swap_in(new: Path, out_dir: Path, dispose: Callable[[Path], None] | None = None) -> None:
    """Make the finished work folder `new` the output folder; the work folder that then holds the
    previous site goes to `dispose` (default: :func:`remove_work_folder`, at once)."""
    dispose = dispose or remove_work_folder
    if not os.path.lexists(out_dir):
        os.rename(new, out_dir)
        _release(new)
        return
    if exchange(new, out_dir):
        dispose(new)  # it now holds the previous site
        return
    old = make_work_folder(out_dir, "old")
    try:
        os.rename(out_dir, old / out_dir.name)
    except BaseException:
        remove_work_folder(old)
        raise
    try:
        os.rename(new, out_dir)
    except BaseException:
        os.rename(old / out_dir.name, out_dir)  # put the previous site back before failing
        remove_work_folder(old)
        raise
    _release(new)
    dispose(old)


def _release(path: Path) -> None:
    """Drop the lock of the work folder that was at `path` (it is the output folder now)."""
    fd = _held.pop(path, None)
    if fd is not None:
        os.close(fd)
