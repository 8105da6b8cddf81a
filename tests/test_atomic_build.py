"""Atomic output: a build that fails at any stage leaves the previous site byte-for-byte as it was.

Each test builds the mini guide once (the "previous site"), hashes every file, then makes a second
build fail at one stage — loading, rendering, writing pages, copying assets, search indexing, a
post-step, the final swap, even a Ctrl-C — and checks the tree hash and that no temporary folder
was left beside it.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
from pathlib import Path

import pytest
from helpers import run_cli

import studyguide.site.background as background_module
import studyguide.site.builder as builder_module
import studyguide.site.swap as swap_module
from studyguide.commands.build import search_steps
from studyguide.content.errors import ContentErrors
from studyguide.render.pages import TemplateRenderError
from studyguide.render.theme import Theme, default_theme
from studyguide.site.builder import SiteBuilder

MINI = Path(__file__).resolve().parent / "fixtures" / "mini"


def tree_hash(folder: Path) -> str:
    """One hash over every path and every byte under `folder` (empty folders included)."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(MINI, tmp_path / "guide")
    return tmp_path / "guide"


@pytest.fixture
def previous(project: Path) -> tuple[Path, str]:
    """A built site at guide/site and its hash."""
    out = project / "site"
    SiteBuilder(project / "studyguide.yml", out, search=False).build()
    assert (out / "index.html").is_file()
    return out, tree_hash(out)


def assert_unchanged(out: Path, expected: str) -> None:
    assert tree_hash(out) == expected, "the previous site changed"
    leftovers = [p.name for p in out.parent.iterdir() if p.name.startswith((".site-new-", ".site-old-"))]
    assert not leftovers, f"temporary folders left behind: {leftovers}"


def theme_copy(tmp_path: Path) -> Theme:
    theme = default_theme()
    copy = Theme(tmp_path / "theme" / "templates", tmp_path / "theme" / "static")
    shutil.copytree(theme.templates, copy.templates)
    shutil.copytree(theme.static, copy.static)
    return copy


def test_loader_failure(project: Path, previous: tuple[Path, str]) -> None:
    out, before = previous
    topic = project / "content/domains/01-retrieval/01-hybrid-search.md"
    topic.write_text(topic.read_text().replace("title: Hybrid Search", "title: [unclosed"))
    with pytest.raises(ContentErrors):
        SiteBuilder(project / "studyguide.yml", out, search=False).build()
    assert_unchanged(out, before)


@pytest.mark.parametrize("damage", [
    ("tags.html", "{% block main %}", "{% block main %}{{ no_such_variable }}"),  # runtime error
    ("domain.html", "{% block main %}", "{% block main %}{% if %}"),  # syntax error
    ("partials/cards.html", "{{ topic.title }}", "{{ topic.title | no_such_filter }}"),
])
def test_render_failure(project: Path, previous: tuple[Path, str], tmp_path: Path,
                        damage: tuple[str, str, str]) -> None:
    out, before = previous
    theme = theme_copy(tmp_path)
    name, old, new = damage
    template = theme.templates / name
    assert old in template.read_text(), f"{name} no longer contains {old!r}: update this test"
    template.write_text(template.read_text().replace(old, new, 1))
    with pytest.raises(TemplateRenderError):
        SiteBuilder(project / "studyguide.yml", out, theme=theme, search=False).build()
    assert_unchanged(out, before)


def test_write_failure_midway(project: Path, previous: tuple[Path, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills up after a few pages have been written."""
    out, before = previous
    real_write_text = Path.write_text
    calls = {"n": 0}

    def write_text(self: Path, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real_write_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_text)
    with pytest.raises(OSError, match=r"no space left on device.* is intact"):
        SiteBuilder(project / "studyguide.yml", out, search=False).build()
    monkeypatch.undo()
    assert calls["n"] > 3, "the failure was never injected"
    assert_unchanged(out, before)


def test_asset_copy_failure(project: Path, previous: tuple[Path, str], tmp_path: Path) -> None:
    """A theme asset that cannot be read (a dangling symlink) stops the copy; nothing is swapped."""
    out, before = previous
    theme = theme_copy(tmp_path)
    (theme.static / "broken.css").symlink_to(tmp_path / "does-not-exist.css")
    with pytest.raises(OSError):
        SiteBuilder(project / "studyguide.yml", out, theme=theme, search=False).build()
    assert_unchanged(out, before)


@pytest.mark.parametrize("where", ["after the pages", "while the pages render"])
def test_search_indexing_failure(project: Path, previous: tuple[Path, str], monkeypatch: pytest.MonkeyPatch,
                                 where: str) -> None:
    """Pagefind dies after writing part of its bundle into the temporary folder (in a build's fork,
    then again in the main process)."""
    search = pytest.importorskip("studyguide.site.search")
    out, before = previous

    async def broken_index(records, output: Path) -> None:
        output.mkdir(parents=True, exist_ok=True)
        (output / "pagefind.js").write_text("// half an index")
        raise search.SearchIndexError("pagefind: simulated crash")

    monkeypatch.setattr(search, "write_index", broken_index)
    steps = search_steps(True) if where == "while the pages render" else [search.index_site]
    if where == "while the pages render":  # Playwright's threads would keep the builder from forking
        monkeypatch.setattr(background_module, "can_fork", lambda: True)
    with pytest.raises(search.SearchIndexError, match="simulated crash"):
        SiteBuilder(project / "studyguide.yml", out, search=True, post_steps=steps).build()
    assert_unchanged(out, before)


@pytest.mark.parametrize("exc", [RuntimeError("post-step bug"), KeyboardInterrupt()])
def test_post_step_failure(project: Path, previous: tuple[Path, str], exc: BaseException) -> None:
    out, before = previous
    seen: list[Path] = []

    def failing_step(tmp_dir: Path, guide) -> None:
        seen.append(tmp_dir)
        assert (tmp_dir / "index.html").is_file()  # runs on the finished temporary folder
        (tmp_dir / "index.html").write_text("half-processed")
        raise exc

    with pytest.raises(type(exc)):
        SiteBuilder(project / "studyguide.yml", out, search=False, post_steps=[failing_step]).build()
    assert seen and not seen[0].exists(), "the temporary folder was not removed"
    assert_unchanged(out, before)


def test_swap_failure_restores_previous_site(project: Path, previous: tuple[Path, str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Without an atomic exchange (not Linux): the old site has been moved aside and moving the
    new one in fails: the old one goes back."""
    out, before = previous
    real_rename = os.rename
    monkeypatch.setattr(swap_module, "exchange", lambda a, b: False)

    def rename(src, dst):
        if Path(src).name.startswith(".site-new-") and Path(dst).name == "site":
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real_rename(src, dst)

    monkeypatch.setattr(builder_module.os, "rename", rename)
    with pytest.raises(OSError, match="cross-device"):
        SiteBuilder(project / "studyguide.yml", out, search=False).build()
    monkeypatch.undo()
    assert_unchanged(out, before)


def test_successful_rebuild_replaces_everything(project: Path, previous: tuple[Path, str]) -> None:
    """The control: the same checks see a change when a build does succeed."""
    out, before = previous
    (out / "stale.html").write_text("from an older build")
    topic = project / "content/domains/01-retrieval/01-hybrid-search.md"
    topic.write_text(topic.read_text().replace("title: Hybrid Search", "title: Hybrid Search, revised"))
    SiteBuilder(project / "studyguide.yml", out, search=False).build()
    assert tree_hash(out) != before
    assert not (out / "stale.html").exists()
    assert "Hybrid Search, revised" in (out / "retrieval/index.html").read_text()
    assert_unchanged(out, tree_hash(out))  # and no temporary folders


def test_cli_failed_build_reports_and_keeps_site(project: Path, previous: tuple[Path, str]) -> None:
    out, before = previous
    (project / "content/domains/02-agents/domain.yml").write_text("name: [\n")
    result = run_cli("build", "--no-search", cwd=project)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "content/domains/02-agents/domain.yml:" in result.stderr
    assert_unchanged(out, before)
