"""`studyguide init`: a starter guide that builds and passes `check --strict` as written."""

from __future__ import annotations

import re
from pathlib import Path

from helpers import run_cli, tree_digest

from studyguide.commands.init import starter_files, title_from_folder


def test_init_then_build_then_check_strict_passes(tmp_path: Path) -> None:
    result = run_cli("init", "g", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    guide = tmp_path / "g"
    for name in ("studyguide.yml", ".gitignore", ".github/workflows/pages.yml",
                 "content/domains/01-getting-started/domain.yml",
                 "content/domains/01-getting-started/diagram.mmd",
                 "content/interview/interview.yml", "content/interview/01-basics/group.yml",
                 "content/interview/01-basics/01-q1.md", "content/pages/01-about.md"):
        assert (guide / name).is_file(), name
    assert "g/studyguide.yml" in result.stdout  # it says what it wrote and what to do next
    assert "studyguide serve" in result.stdout

    built = run_cli("build", cwd=guide)
    assert built.returncode == 0, built.stderr
    checked = run_cli("check", "--strict", cwd=guide)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "check passed: 0 errors, 0 warnings" in checked.stdout

    domain = (guide / "site/getting-started/index.html").read_text(encoding="utf-8")
    # The first card shows each piece of the Markdown an author needs.
    first = domain[domain.index('id="writing-a-topic"'):domain.index('id="previewing-and-publishing"')]
    assert "<table>" in first  # a table
    assert '<pre class="highlight"' in first  # a code block, highlighted by Pygments
    assert re.search(r'<img src="\.\./files/domains/01-getting-started/assets/topic-card\.svg" alt="A topic card[^"]+" '
                     r'width="480" height="200" loading="lazy"', first)  # an image from assets/
    assert (guide / "site/files/domains/01-getting-started/assets/topic-card.svg").is_file()
    assert 'class="callout callout-tip"' in first  # a callout
    assert 'href="../getting-started/#previewing-and-publishing"' in first  # a cross-link (topic:previewing-and-publishing)
    assert 'class="mermaid"' in domain  # the domain's diagram
    assert 'href="../interview/#q1"' in domain  # the second card links to the question
    assert (guide / "site/interview/index.html").is_file() and (guide / "site/about/index.html").is_file()


def test_gitignore_covers_the_site_and_virtualenvs() -> None:
    lines = starter_files("T")[".gitignore"].splitlines()
    assert "/site/" in lines and ".venv/" in lines and "venv/" in lines


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    guide = tmp_path / "g"
    (guide / "content/pages").mkdir(parents=True)
    (guide / "studyguide.yml").write_text("title: mine\n", encoding="utf-8")
    (guide / "content/pages/01-about.md").write_text("my page\n", encoding="utf-8")
    before = tree_digest(guide)
    result = run_cli("init", str(guide), cwd=tmp_path)
    assert result.returncode == 1
    assert "studyguide.yml: already exists" in result.stderr
    assert "01-about.md: already exists" in result.stderr
    assert "Nothing was written" in result.stderr
    assert tree_digest(guide) == before


def test_init_in_an_existing_repository_keeps_its_files(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# My guide\n", encoding="utf-8")
    result = run_cli("init", "--title", "Kubernetes: Interview Prep", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "# My guide\n"
    config = (tmp_path / "studyguide.yml").read_text(encoding="utf-8")
    assert re.search(r'^title: "Kubernetes: Interview Prep"', config, re.M)  # quoted: the colon is safe
    assert run_cli("build", "--no-search", cwd=tmp_path).returncode == 0


def test_title_comes_from_the_folder_name(tmp_path: Path) -> None:
    assert title_from_folder(tmp_path / "kubernetes-interview_prep") == "Kubernetes Interview Prep"
