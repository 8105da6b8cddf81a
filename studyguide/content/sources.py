"""Reading content files: UTF-8 text and YAML front matter, with errors that name the line."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .errors import ErrorList
from .yamldoc import LinedMap

NAME_MAX = 255  # bytes in one file name (Linux, macOS, Windows)
PATH_MAX = 4096  # bytes in a whole path (Linux)

Kind = Literal["file", "folder", "other", "missing"]


def path_text_problem(text: str) -> str | None:
    """Why `text` (a path written in content or config) can never name a file, else None.

    Checked before the path is used: ``os`` refuses a NUL byte with a bare ``ValueError`` and a
    too-long name with ``[Errno 36]``, neither of which says where the path came from.
    """
    if "\x00" in text:
        return "contains a NUL character"
    try:
        data = os.fsencode(text)
    except UnicodeError:
        return "is not a valid file name (it contains an unpaired surrogate character)"
    if len(data) > PATH_MAX:
        return f"is longer than {PATH_MAX} bytes"
    longest = max(data.split(b"/"), key=len)
    if len(longest) > NAME_MAX:
        return f"has a name longer than {NAME_MAX} bytes ('{os.fsdecode(longest[:40])}…')"
    return None


def real_path(path: Path) -> Path:
    """`path` with every symbolic link resolved; never raises. (``Path.resolve`` raises
    RuntimeError on a link loop before Python 3.13; ``os.path.realpath`` returns the loop's path,
    which then reads as unreadable.)"""
    return Path(os.path.realpath(path))


def resolve_within(root: Path, rel: str) -> Path | None:
    """`rel` under `root`, links followed, or None when it leads outside `root` or cannot be
    resolved (a link loop: RuntimeError before Python 3.13)."""
    try:
        real_root = root.resolve()
        target = (real_root / rel).resolve()
    except (OSError, RuntimeError):
        return None
    return target if target.is_relative_to(real_root) else None


def kind_of(path: Path, errors: ErrorList) -> Kind | None:
    """What `path` is, following symbolic links. None (with ``path:1: cannot read …`` recorded)
    when it cannot be looked at, e.g. for lack of permission on a folder above it."""
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return "missing"
    except OSError as exc:  # no permission on a folder above it, a link loop, …
        errors.add(path, 1, f"cannot read: {exc.strerror or exc}")
        return None
    except ValueError:  # a NUL byte
        errors.add(path, 1, "cannot read: the path contains a NUL character")
        return None
    return "folder" if stat.S_ISDIR(mode) else "file" if stat.S_ISREG(mode) else "other"


def list_folder(folder: Path, errors: ErrorList) -> list[os.DirEntry[str]] | None:
    """The entries of `folder` sorted by name, or None (recorded as ``cannot read folder``)."""
    try:
        with os.scandir(folder) as listing:
            return sorted(listing, key=lambda e: e.name)
    except OSError as exc:
        errors.add(folder, 1, f"cannot read folder: {exc.strerror or exc}")
        return None


def _read_regular_file(path: Path) -> bytes:
    """The bytes of `path`, refusing anything but a regular file *before* reading.

    O_NONBLOCK: opening a FIFO for reading would otherwise wait forever for a writer.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    with open(fd, "rb", closefd=True) as file:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, f"it is {_file_type(mode)}, not a regular file")
        return file.read()


def _file_type(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
                       (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "a special file"


def read_text(path: Path, errors: ErrorList) -> str | None:
    """Read a UTF-8 file; on failure record ``path:line: message`` and return None."""
    try:
        data = _read_regular_file(path)
    except OSError as exc:
        errors.add(path, 1, f"cannot read file: {exc.strerror or exc}")
        return None
    except ValueError:  # a NUL byte in the path
        errors.add(path, 1, "cannot read file: the path contains a NUL character")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        errors.add(path, line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at column {column})")
        return None
    if text.startswith("\ufeff"):
        text = text[1:]  # editors on Windows add a BOM; it is not content
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        errors.add(path, line, "file contains a NUL character (is it binary?)")
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass(frozen=True)
class FrontMatterDoc:
    """A Markdown file split into its YAML front matter and body."""

    yaml: str
    yaml_offset: int  # lines before the YAML text (the opening ---)
    body: str
    body_line: int  # 1-based line where the body starts


def split_front_matter(text: str, path: Path, errors: ErrorList) -> FrontMatterDoc | None:
    """Split ``---`` YAML ``---`` body. Records an error and returns None when malformed."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        errors.add(path, 1, "missing front matter: the file must start with a '---' line, "
                            "then YAML, then another '---' line")
        return None
    for n in range(1, len(lines)):
        if lines[n].rstrip() in ("---", "..."):
            return FrontMatterDoc(
                yaml="\n".join(lines[1:n]),
                yaml_offset=1,
                body="\n".join(lines[n + 1:]),
                body_line=n + 2,
            )
    errors.add(path, 1, "front matter is not closed: add a '---' line after the YAML")
    return None
