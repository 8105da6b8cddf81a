"""What a Markdown body contains that decides which scripts and styles its page loads.

A page loads the diagram renderer only when something on it renders a Mermaid diagram, and the
highlighting stylesheet only when it shows a code block. Both are read from the block structure
(:data:`~.parser.BLOCK_PARSER`: no inline parsing, no rendering), so finding out costs a fraction
of a render and never renders a body a second time; a body that cannot contain either (no fence
and no indented line) is not parsed at all.
"""

from __future__ import annotations

import functools

from .diagrams import is_mermaid_fence
from .parser import BLOCK_PARSER


@functools.lru_cache(maxsize=65536)
def block_features(text: str) -> tuple[bool, bool]:
    """(renders a diagram, renders a code block) for one body."""
    if "```" not in text and "~~~" not in text and "    " not in text and "\t" not in text:
        return False, False  # no fence and no indented code block can start here
    diagram = code = False
    for token in BLOCK_PARSER.parse(text):
        if token.type == "fence":
            if is_mermaid_fence(token):
                diagram = True
            else:
                code = True
        elif token.type == "code_block":
            code = True
    return diagram, code


def has_diagrams(markdown_bodies: list[str]) -> bool:
    """Whether any body renders a diagram (a ``mermaid`` fence)."""
    return any(block_features(body)[0] for body in markdown_bodies)


def has_code(markdown_bodies: list[str]) -> bool:
    """Whether any body renders a code block (a fence in another language, or indented code)."""
    return any(block_features(body)[1] for body in markdown_bodies)
