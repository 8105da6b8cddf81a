"""Bad content: one fixture per mistake, each with its exact ``path:line: message``.

Every case starts from a copy of the valid mini guide and breaks one thing. The CLI cases check the
whole contract: every error at once, exit code 1, no traceback, and no site written.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import copy_mini, run_cli, tree_digest

from studyguide.content.errors import ContentErrors
from studyguide.content.loader import load_guide

TOPIC = "content/domains/01-retrieval/01-hybrid-search.md"
QUESTION = "content/interview/01-rag/01-q1.md"
DOMAIN = "content/domains/01-retrieval/domain.yml"


def errors_for(project: Path) -> list[str]:
    with pytest.raises(ContentErrors) as caught:
        load_guide(project / "studyguide.yml")
    return [str(e) for e in caught.value.errors]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = copy_mini(tmp_path / "guide")
    monkeypatch.chdir(root)  # messages show paths relative to the working directory
    return root


CASES = {
    "unknown key": (
        TOPIC, "---\ntitle: Hybrid Search\nsubtitle: s\ncolour: red\ntags: [a]\n---\nBody.\n",
        [f"{TOPIC}:4: unknown key 'colour' (expected one of: title, subtitle, tags)"]),
    "missing required key": (
        TOPIC, "---\ntitle: Hybrid Search\ntags: [a]\n---\nBody.\n",
        [f"{TOPIC}:2: missing required key 'subtitle'"]),
    "empty required value": (
        TOPIC, "---\ntitle: '  '\nsubtitle: s\ntags: [a]\n---\nBody.\n",
        [f"{TOPIC}:2: 'title' must not be empty"]),
    "empty tag list": (
        TOPIC, "---\ntitle: t\nsubtitle: s\ntags: []\n---\nBody.\n",
        [f"{TOPIC}:4: 'tags' must not be empty"]),
    "wrong type": (
        TOPIC, "---\ntitle: t\nsubtitle: s\ntags: just one\n---\nBody.\n",
        [f"{TOPIC}:4: 'tags' must be a list of text items, got text"]),
    "wrong type in list": (
        TOPIC, "---\ntitle: t\nsubtitle: s\ntags: [a, {b: c}]\n---\nBody.\n",
        [f"{TOPIC}:4: 'tags' must be a list of text items, got a mapping in the list"]),
    "empty body": (
        TOPIC, "---\ntitle: t\nsubtitle: s\ntags: [a]\n---\n\n",
        [f"{TOPIC}:6: the topic has no text: write its Markdown body after the front matter"]),
    "bad YAML": (
        TOPIC, "---\ntitle: t\nsubtitle: [unclosed\ntags: [a]\n---\nBody.\n",
        [f"{TOPIC}:4: invalid YAML: did not find expected ',' or ']'"]),
    "duplicate key": (
        TOPIC, "---\ntitle: t\nsubtitle: s\ntitle: again\ntags: [a]\n---\nBody.\n",
        [f"{TOPIC}:4: duplicate key 'title' (first at line 2)"]),
    "no front matter": (
        TOPIC, "Just text.\n",
        [f"{TOPIC}:1: missing front matter: the file must start with a '---' line, then YAML, "
         "then another '---' line"]),
    "unclosed front matter": (
        TOPIC, "---\ntitle: t\n",
        [f"{TOPIC}:1: front matter is not closed: add a '---' line after the YAML"]),
    "unknown badge": (
        QUESTION, "---\nid: Q1\nquestion: q?\nbadge: Urgent\n---\n## Problem\nText.\n",
        [f"{QUESTION}:4: unknown badge 'Urgent' (expected one of: Critical, Important, Bonus)"]),
    "bad question id": (
        QUESTION, "---\nid: Question one\nquestion: q?\n---\n## Problem\nText.\n",
        [f"{QUESTION}:2: question id 'Question one' must be letters then digits, like Q5 or B2"]),
    "text before first section": (
        QUESTION, "---\nid: Q1\nquestion: q?\n---\nIntro text.\n\n## Problem\nText.\n",
        [f"{QUESTION}:5: text before the first section: start each section with a '## Heading' line"]),
    "empty section": (
        QUESTION, "---\nid: Q1\nquestion: q?\n---\n## Problem\n\n## Approach\nText.\n",
        [f"{QUESTION}:5: section 'Problem' has no text"]),
    "missing diagram file": (
        DOMAIN, "name: Retrieval\nicon: x\ndiagram:\n  title: t\n  file: missing.mmd\n",
        [f"{DOMAIN}:5: diagram file 'missing.mmd' not found"]),
    "diagram outside the domain folder": (
        DOMAIN, "name: Retrieval\nicon: x\ndiagram:\n  title: t\n  file: ../02-agents/loop.mmd\n",
        [f"{DOMAIN}:5: diagram file '../02-agents/loop.mmd' must be inside the domain folder"]),
    "diagram missing its title": (
        DOMAIN, "name: Retrieval\nicon: x\ndiagram:\n  file: diagram.mmd\n",
        [f"{DOMAIN}:4: missing required key 'title'"]),
    "config missing subtitle": (
        "studyguide.yml", "title: Mini\n",
        ["studyguide.yml:1: missing required key 'subtitle'"]),
    "config bad base_url": (
        "studyguide.yml", "title: Mini\nsubtitle: s\nbase_url: example.com\n",
        ["studyguide.yml:3: 'base_url' must be an absolute http(s) URL, got 'example.com'"]),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_each_mistake_is_reported_with_path_and_line(project: Path, case: str) -> None:
    path, text, expected = CASES[case]
    (project / path).write_text(text, encoding="utf-8")
    assert errors_for(project) == expected


def test_bad_utf8_names_line_and_byte(project: Path) -> None:
    (project / TOPIC).write_bytes(b"---\ntitle: t\nsubtitle: caf\xe9\ntags: [a]\n---\nBody.\n")
    assert errors_for(project) == [f"{TOPIC}:3: not valid UTF-8 (byte 0xe9 at column 14)"]


def test_unreadable_file(project: Path) -> None:
    path = project / TOPIC
    path.unlink()
    path.mkdir()  # a folder where a topic file should be: reading it fails
    assert errors_for(project) == [f"{TOPIC}:1: unexpected folder here (expected a '.md' file named NN-slug)"]


def test_duplicate_topic_slug_across_domains(project: Path) -> None:
    (project / "content/domains/02-agents/02-hybrid-search.md").write_text(
        "---\ntitle: Again\nsubtitle: s\ntags: [a]\n---\nBody.\n", encoding="utf-8")
    assert errors_for(project) == [
        "content/domains/02-agents/02-hybrid-search.md:1: topic slug 'hybrid-search' is also used by "
        f"{TOPIC}: card ids must be unique"]


def test_duplicate_question_id(project: Path) -> None:
    (project / "content/interview/02-behavioral/02-q1-again.md").write_text(
        "---\nid: q1\nquestion: again?\n---\n## Problem\nText.\n", encoding="utf-8")
    assert errors_for(project) == [
        "content/interview/02-behavioral/02-q1-again.md:2: question id 'q1' is also used by "
        f"{QUESTION}"]


def test_the_other_file_of_a_duplicate_is_named_relative_to_the_project(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "content/domains/02-agents/02-hybrid-search.md").write_text(
        "---\ntitle: Again\nsubtitle: s\ntags: [a]\n---\nBody.\n", encoding="utf-8")
    (project / "content/pages/09-retrieval.md").write_text("---\ntitle: R\n---\nBody.\n", encoding="utf-8")
    monkeypatch.chdir(project / "content/domains")  # run from deeper down: the same names
    errors = errors_for(project)
    assert "02-agents/02-hybrid-search.md:1: topic slug 'hybrid-search' is also used by " \
        f"{TOPIC}: card ids must be unique" in errors
    assert f"{project}/content/pages/09-retrieval.md:1: page slug 'retrieval' is also used by " \
        "content/domains/01-retrieval" in errors  # (the file itself is named from the working folder)


def test_file_name_without_order_prefix(project: Path) -> None:
    (project / "content/domains/01-retrieval/notes.md").write_text("x", encoding="utf-8")
    assert errors_for(project) == [
        "content/domains/01-retrieval/notes.md:1: name must start with a number and a dash, like '01-notes.md'"]


@pytest.mark.parametrize(("name", "message"), [
    ("My Notes.md", "name must start with a number and a dash, like '01-my-notes.md'"),
    ("03-Query Rewriting.md", "slug 'Query Rewriting' must be lower-case letters, digits and single dashes: "
                              "rename it '03-query-rewriting.md'"),
    ("04-re ranking.md", "rename it '04-re-ranking.md'"),
])
def test_a_file_name_with_a_space_gets_a_correct_suggestion(project: Path, name: str, message: str) -> None:
    (project / "content/domains/01-retrieval" / name).write_text("x", encoding="utf-8")
    (error,) = errors_for(project)
    assert error.startswith(f"content/domains/01-retrieval/{name}:1: ") and message in error


def test_duplicate_order_number(project: Path) -> None:
    (project / "content/domains/01-retrieval/02-query-rewriting.md").rename(
        project / "content/domains/01-retrieval/01-query-rewriting.md")
    assert errors_for(project) == [
        "content/domains/01-retrieval/01-query-rewriting.md:1: number 01 is also used by "
        "'01-hybrid-search.md': each needs its own number"]


def test_reserved_slug(project: Path) -> None:
    (project / "content/domains/02-agents").rename(project / "content/domains/02-tags")
    assert errors_for(project) == ["content/domains/02-tags:1: 'tags' is a reserved name (used by the site itself): rename it"]


def test_all_errors_in_one_run(project: Path) -> None:
    (project / TOPIC).write_text("---\ntitle: t\ncolour: red\ntags: [a]\n---\nBody.\n", encoding="utf-8")
    (project / QUESTION).write_text("---\nid: Q1\nquestion: q?\nbadge: Urgent\n---\n## P\nT.\n", encoding="utf-8")
    (project / DOMAIN).write_text("name: R\nicon: x\ndiagram:\n  title: t\n  file: nope.mmd\n", encoding="utf-8")
    assert errors_for(project) == [  # sorted by file, then line
        f"{TOPIC}:2: missing required key 'subtitle'",
        f"{TOPIC}:3: unknown key 'colour' (expected one of: title, subtitle, tags)",
        f"{DOMAIN}:5: diagram file 'nope.mmd' not found",
        f"{QUESTION}:4: unknown badge 'Urgent' (expected one of: Critical, Important, Bonus)",
    ]


def test_cli_reports_all_errors_exits_1_and_writes_nothing(project: Path) -> None:
    first = run_cli("build", "--no-search", cwd=project)
    assert first.returncode == 0, first.stderr
    before = tree_digest(project / "site")
    (project / TOPIC).write_text("---\ntitle: t\ntags: [a]\n---\nBody.\n", encoding="utf-8")
    (project / QUESTION).write_text("---\nid: Q1\nquestion: q?\n---\nNo heading.\n", encoding="utf-8")
    result = run_cli("build", "--no-search", cwd=project)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.splitlines() == [
        f"{TOPIC}:2: missing required key 'subtitle'",
        f"{QUESTION}:5: text before the first section: start each section with a '## Heading' line",
        "2 errors; nothing was written.",
    ]
    assert tree_digest(project / "site") == before
    assert not [p for p in project.iterdir() if p.name.startswith(".site-")]  # no temp folder left


def test_cli_config_error_without_site(project: Path) -> None:
    (project / "studyguide.yml").write_text("title: [\n", encoding="utf-8")
    result = run_cli("build", cwd=project)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith("studyguide.yml:2: invalid YAML:")
    assert not (project / "site").exists()


def test_cli_missing_config_file(tmp_path: Path) -> None:
    result = run_cli("build", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == "studyguide.yml:1: cannot read file: No such file or directory"
