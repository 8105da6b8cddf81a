"""The flagship guide: structure of the bundled content, and fidelity of the built site to the source.

The fidelity test reads the author's plain-text source (``../shared/seed/``, present in CI) with an
independent parser and checks that every unit of text — titles, subtitles, paragraphs, questions,
section headings, diagram labels — appears in the built HTML, and that every topic's tags join back
to its source tag line. It prints the coverage figure; anything below 100% fails.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from html.parser import HTMLParser

import pytest
import seed_text
from helpers import BUNDLED_CONFIG, REPO

from studyguide.commands.build import build
from studyguide.content.loader import load_guide

SEED = REPO.parent / "shared" / "seed" / "ai-engineering-study-topics.txt"
TOPICS_PER_DOMAIN = [10, 9, 7, 6, 7, 5, 6, 6, 7, 5, 5, 5, 5, 7, 5]
QUESTION_IDS = ([f"Q{i}" for i in range(1, 21)] + [f"B{i}" for i in range(1, 5)]
                + [f"Q{i}" for i in range(21, 34)])


@pytest.fixture(scope="module")
def guide():
    return load_guide(BUNDLED_CONFIG)


def test_structure_of_the_bundled_guide(guide) -> None:
    assert [len(d.topics) for d in guide.domains] == TOPICS_PER_DOMAIN
    assert [d.number for d in guide.domains] == list(range(1, 16))
    assert all(d.icon and d.diagram.source.strip() for d in guide.domains)
    assert len(guide.topics) == 95
    for topic in guide.topics:
        assert topic.subtitle and topic.tags and topic.body.strip(), topic.slug
    assert len(guide.groups) == 12 and all(g.icon for g in guide.groups)
    assert [q.id for q in guide.questions] == QUESTION_IDS
    assert Counter(q.badge for q in guide.questions if q.badge) == {"Critical": 7, "Important": 6, "Bonus": 5}
    assert all(q.sections for q in guide.questions)
    assert [p.label for p in guide.pages] == ["META", "PRO TIP"]
    assert guide.stats == {"domains": 15, "topics": 95, "diagrams": 15, "questions": 37, "groups": 12}


class TextOf(HTMLParser):
    """All text of a page, entities decoded, whitespace collapsed (including <pre> diagram sources)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def norm(text: str) -> str:
    return " ".join(text.split())


def diagram_labels(flat: str, continuation: list[str]) -> list[str]:
    """The human-readable labels of a one-line diagram from the source."""
    if flat.startswith("sequenceDiagram"):
        labels = []
        for statement in re.split(r"\s+(?=participant |Note |\w+-{1,2}>>)", flat[len("sequenceDiagram"):].strip()):
            if statement.startswith("participant "):
                labels.append(statement.split(" as ", 1)[1])
            else:
                labels.append(statement.split(": ", 1)[1])
        return labels + continuation
    return re.findall(r'"([^"]*)"', flat) + re.findall(r'\|([^|"]+)\|', flat)


def source_units(doc: dict) -> list[tuple[str, str]]:
    """(kind, text) for every unit of the source the site must carry."""
    units = [("title", doc["title"]), ("subtitle", doc["subtitle"]), ("interview", doc["interview_title"]),
             ("interview", doc["interview_intro"])]
    for d in doc["domains"]:
        units += [("domain", d["name"]), ("diagram title", d["diagram_title"])]
        units += [("diagram label", label) for label in diagram_labels(d["diagram"], d["diagram_cont"])]
        for t in d["topics"]:
            units += [("topic title", t["title"]), ("subtitle", t["subtitle"])]
            units += [("paragraph", p) for p in t["paragraphs"]]
    for g in doc["groups"]:
        units.append(("group", g["name"]))
        for q in g["questions"]:
            units += [("question", q["question"]), ("question id", q["id"])]
            if q["badge"]:
                units.append(("badge", q["badge"]))
            for s in q["sections"]:
                units.append(("section heading", s["heading"]))
                units += [("paragraph", p) for p in s["paragraphs"]]
    for p in doc["pages"]:
        units += [("page label", p["label"]), ("page title", p["title"])]
        units += [("paragraph", para) for para in p["paragraphs"]]
    return units


@pytest.fixture(scope="module")
def seed() -> dict:
    if not SEED.is_file():
        pytest.skip(f"the author's source {SEED} is not here (CI has it beside the repository)")
    return seed_text.parse(SEED)


@pytest.fixture(scope="module")
def built_text(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("flagship") / "site"
    build(BUNDLED_CONFIG, out, search=False)
    parser = TextOf()
    for page in sorted(out.rglob("*.html")):
        parser.feed(page.read_text(encoding="utf-8"))
    return parser.text()


def test_every_word_of_the_source_is_in_the_built_site(seed: dict, built_text: str) -> None:
    units = source_units(seed)
    missing = []
    for kind, text in units:
        wanted = norm(text)
        # Numbered paragraphs ("1. Re-ranking — …") render as an ordered list: the number becomes
        # the list marker, the words stay.
        listed = re.sub(r"^\d+\. ", "", wanted)
        if wanted not in built_text and listed not in built_text:
            missing.append((kind, wanted[:100]))
    coverage = 100 * (len(units) - len(missing)) / len(units)
    print(f"\nfidelity: {len(units) - len(missing)}/{len(units)} source units in the built site ({coverage:.2f}%)")
    # The parser read the whole source, not a fragment of it.
    kinds = Counter(kind for kind, _ in units)
    assert (kinds["domain"], kinds["topic title"], kinds["group"], kinds["question"]) == (15, 95, 12, 37)
    assert not missing, missing[:10]


def test_tags_join_back_to_the_source_tag_lines(seed: dict, guide, built_text: str) -> None:
    source_lines = [t["tagline"] for d in seed["domains"] for t in d["topics"]]
    assert ["".join(t.tags) for t in guide.topics] == source_lines
    for topic in guide.topics:
        for tag in topic.tags:
            assert html.unescape(tag) in built_text
