"""The content model computes every figure the site shows."""

from __future__ import annotations

from studyguide.content.model import Diagram, Domain, Group, Guide, Interview, Question, Section, Site, Topic


def topic(slug: str, *tags: str) -> Topic:
    return Topic(slug, slug.title(), "sub", "Body.", tags)


def make_guide() -> Guide:
    d1 = Domain(1, "rag", "RAG", "🔍", Diagram("Flow", "flowchart LR\nA-->B"), (topic("hyde", "HyDE", "BM25"), topic("rrf", "BM25")))
    d2 = Domain(12, "agents", "Agents", "🤖", Diagram("Loop", "flowchart LR\nA-->B"), (topic("react", "Agents"),))
    q = lambda qid, badge=None: Question(qid, f"{qid}?", badge, (Section("Problem", "x"),))  # noqa: E731
    interview = Interview("Interview", "Intro", (Group("rag", "RAG", "🔍", (q("Q1", "Critical"), q("Q2"))),
                                                 Group("bonus", "Bonus", "🔥", (q("B1", "Bonus"),))))
    return Guide(Site("T", "S", "D"), (d1, d2), interview)


def test_stats_are_computed_from_content() -> None:
    assert make_guide().stats == {"domains": 2, "topics": 3, "diagrams": 2, "questions": 3, "groups": 2}


def test_tags_index_keeps_content_order() -> None:
    tags = make_guide().tags()
    assert list(tags) == ["HyDE", "BM25", "Agents"]
    assert [t.slug for _, t in tags["BM25"]] == ["hyde", "rrf"]


def test_ids_and_paths_are_stable() -> None:
    guide = make_guide()
    assert [d.label for d in guide.domains] == ["01", "12"]
    assert guide.domains[0].path == "rag/"
    assert [q.anchor for q in guide.questions] == ["q1", "q2", "b1"]
    assert guide.groups[1].anchor == "group-bonus"


def test_guide_without_interview() -> None:
    guide = Guide(Site("T", "S", "D"), (), None)
    assert guide.questions == () and guide.stats["questions"] == 0
