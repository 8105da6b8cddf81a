"""Slugs and anchors: the ids in URLs, normalised to ``[a-z0-9-]``."""

from __future__ import annotations

import re
import unicodedata

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# `NN-slug`: the ordering prefix of every content file and folder.
ORDERED_NAME_RE = re.compile(r"^(?P<order>\d+)-(?P<slug>.+)$")


def slugify(text: str) -> str:
    """Turn any text (a tag, a title) into ``[a-z0-9-]``; never empty."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug or "x" + "".join(f"{ord(c):x}" for c in text)[:40]


def is_slug(text: str) -> bool:
    return bool(SLUG_RE.match(text))


def split_ordered_name(stem: str) -> tuple[int, str] | None:
    """``"01-llm-fundamentals"`` → ``(1, "llm-fundamentals")``; None when there is no prefix."""
    match = ORDERED_NAME_RE.match(stem)
    if not match:
        return None
    return int(match["order"]), match["slug"]
