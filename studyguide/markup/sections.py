"""Splitting a question's Markdown into ``## Heading`` sections, with the headings' source lines."""

from __future__ import annotations

from dataclasses import dataclass

from .parser import BLOCK_PARSER


@dataclass(frozen=True)
class SplitSection:
    heading: str
    body: str
    line: int  # 1-based line of the heading within the text
    body_line: int = 0  # 1-based line of the body's first line within the text


@dataclass(frozen=True)
class Preamble:
    """Text found before the first ``##`` heading (an error in question files)."""

    line: int


def split_sections(text: str) -> tuple[list[SplitSection], Preamble | None]:
    """Split Markdown into sections at level-2 headings, using token line maps.

    Headings are found by the parser (so a ``## x`` inside a code fence is not a heading), and
    ``token.map`` gives their source lines for error messages.
    """
    lines = text.splitlines(keepends=True)
    tokens = BLOCK_PARSER.parse(text)
    starts: list[tuple[int, int, str]] = []  # (first line, line after heading, heading text)
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.tag == "h2" and tok.level == 0 and tok.map:
            inline = tokens[i + 1]
            starts.append((tok.map[0], tok.map[1], inline.content.strip()))
    preamble = None
    first = starts[0][0] if starts else len(lines)
    if "".join(lines[:first]).strip():
        preamble = Preamble(next(n for n, line in enumerate(lines) if line.strip()) + 1)
    sections = []
    for n, (start, body_start, heading) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        raw = "".join(lines[body_start:end])
        skipped = len(raw) - len(raw.lstrip("\n"))  # blank lines between heading and text
        sections.append(SplitSection(heading, raw.strip("\n"), start + 1, body_start + 1 + skipped))
    return sections, preamble
