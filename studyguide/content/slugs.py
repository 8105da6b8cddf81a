"""Slugs and anchors: the ids in URLs, normalised to ``[a-z0-9-]``."""

from __future__ import annotations

import re

from ..markup.slugs import slugify

__all__ = ["slugify", "is_slug", "split_ordered_name"]

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# `NN-slug`: the ordering prefix of every content file and folder.
ORDERED_NAME_RE = re.compile(r"^(?P<order>\d+)-(?P<slug>.+)$")


def is_slug(text: str) -> bool:
    return bool(SLUG_RE.match(text))


def split_ordered_name(stem: str) -> tuple[int, str] | None:
    """``"01-llm-fundamentals"`` → ``(1, "llm-fundamentals")``; None when there is no prefix."""
    match = ORDERED_NAME_RE.match(stem)
    if not match:
        return None
    return int(match["order"]), match["slug"]


# Ids the theme's templates and scripts put on pages themselves (tests/test_hardening.py checks this
# list against templates/ and static/js/). A card id equal to one of them makes two elements share
# an id: ``#main`` would then land on the page's <main>, not open the card.
THEME_IDS = frozenset({
    "main", "site-nav", "search-input", "search-status", "search-results",  # every page
    "site-heading", "domains-heading", "prep-heading", "topics-heading", "group-filter",
    # the study controls and the practice page
    "study-help-title", "study-sets", "backup-heading", "reset-title",
    "practice-date", "practice-limit", "practice-scope",
    # the one-page edition's contents and interview section
    "onepage-toc-title", "interview", "interview-title",
})
# Numbered ids made while the page runs: search results, Mermaid's scratch elements, tag letters;
# the practice page's card headings (practice-<card id>-title);
# and those of diagrams drawn at build time: sgd<n> (-title, -desc, and d/l + the SVG's own ids).
THEME_ID_RE = re.compile(r"^(?:(?:search-option|[di]?sg-diagram|letter)-[0-9]+(?:-title)?"
                         r"|practice-[a-z0-9-]+-title"  # the practice page's copy of each card
                         r"|[a-z]{1,4}[0-9]{1,4}-title"  # a question's heading on the printable sheets
                         r"|sgd[0-9]+(?:-title|-desc|[dl](?:-[a-z0-9-]+)?)?)$")


def is_theme_id(anchor: str) -> bool:
    """Whether `anchor` is (or may become, once scripts run) an id the theme itself uses."""
    return anchor in THEME_IDS or bool(THEME_ID_RE.match(anchor))
