"""What the study features need from the content: guide id, card hashes, card sets, practice cards.

The reader's progress is stored in the browser, keyed by the guide id and the stable card ids
(``hybrid-search``, ``q5``). A short hash of each card's text lets the page say "changed since you
marked it" without ever dropping a mark. Card sets (per domain, per interview group) are what the
progress bars count, and practice cards carry the scopes they belong to.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from ..content.model import Domain, Group, Guide, Question, Topic
from ..content.slugs import slugify

#: Version of the progress file format written by the browser (static/js/study-store.js).
PROGRESS_FORMAT = 1


def guide_id(guide: Guide) -> str:
    """The guide's name in stored progress and export files: refuses another guide's files."""
    return slugify(guide.site.title) or "guide"


def card_hash(card: Topic | Question) -> str:
    """Eight hex digits of the card's text: a changed card shows a note next to its mark."""
    if isinstance(card, Topic):
        parts = [card.title, card.subtitle, card.body, *card.tags]
    else:
        parts = [card.id, card.question, card.badge or ""]
        parts += [text for s in card.sections for text in (s.heading, s.body)]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:8]


def card_sets(guide: Guide) -> dict[str, list[str]]:
    """Card ids per domain and per interview group, for the progress bars (the page's JSON)."""
    sets = {f"domain:{d.slug}": [t.anchor for t in d.topics] for d in guide.domains}
    sets.update({f"group:{g.slug}": [q.anchor for q in g.questions] for g in guide.groups})
    return sets


def card_sets_json(guide: Guide) -> str:
    """`card_sets` as JSON safe inside a <script type="application/json"> element."""
    return json.dumps(card_sets(guide), separators=(",", ":")).replace("<", "\\u003c")


@dataclass(frozen=True)
class PracticeCard:
    """One card on the practice page, with the scopes that select it."""

    topic: Topic | None
    question: Question | None
    domain: Domain | None
    group: Group | None
    scopes: str  # space-separated: "domain:rag", "interview group:rag badge:critical"

    @property
    def anchor(self) -> str:
        card = self.topic or self.question
        assert card is not None
        return card.anchor


def practice_cards(guide: Guide) -> list[PracticeCard]:
    """Every topic and question, in guide order: topics first, then the interview."""
    cards = [PracticeCard(t, None, d, None, f"domain:{d.slug}") for d in guide.domains for t in d.topics]
    for group in guide.groups:
        for q in group.questions:
            scopes = f"interview group:{group.slug}" + (f" badge:{q.badge.lower()}" if q.badge else "")
            cards.append(PracticeCard(None, q, None, group, scopes))
    return cards
