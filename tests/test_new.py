"""`studyguide new …`: the next NN-slug item with valid front matter, never overwriting."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_cli, tree_digest

from studyguide.commands.check import check_project
from studyguide.commands.init import init


@pytest.fixture
def guide(tmp_path: Path) -> Path:
    init(tmp_path / "g", title="Test Guide")
    return tmp_path / "g"


def new(guide: Path, *args: str) -> str:
    result = run_cli("new", *args, cwd=guide)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_new_items_get_the_next_number_and_build(guide: Path) -> None:
    assert new(guide, "domain", "Kubernetes Basics", "--icon", "☸️") == "content/domains/02-kubernetes-basics"
    assert new(guide, "topic", "Pods & Services") == "content/domains/02-kubernetes-basics/01-pods-services.md"
    assert new(guide, "topic", "Über Deployments", "--domain", "1", "--tag", "Rollouts", "--tag", "Replicas") \
        == "content/domains/01-getting-started/03-uber-deployments.md"
    assert new(guide, "group", "Networking") == "content/interview/02-networking"
    assert new(guide, "question", "How does a Service find its Pods?", "--badge", "critical") \
        == "content/interview/02-networking/01-q2.md"
    assert new(guide, "question", "What is a DaemonSet?", "--group", "basics") == "content/interview/01-basics/02-q3.md"
    assert new(guide, "page", "Cheat sheet", "--label", "REFERENCE") == "content/pages/02-cheat-sheet.md"

    report = check_project(guide / "studyguide.yml", search=False, html=False, diagrams=False)
    assert not report.failed(strict=True), report.lines(strict=True)
    built = run_cli("build", "--no-search", cwd=guide)
    assert built.returncode == 0, built.stderr
    domain = (guide / "site/kubernetes-basics/index.html").read_text(encoding="utf-8")
    assert 'id="pods-services"' in domain and "Kubernetes Basics" in domain
    interview = (guide / "site/interview/index.html").read_text(encoding="utf-8")
    assert 'id="q2"' in interview and 'id="q3"' in interview and "badge-critical" in interview
    assert "Cheat sheet" in (guide / "site/cheat-sheet/index.html").read_text(encoding="utf-8")
    topic = (guide / "content/domains/01-getting-started/03-uber-deployments.md").read_text(encoding="utf-8")
    assert '  - "Rollouts"\n  - "Replicas"\n' in topic


def test_question_ids_continue_their_prefix_and_numbers_keep_their_width(guide: Path) -> None:
    group = guide / "content/interview/01-basics"
    (group / "009-b7.md").write_text("---\nid: B7\nquestion: Bonus?\n---\n## A\nText.\n", encoding="utf-8")
    assert new(guide, "question", "Another bonus?") == "content/interview/01-basics/010-b8.md"
    assert new(guide, "question", "Explicit", "--id", "X1") == "content/interview/01-basics/011-x1.md"


def test_a_domain_without_a_diagram(guide: Path) -> None:
    path = new(guide, "domain", "Glossary", "--no-diagram")
    assert sorted(p.name for p in (guide / path).iterdir()) == ["domain.yml"]
    new(guide, "topic", "Pod")
    assert run_cli("build", "--no-search", cwd=guide).returncode == 0


@pytest.mark.parametrize(("args", "message"), [
    (("topic", "Writing a topic"), "topic slug 'writing-a-topic' is already used by content/domains/01-getting-started/01-writing-a-topic.md"),
    (("page", "Getting started"), "slug 'getting-started' is already used by content/domains/01-getting-started"),
    (("domain", "Interview"), "'interview' is a reserved name"),
    (("question", "Again?", "--id", "q1"), "question id 'q1' is already used by content/interview/01-basics/01-q1.md"),
    (("question", "Bad id?", "--id", "5Q"), "question id '5Q' is not letters then digits"),
    (("topic", "x", "--domain", "nope"), "no domain 'nope' (there are: 01-getting-started)"),
    (("topic", "Émoji 🚀", "--slug", "Not A Slug"), "slug 'Not A Slug' must be lower-case"),
])
def test_new_refuses_what_would_not_build_and_writes_nothing(guide: Path, args: tuple[str, ...], message: str) -> None:
    before = tree_digest(guide)
    result = run_cli("new", *args, cwd=guide)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert tree_digest(guide) == before


def test_new_outside_a_guide_says_how_to_start_one(tmp_path: Path) -> None:
    result = run_cli("new", "topic", "X", cwd=tmp_path)
    assert result.returncode == 1
    assert "studyguide init" in result.stderr
