"""A content Markdown file (topic, question, page): YAML front matter checked against a schema,
and the Markdown body, with the lines an error needs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ErrorList
from .sources import read_text, split_front_matter
from .yamldoc import LinedMap, Schema, check_schema, parse_mapping


@dataclass(frozen=True)
class MarkdownFile:
    """A content Markdown file: front-matter values that passed the schema, and the body."""

    values: dict[str, Any]
    mapping: LinedMap  # for the line of each key
    body: str
    body_line: int  # 1-based line where the body starts

    @property
    def text(self) -> str:
        """The body without the blank lines around it (what the model keeps)."""
        return self.body.strip("\n")

    @property
    def text_line(self) -> int:
        """The line of :attr:`text`'s first line (blank lines after the front matter skipped)."""
        return self.body_line + len(self.body) - len(self.body.lstrip("\n"))


def parse_markdown_file(path: Path, schema: Schema, errors: ErrorList) -> MarkdownFile | None:
    """A Markdown file's front matter, checked against `schema`, and its body; None (with the
    problems in `errors`) when the front matter is missing or is not a YAML mapping."""
    text = read_text(path, errors)
    doc = split_front_matter(text, path, errors) if text is not None else None
    if doc is None:
        return None
    mapping = parse_mapping(doc.yaml, path, errors, offset=doc.yaml_offset)
    if mapping is None:
        return None
    return MarkdownFile(check_schema(mapping, schema, path, errors), mapping, doc.body, doc.body_line)
