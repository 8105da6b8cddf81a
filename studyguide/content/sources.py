"""Reading content files: UTF-8 text and YAML front matter, with errors that name the line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import ErrorList


def read_text(path: Path, errors: ErrorList) -> str | None:
    """Read a UTF-8 file; on failure record ``path:line: message`` and return None."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        errors.add(path, 1, f"cannot read file: {exc.strerror or exc}")
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
