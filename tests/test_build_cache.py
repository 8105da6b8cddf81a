"""The user's build cache (compiled templates, app icons, diagram labels, merged diagrams, Anki decks): used when it holds an
entry, bypassed when it cannot be used, and never able to serve a stale result."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from helpers import copy_mini, tree_digest
from jinja2 import Environment

import studyguide.render.diagrammerge as diagrammerge
import studyguide.render.diagramsvg as diagramsvg
import studyguide.site.anki as anki
import studyguide.site.icons as icons
from studyguide.content.loader import Loader
from studyguide.render.buildcache import CACHE_ENV, cache_folder
from studyguide.render.renderer import Renderer
from studyguide.render.theme import default_theme
from studyguide.site.builder import SiteBuilder

MARK = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8">\n'
        '<rect width="8" height="8" rx="2" fill="#223344"/>\n<circle cx="4" cy="4" r="2" fill="#ffcc00"/>\n</svg>\n')


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


def test_icons_come_from_the_cache_once_drawn(tmp_path: Path, own_cache: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    mark = tmp_path / "favicon.svg"
    mark.write_text(MARK, encoding="utf-8")
    drawn = icons.draw_icons(mark)
    assert len(list((own_cache / "icons").glob("*.png"))) == len(icons.ICON_SPECS)

    def no_drawing(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("drew an icon the cache holds")

    monkeypatch.setattr(icons, "_draw", no_drawing)
    assert icons.draw_icons(mark) == drawn


def test_a_changed_mark_is_drawn_again(tmp_path: Path, own_cache: Path) -> None:
    mark = tmp_path / "favicon.svg"
    mark.write_text(MARK, encoding="utf-8")
    first = {icon.name: icon.png for icon in icons.draw_icons(mark)}
    mark.write_text(MARK.replace("#ffcc00", "#00ccff"), encoding="utf-8")
    second = {icon.name: icon.png for icon in icons.draw_icons(mark)}
    assert all(first[name] != second[name] for name in first)
    assert len(list((own_cache / "icons").glob("*.png"))) == 2 * len(icons.ICON_SPECS)


def test_diagram_labels_are_kept_and_a_damaged_entry_is_derived_again(own_cache: Path) -> None:
    svg = ('<svg><style>.a{}</style><g><foreignObject><div><span class="p">Query &amp; rank</span>'
           '</div></foreignObject><text>Answer</text></g></svg>')
    assert diagramsvg.cached_labels(svg) == ["Query & rank", "Answer"] == diagramsvg.labels(svg)
    [entry] = (own_cache / "diagram-labels").iterdir()
    assert json.loads(entry.read_text(encoding="utf-8")) == ["Query & rank", "Answer"]
    entry.write_text('{"not": "a list"', encoding="utf-8")
    assert diagramsvg.cached_labels(svg) == ["Query & rank", "Answer"]
    assert json.loads(entry.read_text(encoding="utf-8")) == ["Query & rank", "Answer"]


def test_templates_are_compiled_once_and_again_after_an_edit(tmp_path: Path, own_cache: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(default_theme().templates, templates)
    theme = default_theme().with_overrides(tmp_path)
    compiled: list[str | None] = []
    real_compile = Environment.compile

    def counting_compile(self: Environment, source: object, name: str | None = None, *args: object,
                         **kwargs: object) -> object:
        compiled.append(name)
        return real_compile(self, source, name, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Environment, "compile", counting_compile)
    Renderer(theme).env.get_template("404.html")
    assert "404.html" in compiled
    compiled.clear()
    Renderer(theme).env.get_template("404.html")
    assert compiled == []  # a second process (a new environment) reads the compiled code
    page = templates / "404.html"
    page.write_text(page.read_text(encoding="utf-8") + "\n{# edited #}\n", encoding="utf-8")
    Renderer(theme).env.get_template("404.html")
    assert compiled == ["404.html"]


def test_an_unusable_cache_is_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = copy_mini(tmp_path / "project")
    first = SiteBuilder(project / "studyguide.yml", tmp_path / "a").build()
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be", encoding="utf-8")
    monkeypatch.setenv(CACHE_ENV, str(blocked))
    assert cache_folder("icons") is None
    second = SiteBuilder(project / "studyguide.yml", tmp_path / "b").build()
    assert first.pages == second.pages
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")


def test_merged_diagrams_are_kept_and_a_damaged_entry_is_derived_again(own_cache: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    dark = ('<svg id="SGDIAGRAM"><style>#SGDIAGRAM .node rect{fill:#101010;}</style>'
            '<g class="node"><rect></rect></g></svg>')
    light = dark.replace("#101010", "#fafafa")
    merged = diagrammerge.cached_merge(dark, light)
    assert merged == diagrammerge.merge_themes(dark, light) and merged and "var(--c1)" in merged
    entry = next((own_cache / "diagram-merged").glob("*.svg"))
    with monkeypatch.context() as patch:
        patch.setattr(diagrammerge, "merge_themes", lambda *a: pytest.fail("merged what the cache holds"))
        assert diagrammerge.cached_merge(dark, light) == merged
    entry.write_bytes(b"")  # damaged
    assert diagrammerge.cached_merge(dark, light) == merged
    # A pair that does not merge is remembered as such.
    taller = light.replace("<rect>", '<rect height="2">')
    assert diagrammerge.cached_merge(dark, taller) is None
    with monkeypatch.context() as patch:
        patch.setattr(diagrammerge, "merge_themes", lambda *a: pytest.fail("merged what the cache holds"))
        assert diagrammerge.cached_merge(dark, taller) is None


def test_the_anki_deck_is_copied_from_the_cache_until_a_card_or_its_date_changes(
        tmp_path: Path, own_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = copy_mini(tmp_path / "guide")
    first, second = tmp_path / "first.apkg", tmp_path / "second.apkg"
    anki.export_deck(Loader().load(project / "studyguide.yml"), first, project)
    assert len(list((own_cache / "anki-decks").glob("*.apkg"))) == 1
    with monkeypatch.context() as patch:
        patch.setattr(anki, "write_apkg", lambda *a: pytest.fail("wrote a deck the cache holds"))
        anki.export_deck(Loader().load(project / "studyguide.yml"), second, project)
    assert second.read_bytes() == first.read_bytes()
    # A newer source file is a newer note: a new key, a new file.
    topic = next((project / "content").rglob("01-*.md"))
    later = topic.stat().st_mtime + 120
    os.utime(topic, (later, later))
    anki.export_deck(Loader().load(project / "studyguide.yml"), second, project)
    assert second.read_bytes() != first.read_bytes()
    # So is an edited card.
    topic.write_text(topic.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    anki.export_deck(Loader().load(project / "studyguide.yml"), tmp_path / "third.apkg", project)
    assert len(list((own_cache / "anki-decks").glob("*.apkg"))) == 3
    # A damaged entry is written again.
    for entry in (own_cache / "anki-decks").glob("*.apkg"):
        entry.write_bytes(b"not a zip")
    anki.export_deck(Loader().load(project / "studyguide.yml"), tmp_path / "fourth.apkg", project)
    assert (tmp_path / "fourth.apkg").read_bytes()[:2] == b"PK"
    assert (tmp_path / "fourth.apkg").read_bytes() == (tmp_path / "third.apkg").read_bytes()
