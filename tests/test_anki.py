"""The Anki deck, read back by the official ``anki`` package (Anki's own Rust importer).

Every deck is imported into a fresh collection in a temporary folder, exactly as the desktop
app's File → Import would with its default options ("update notes if newer"). Expectations come
from the content model (Loader), never from copies of the content.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from html import escape
from pathlib import Path

import pytest
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from helpers import BUNDLED_CONFIG, MINI, REPO, copy_mini, run_cli

from studyguide.commands.build import build
from studyguide.content.labels import label_set, markup_labels
from studyguide.content.links import LinkIndex
from studyguide.content.loader import Loader
from studyguide.content.model import Guide
from studyguide.render.markdown import MarkdownRenderer
from studyguide.site.anki import anki_tag, deck_file_name, export_deck

SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><text>{n}</text></svg>'


def fake_svgs(source: str) -> str:
    """A stand-in for build-time SVGs: one distinct SVG per diagram source."""
    return SVG.format(n=len(source))


class Anki:
    """A fresh Anki collection in a temporary folder."""

    def __init__(self, folder: Path) -> None:
        self.col = Collection(str(folder / "collection.anki2"))

    def import_deck(self, path: Path) -> dict[str, int]:
        request = ImportAnkiPackageRequest(package_path=str(path), options=ImportAnkiPackageOptions())
        log = self.col.import_anki_package(request).log
        return {"new": len(log.new), "updated": len(log.updated), "duplicate": len(log.duplicate),
                "conflicting": len(log.conflicting), "missing_notetype": len(log.missing_notetype)}

    def note(self, query: str):
        ids = self.col.find_notes(query)
        assert len(ids) == 1, (query, ids)
        return self.col.get_note(ids[0])

    def close(self) -> None:
        self.col.close()


@pytest.fixture
def anki(tmp_path: Path):
    (tmp_path / "anki").mkdir()  # Collection wants its folder to exist
    collection = Anki(tmp_path / "anki")
    yield collection
    collection.close()


def site_markdown(guide: Guide) -> MarkdownRenderer:
    """The site's own Markdown rendering (what the cards show), for a guide without base_url."""
    labels = label_set(guide.site.language, guide.site.theme.labels)
    return MarkdownRenderer(LinkIndex(guide, guide.content_dir), markup_labels(labels))


def bundled_guide() -> Guide:
    if not BUNDLED_CONFIG.is_file():
        pytest.skip("the bundled guide is not in this checkout")
    return Loader().load(BUNDLED_CONFIG)


def test_bundled_deck_imports_every_card_into_a_fresh_collection(anki: Anki, tmp_path: Path) -> None:
    guide = bundled_guide()
    summary = export_deck(guide, tmp_path / "guide.apkg", REPO)
    assert summary.notes == len(guide.topics) + len(guide.questions) == 132
    assert anki.import_deck(tmp_path / "guide.apkg") == {
        "new": 132, "updated": 0, "duplicate": 0, "conflicting": 0, "missing_notetype": 0}
    col = anki.col
    assert col.note_count() == 132
    root = guide.site.title
    names = {d.name for d in col.decks.all_names_and_ids()}
    for domain in guide.domains:
        name = f"{root}::{domain.label} {domain.name}"
        assert name in names
        assert len(col.find_notes(f'"deck:{name}"')) == len(domain.topics)
    assert len(col.find_notes(f'"deck:{root}::{guide.interview.title}"')) == len(guide.questions)
    for badge in ("Critical", "Important", "Bonus"):
        expected = sum(1 for q in guide.questions if q.badge == badge)
        assert len(col.find_notes(f"tag:badge::{badge}")) == expected
    topic = guide.topics[0]
    note = anki.note(f"Id:{topic.anchor}")
    assert note["Body"] == site_markdown(guide).render(topic.body, topic)
    assert sorted(note.tags) == sorted(anki_tag(t) for t in topic.tags)
    assert all(" " not in t for t in note.tags)
    card = note.cards()[0]
    assert escape(topic.subtitle) in card.question() and escape(topic.title) in card.question()
    assert note["Body"] in card.answer() and note["Body"] not in card.question()
    question = next(q for q in guide.questions if q.badge)
    qnote = anki.note(f"Id:{question.id}")
    front = qnote.cards()[0].question()
    assert question.id in front and question.badge in front and escape(question.question) in front
    back = qnote.cards()[0].answer()
    assert all(f"<h2>{escape(section.heading)}</h2>" in back for section in question.sections)
    assert all(site_markdown(guide).render(s.body, question, section=s) in back for s in question.sections)
    assert "<h2>" not in front


def test_reimport_after_an_edit_updates_notes_and_keeps_reviews(anki: Anki, tmp_path: Path) -> None:
    guide = bundled_guide()
    project = tmp_path / "project"
    shutil.copytree(BUNDLED_CONFIG.parent / "content", project / "content")
    shutil.copy(BUNDLED_CONFIG, project / "studyguide.yml")
    config = project / "studyguide.yml"
    export_deck(Loader().load(config), tmp_path / "v1.apkg", project)
    assert anki.import_deck(tmp_path / "v1.apkg")["new"] == 132

    topic, question = guide.topics[3], guide.questions[5]
    studied = anki.note(f"Id:{topic.anchor}").cards()[0]
    anki.col.sched.set_due_date([studied.id], "7")  # as if reviewed: due in a week

    edited = []
    for item in (topic, question):
        path = project / item.origin.path.relative_to(BUNDLED_CONFIG.parent)
        path.write_text(path.read_text(encoding="utf-8") + "\nEdited for the test.\n", encoding="utf-8")
        later = path.stat().st_mtime + 60  # the edit happens after the first export
        os.utime(path, (later, later))
        edited.append(path)
    export_deck(Loader().load(config), tmp_path / "v2.apkg", project)

    assert anki.import_deck(tmp_path / "v2.apkg") == {
        "new": 0, "updated": 2, "duplicate": 130, "conflicting": 0, "missing_notetype": 0}
    assert anki.col.note_count() == 132
    assert "Edited for the test." in anki.note(f"Id:{topic.anchor}")["Body"]
    assert "Edited for the test." in anki.note(f"Id:{question.id}")["Answer"]
    card = anki.col.get_card(studied.id)
    assert card.type == 2 and card.ivl >= 1  # still a review card: the update kept its schedule


def test_same_content_gives_the_same_file(tmp_path: Path) -> None:
    guide = Loader().load(MINI / "studyguide.yml")
    export_deck(guide, tmp_path / "a.apkg", MINI, fake_svgs)
    export_deck(guide, tmp_path / "b.apkg", MINI, fake_svgs)
    assert (tmp_path / "a.apkg").read_bytes() == (tmp_path / "b.apkg").read_bytes()


def test_diagrams_become_images_where_svgs_exist(anki: Anki, tmp_path: Path) -> None:
    guide = Loader().load(MINI / "studyguide.yml")
    summary = export_deck(guide, tmp_path / "mini.apkg", MINI, fake_svgs)
    fenced = next(t for t in guide.topics if "```mermaid" in t.body)
    domains_with_diagrams = [d for d in guide.domains if d.diagram and d.diagram.source.strip()]
    assert summary.images >= len(domains_with_diagrams)
    anki.import_deck(tmp_path / "mini.apkg")
    media = set(os.listdir(anki.col.media.dir()))
    assert len(media) == summary.images
    note = anki.note(f"Id:{fenced.anchor}")
    assert '<img src="studyguide-' in note["Body"] and "<pre" not in note["Body"]
    for name in media:
        assert f'src="{name}"' in "".join(anki.col.get_note(n)["Body"] + anki.col.get_note(n)["Diagram"]
                                          for n in anki.col.find_notes("note:studyguide*topic"))


def test_without_svgs_a_fenced_diagram_keeps_its_source(anki: Anki, tmp_path: Path) -> None:
    guide = Loader().load(MINI / "studyguide.yml")
    summary = export_deck(guide, tmp_path / "mini.apkg", MINI)
    assert summary.images == 0
    with zipfile.ZipFile(tmp_path / "mini.apkg") as archive:
        assert archive.read("media") == b"{}"
    anki.import_deck(tmp_path / "mini.apkg")
    fenced = next(t for t in guide.topics if "```mermaid" in t.body)
    assert 'class="mermaid"' in anki.note(f"Id:{fenced.anchor}")["Body"]


def test_export_command_writes_the_deck(tmp_path: Path) -> None:
    project = copy_mini(tmp_path / "mini")
    guide = Loader().load(project / "studyguide.yml")
    result = run_cli("export", "anki", cwd=project)
    assert result.returncode == 0, result.stderr
    out = project / deck_file_name(guide)
    assert out.is_file() and str(out.name) in result.stdout
    result = run_cli("export", "anki", "-o", str(tmp_path / "decks" / "mine.apkg"), cwd=project)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "decks" / "mine.apkg").is_file()


def test_export_command_reports_content_errors_and_writes_nothing(tmp_path: Path) -> None:
    project = copy_mini(tmp_path / "mini")
    topic = next((project / "content" / "domains").glob("*/01-*.md"))
    topic.write_text("---\ntitle: [unclosed\n---\nBody\n", encoding="utf-8")
    result = run_cli("export", "anki", "-o", "deck.apkg", cwd=project)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{topic.relative_to(project)}:" in result.stderr or f"{topic}:" in result.stderr
    assert not (project / "deck.apkg").exists()


def test_build_publishes_the_deck_only_when_the_config_asks(anki: Anki, tmp_path: Path) -> None:
    project = copy_mini(tmp_path / "mini")
    config = project / "studyguide.yml"
    guide = Loader().load(config)
    build(config, project / "site", search=False)
    assert not list((project / "site").glob("*.apkg"))
    config.write_text(config.read_text(encoding="utf-8") + "anki_deck: true\n", encoding="utf-8")
    build(config, project / "site", search=False)
    published = project / "site" / deck_file_name(guide)
    assert anki.import_deck(published)["new"] == len(guide.topics) + len(guide.questions)


def test_anki_deck_must_be_true_or_false(tmp_path: Path) -> None:
    project = copy_mini(tmp_path / "mini")
    config = project / "studyguide.yml"
    lines = config.read_text(encoding="utf-8").splitlines()
    config.write_text("\n".join([*lines, "anki_deck: sometimes"]) + "\n", encoding="utf-8")
    result = run_cli("export", "anki", cwd=project)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"studyguide.yml:{len(lines) + 1}: 'anki_deck' must be true or false" in result.stderr


def test_export_of_the_bundled_guide_takes_its_diagrams_from_the_cache(anki: Anki, tmp_path: Path) -> None:
    guide = bundled_guide()
    result = run_cli("export", "anki", "-o", str(tmp_path / "guide.apkg"), cwd=REPO)
    assert result.returncode == 0, result.stderr
    drawn = len({d.diagram.source.strip() for d in guide.domains if d.diagram})
    assert f"{drawn} diagram images" in result.stdout  # the committed .studyguide/diagrams cache
    anki.import_deck(tmp_path / "guide.apkg")
    note = anki.note(f"Id:{guide.topics[0].anchor}")
    assert note["Diagram"].startswith('<img src="studyguide-')
    assert len(os.listdir(anki.col.media.dir())) == drawn
