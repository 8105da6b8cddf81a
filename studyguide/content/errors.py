"""Content and config errors, reported as ``path:line: message``.

The loader never stops at the first mistake: it collects every :class:`ContentError` it finds and
raises one :class:`ContentErrors` at the end, so an author fixes everything in one pass.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import Guide


def display_path(path: Path) -> str:
    """A path as an author would type it: relative to the working directory when it is below it."""
    try:
        return os.path.relpath(path) if Path(os.path.realpath(path)).is_relative_to(Path.cwd()) else str(path)
    except (OSError, ValueError):
        return str(path)


@dataclass(frozen=True, order=True)
class ContentError:
    """One mistake in one file, at one line (1-based)."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}: {self.message}"


class ContentErrors(Exception):
    """Every mistake found in one load, sorted by file and line.

    `partial` is the part of the guide that did load (the loader's own errors only): later stages
    can still check it (diagrams), so one run reports every mistake. `notes` are problems that
    have no file and line (an unreachable diagram renderer), reported with the errors.
    """

    def __init__(self, errors: Iterable[ContentError], *, partial: Guide | None = None,
                 notes: Iterable[str] = ()):
        self.errors = sorted(set(errors), key=lambda e: (str(e.path), e.line, e.message))
        self.partial = partial
        self.notes = tuple(dict.fromkeys(notes))
        super().__init__("\n".join([*(str(e) for e in self.errors), *self.notes]))


class ErrorList:
    """Collects errors while loading; `raise_if_any` turns them into one exception."""

    def __init__(self) -> None:
        self.items: list[ContentError] = []

    def add(self, path: Path, line: int, message: str) -> None:
        self.items.append(ContentError(Path(path), max(1, line), message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self, partial: Guide | None = None) -> None:
        if self.items:
            raise ContentErrors(self.items, partial=partial)
