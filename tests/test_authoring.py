"""The small things a new author hits: language tags, -q/-v after the command, a domain without a
diagram, skipped checks under --require-tools, and the "No badge" interview filter."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO, copy_mini, run_cli

from studyguide.commands.init import init
from studyguide.content.errors import ContentErrors
from studyguide.content.loader import load_guide


@pytest.fixture
def guide(tmp_path: Path) -> Path:
    init(tmp_path / "g", title="Test Guide")
    return tmp_path / "g"


def set_language(guide: Path, value: str) -> int:
    """Set `language:` in the config; return its line number."""
    config = guide / "studyguide.yml"
    lines = config.read_text(encoding="utf-8").splitlines()
    n = next(i for i, line in enumerate(lines) if line.startswith("language:"))
    lines[n] = f"language: {value}"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return n + 1


@pytest.mark.parametrize("tag", ["en", "de", "pt-BR", "zh-Hant-TW", "es-419", "sr-Latn"])
def test_valid_language_tags_are_the_pages_lang(guide: Path, tag: str) -> None:
    set_language(guide, tag)
    assert load_guide(guide / "studyguide.yml").site.language == tag


@pytest.mark.parametrize(("tag", "hint"), [("english", ""), ("de_DE", " (did you mean 'de-DE'?)"),
                                            ("x", ""), ("en-", ""), ("123", "")])
def test_an_invalid_language_tag_is_an_error_at_its_line(guide: Path, monkeypatch: pytest.MonkeyPatch,
                                                         tag: str, hint: str) -> None:
    monkeypatch.chdir(guide)
    line = set_language(guide, tag)
    with pytest.raises(ContentErrors) as caught:
        load_guide(guide / "studyguide.yml")
    assert [str(e) for e in caught.value.errors] == [
        f"studyguide.yml:{line}: 'language' must be a BCP 47 language tag like en, de or pt-BR, got '{tag}'{hint}"]


def test_quiet_and_verbose_work_after_the_command_name(tmp_path: Path) -> None:
    project = copy_mini(tmp_path / "g")
    info = "INFO: no base_url"
    assert info in run_cli("build", "--no-search", cwd=project).stderr
    for args in (("build", "-q", "--no-search"), ("-q", "build", "--no-search"), ("build", "--quiet", "--no-search")):
        result = run_cli(*args, cwd=project)
        assert result.returncode == 0 and info not in result.stderr, args
    verbose = run_cli("build", "--no-search", "-v", cwd=project)
    assert verbose.returncode == 0 and "DEBUG: built " in verbose.stderr
    assert "DEBUG" not in run_cli("build", "--no-search", cwd=project).stderr
    assert run_cli("new", "page", "Notes", "-q", cwd=project).returncode == 0


def test_a_domain_without_a_diagram_builds_without_the_diagram_script(guide: Path) -> None:
    domain = guide / "content/domains/01-getting-started"
    (domain / "domain.yml").write_text('name: Getting Started\nicon: "🚀"\n', encoding="utf-8")
    (domain / "diagram.mmd").unlink()
    loaded = load_guide(guide / "studyguide.yml")
    assert loaded.domains[0].diagram is None and loaded.stats["diagrams"] == 0
    assert run_cli("build", "--no-search", cwd=guide).returncode == 0
    page = (guide / "site/getting-started/index.html").read_text(encoding="utf-8")
    assert "diagrams.js" not in page and "<figure" not in page and 'id="writing-a-topic"' in page


def test_a_diagram_that_is_named_but_missing_is_still_an_error(guide: Path) -> None:
    (guide / "content/domains/01-getting-started/diagram.mmd").unlink()
    result = run_cli("build", cwd=guide)
    assert result.returncode == 1
    assert "content/domains/01-getting-started/domain.yml:8: diagram file 'diagram.mmd' not found" in result.stderr


def _check(guide: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`studyguide check` where the Nu HTML Checker cannot be found, whatever this machine has."""
    env = {k: v for k, v in os.environ.items() if k != "STUDYGUIDE_REQUIRE_TOOLS"}
    env.update(STUDYGUIDE_VNU_JAR=str(guide / "no-such-vnu.jar"), PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "studyguide", "check", *args], cwd=guide, env=env,
                          capture_output=True, text=True, timeout=300)


def test_require_tools_fails_on_a_skipped_check_and_names_the_tool(guide: Path) -> None:
    relaxed = _check(guide, "--strict")
    assert relaxed.returncode == 0, relaxed.stdout
    assert "html: SKIPPED" in relaxed.stdout and "use --require-tools" in relaxed.stdout
    strict = _check(guide, "--strict", "--require-tools")
    assert strict.returncode == 1
    assert "html: error: check could not run (HTML NOT validated: $STUDYGUIDE_VNU_JAR points at a missing file (install it: npm install " in strict.stdout
    assert "and --require-tools requires it" in strict.stdout
    assert "check failed: 1 error" in strict.stdout


def test_the_interview_filter_offers_no_badge(guide: Path) -> None:
    for text in ("Unbadged one?", "Unbadged two?"):
        assert run_cli("new", "question", text, cwd=guide).returncode == 0
    assert run_cli("build", "--no-search", cwd=guide).returncode == 0
    page = (guide / "site/interview/index.html").read_text(encoding="utf-8")
    assert '<input type="radio" name="badge" value="none"><span>No badge <span class="chip-count">2</span>' in page
    assert page.count('data-badge="none"') == 2
