"""Broken diagrams are content errors: reported at their ``.mmd`` (or Markdown) file and line, in the
same run as every other content error, by ``build``, ``check``, ``diagrams`` and the preview's
rebuild; a renderer that cannot be reached is one message among them. Never a traceback, never a
half-written site.

The broken-diagram cases use the real ``chromium`` renderer; the unreachable case points the
``mermaid-ink`` renderer at a port nothing listens on.
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest
from conftest import require_tool
from helpers import copy_mini, run_cli, tree_digest

from studyguide.site.diagram_cache import CACHE_DIR
from studyguide.site.mermaid_browser import browser_available

RETRIEVAL = Path("content/domains/01-retrieval")
AGENTS = Path("content/domains/02-agents")
QUESTION = Path("content/interview/01-rag/01-q1.md")

# What each broken file is reported as (its path and line); the messages come from Mermaid.
DIAGRAM_ERRORS = [
    f"{RETRIEVAL}/diagram.mmd:3: Mermaid diagram does not render: Parse error on line 3",
    f"{RETRIEVAL}/02-query-rewriting.md:12: Mermaid diagram does not render: Parse error on line 2",
    f"{AGENTS}/loop.mmd:3: Mermaid diagram does not render: Parse error on line 3",
]
CONTENT_ERRORS = [
    f"{AGENTS}/domain.yml:3: unknown key 'bogus' (expected one of: name, icon, diagram)",
    f"{QUESTION}:4: invalid YAML",
]


def dead_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def break_content(project: Path) -> None:
    """Two content mistakes in YAML and Markdown front matter (the domain still loads)."""
    domain = project / AGENTS / "domain.yml"
    domain.write_text(domain.read_text().replace('icon: "🤖"\n', 'icon: "🤖"\nbogus: 1\n'))
    question = project / QUESTION
    question.write_text(question.read_text().replace("question: How", "question: [How", 1))


def break_diagrams(project: Path) -> None:
    """Two broken .mmd files and a broken fenced diagram in a topic."""
    (project / RETRIEVAL / "diagram.mmd").write_text("flowchart LR\n  A --> B\n  B --> (\n")
    (project / AGENTS / "loop.mmd").write_text("sequenceDiagram\n  A->>B: hi\n  B-->>: x\n")
    topic = project / RETRIEVAL / "02-query-rewriting.md"
    topic.write_text(topic.read_text().replace('  Q["Question"] --> H["HyDE"]', '  Q["Question"] --> (('))


@pytest.fixture
def broken(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """A guide built once, then broken; returns it and its site's files as they were."""
    project = copy_mini(tmp_path / "guide")
    assert run_cli("build", "--no-search", cwd=project).returncode == 0
    before = tree_digest(project / "site")
    break_content(project)
    break_diagrams(project)
    return project, before


def assert_all_reported(output: str, expected: list[str]) -> None:
    assert "Traceback" not in output, output
    for line in expected:
        assert any(got.startswith((line, line.replace(": ", ": error: ", 1)))  # check says "error:"
                   for got in output.splitlines()), f"missing {line!r} in:\n{output}"


def test_broken_diagrams_come_out_with_the_other_content_errors(broken) -> None:
    require_tool(browser_available(), "Chromium and Playwright are needed to render diagrams")
    project, before = broken
    for command in (["build", "--no-search"], ["check"], ["diagrams"]):
        result = run_cli(*command, cwd=project)
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert_all_reported(result.stdout + result.stderr, DIAGRAM_ERRORS + CONTENT_ERRORS)
    assert "5 errors; nothing was written." in run_cli("build", "--no-search", cwd=project).stderr
    assert tree_digest(project / "site") == before  # the previous site, untouched
    assert not [p.name for p in project.iterdir() if p.name.startswith(".site")]  # no work folder left


def test_diagram_errors_alone_still_fail_the_build(broken) -> None:
    require_tool(browser_available(), "Chromium and Playwright are needed to render diagrams")
    project, before = broken
    shutil.copy(copy_mini(project.parent / "clean") / AGENTS / "domain.yml", project / AGENTS / "domain.yml")
    shutil.copy(project.parent / "clean" / QUESTION, project / QUESTION)
    result = run_cli("build", "--no-search", cwd=project)
    assert result.returncode == 1
    assert_all_reported(result.stderr, DIAGRAM_ERRORS)
    assert "3 errors; nothing was written." in result.stderr
    assert tree_digest(project / "site") == before


def test_an_unreachable_renderer_is_one_message_among_the_content_errors(broken) -> None:
    project, before = broken
    shutil.rmtree(project / CACHE_DIR)
    server = f"http://127.0.0.1:{dead_port()}"
    config = project / "studyguide.yml"
    config.write_text(config.read_text() + f"diagrams:\n  renderer: mermaid-ink\n  ink_server: {server}\n")
    unreachable = f"the mermaid.ink server at {server} is unreachable"
    for command in (["build", "--no-search"], ["check"], ["diagrams"]):
        result = run_cli(*command, cwd=project)
        output = result.stdout + result.stderr
        assert result.returncode == 1, (command, output)
        assert_all_reported(output, CONTENT_ERRORS)
        assert output.count(unreachable) == 1, output
    assert tree_digest(project / "site") == before


def test_the_preview_shows_every_error_at_once(broken, monkeypatch: pytest.MonkeyPatch) -> None:
    """The preview's rebuild (what ``serve`` runs on a save) lists the same problems."""
    require_tool(browser_available(), "Chromium and Playwright are needed to render diagrams")
    from studyguide.preview.rebuild import PreviewSite

    project, before = broken
    monkeypatch.chdir(project)  # paths are shown relative to where serve runs
    preview = PreviewSite(project / "studyguide.yml", project / "site")
    try:
        assert preview.build_once() is None
        shown = "\n".join(str(p) for p in preview.problems)
        assert_all_reported(shown, DIAGRAM_ERRORS + CONTENT_ERRORS)
        assert len(preview.problems) == 5 and {p.kind for p in preview.problems} == {"content"}
    finally:
        preview.builder.close()
    assert tree_digest(project / "site") == before

    config = project / "studyguide.yml"
    server = f"http://127.0.0.1:{dead_port()}"
    config.write_text(config.read_text() + f"diagrams:\n  renderer: mermaid-ink\n  ink_server: {server}\n")
    preview = PreviewSite(config, project / "site")
    assert preview.build_once() is None
    assert [str(p) for p in preview.problems if p.kind == "error"] == [
        f"error: the mermaid.ink server at {server} is unreachable (ConnectionError)"]
    assert len(preview.problems) == 3
