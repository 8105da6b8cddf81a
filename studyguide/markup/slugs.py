"""Slugs: any text (a heading, a tag, a title) as ``[a-z0-9-]``, for ids in URLs.

The lowest layer owns it because heading ids are made while rendering Markdown; the content layer
re-exports it (``studyguide.content.slugs``) with its file-name rules.
"""

from __future__ import annotations

import re
import unicodedata


def slugify(text: str) -> str:
    """Turn any text (a tag, a title) into ``[a-z0-9-]``; never empty."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug or "x" + "".join(f"{ord(c):x}" for c in text)[:40]
