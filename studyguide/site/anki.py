"""The guide as an Anki deck (``.apkg``), written with genanki.

One subdeck per domain and one for the interview (``Guide::01 LLM Fundamentals``). A topic note
shows title and subtitle on the front and the body on the back; a question note shows id, question
and badge on the front and the answer sections on the back. Fields hold HTML from the site's own
Markdown renderer (raw HTML in content is escaped there; titles and names are escaped here), and
diagrams become SVG images where a build-time SVG exists.

Updating, not duplicating: every note's GUID derives from the guide's title and the card id
(``hybrid-search``, ``q5``), which are stable by design, and the note types and decks have fixed
ids. A note's modification time is when the files its fields come from last changed (their last
commit, else their mtime: the dates the sitemap uses), so Anki's default "update notes if newer"
replaces exactly the notes whose sources changed since the deck a reader imported and keeps their
review history; and the same content always gives the same bytes, on any clone.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from html import escape
from pathlib import Path

import genanki

from ..content.labels import label_set, markup_labels
from ..content.links import LinkIndex
from ..content.model import Diagram, Guide, Question, Section, Source, Topic
from ..markup.diagrams import diagram_html
from ..markup.parser import render_markdown, render_markdown_drawing
from ..render.buildcache import cache_folder, key_of, read_entry, write_entry
from ..render.markdown import MarkdownRenderer
from ..render.pages import anki_deck_path
from .sitemap import ContentDates

# Mermaid source → SVG text, or None when no build-time SVG exists for it.
SvgLookup = Callable[[str], str | None]

NOTE_TYPE_VERSION = 1  # bump when fields change: Anki then keeps the old type for old notes

CARD_CSS = """\
.card { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; font-size: 18px; line-height: 1.55;
  text-align: left; max-width: 46em; margin: 0 auto; padding: 0 .5em; color: #1b1d2a; background: #fff; }
.card.nightMode { color: #e2e4eb; background: #1a1b27; }
.sg-kicker { margin: 0; font-size: .75em; font-weight: 700; letter-spacing: .08em; text-transform: uppercase; color: #4a41d8; }
.nightMode .sg-kicker { color: #aaa5ff; }
.sg-title { margin: .2em 0; font-size: 1.35em; line-height: 1.3; }
.sg-subtitle { margin: 0; opacity: .8; }
.sg-id { font-weight: 700; font-variant-numeric: tabular-nums; }
.sg-badge { display: inline-block; padding: 0 .5em; border: 1px solid; border-radius: 999px; font-size: .75em; font-weight: 700; }
.sg-badge-Critical { color: #b3133b; } .sg-badge-Important { color: #98500a; } .sg-badge-Bonus { color: #04704f; }
.nightMode .sg-badge-Critical { color: #ff8fa8; } .nightMode .sg-badge-Important { color: #ffb870; }
.nightMode .sg-badge-Bonus { color: #2ee0bc; }
.sg-section h2 { margin: 1em 0 .3em; font-size: 1em; }
.sg-diagram img { max-width: 100%; height: auto; background: #fff; border-radius: 6px; }
.sg-diagram summary { cursor: pointer; opacity: .8; }
pre, code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9em; }
pre { white-space: pre-wrap; }
table { border-collapse: collapse; } th, td { border: 1px solid #8888; padding: .2em .5em; }
.sg-link { margin-top: 1.5em; font-size: .85em; }
"""

LINK_BACK = '{{#Link}}<p class="sg-link"><a href="{{text:Link}}">Open in the guide</a></p>{{/Link}}'


def stable_id(*parts: str) -> int:
    """A fixed 31-bit id (Anki's note type and deck ids) from names, never from the clock."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


TOPIC_TYPE = genanki.Model(
    stable_id("studyguide", "topic", str(NOTE_TYPE_VERSION)), "studyguide topic",
    fields=[{"name": name} for name in ("Id", "Title", "Subtitle", "Body", "Domain", "Diagram", "Link")],
    templates=[{
        "name": "Topic",
        "qfmt": '<p class="sg-kicker">{{Domain}}</p><h1 class="sg-title">{{Title}}</h1>'
                '<p class="sg-subtitle">{{Subtitle}}</p>',
        "afmt": '{{FrontSide}}<hr id="answer"><div class="sg-body">{{Body}}</div>'
                '{{#Diagram}}<details class="sg-diagram"><summary>Domain diagram</summary>{{Diagram}}</details>'
                '{{/Diagram}}' + LINK_BACK,
    }],
    css=CARD_CSS, sort_field_index=1)

QUESTION_TYPE = genanki.Model(
    stable_id("studyguide", "question", str(NOTE_TYPE_VERSION)), "studyguide question",
    fields=[{"name": name} for name in ("Id", "Question", "Badge", "Answer", "Group", "Link")],
    templates=[{
        "name": "Question",
        "qfmt": '<p class="sg-kicker">{{Group}}</p><p class="sg-meta"><span class="sg-id">{{Id}}</span>'
                '{{#Badge}} <span class="sg-badge sg-badge-{{text:Badge}}">{{Badge}}</span>{{/Badge}}</p>'
                '<h1 class="sg-title">{{Question}}</h1>',
        "afmt": '{{FrontSide}}<hr id="answer">{{Answer}}' + LINK_BACK,
    }],
    css=CARD_CSS, sort_field_index=1)


def anki_tag(text: str) -> str:
    """A content tag as an Anki tag: Anki splits tags at spaces, so runs of spaces become ``_``
    (``Chunk size`` → ``Chunk_size``, which Anki's browser shows as typed). ``::`` keeps its Anki
    meaning, a hierarchy level."""
    return "_".join(text.split())


def deck_file_name(guide: Guide) -> str:
    """The deck's file name: the guide's title as a slug (``ai-engineering-study-topics.apkg``)."""
    return anki_deck_path(replace(guide.site, anki_deck=True)) or ""


@dataclass
class DeckContent:
    """Everything that goes into the file: decks of notes, media, and each note's source files."""

    decks: list[genanki.Deck] = field(default_factory=list)
    media: dict[str, bytes] = field(default_factory=dict)  # file name → bytes
    sources: dict[str, list[Path]] = field(default_factory=dict)  # note GUID → files its fields show

    @property
    def notes(self) -> int:
        return sum(len(deck.notes) for deck in self.decks)


class DeckBuilder:
    """Turns a guide into :class:`DeckContent`; ``svg_for`` supplies build-time diagram SVGs."""

    def __init__(self, guide: Guide, svg_for: SvgLookup | None = None) -> None:
        self.guide = guide
        self.svg_for = svg_for or (lambda source: None)
        self.content = DeckContent()
        self.root = guide.site.title.replace("::", ":")  # "::" would nest one deck level deeper
        labels = label_set(guide.site.language, guide.site.theme.labels)
        self.markdown = MarkdownRenderer(LinkIndex(guide, guide.content_dir), markup_labels(labels))

    def build(self) -> DeckContent:
        for domain in self.guide.domains:
            deck = self._deck(f"{domain.label} {domain.name}", "domain", domain.slug)
            domain_diagram = self._diagram_image(domain.diagram)
            for topic in domain.topics:
                link = self._link(domain.path, topic.anchor)
                fields = [topic.anchor, escape(topic.title), escape(topic.subtitle), self._markdown(topic.body, topic),
                          escape(f"{domain.label} · {domain.name}"), domain_diagram, link]
                self._add(deck, TOPIC_TYPE, topic.anchor, fields, [anki_tag(t) for t in topic.tags],
                          [topic.origin, domain.origin, domain.diagram.origin if domain.diagram else None])
        if self.guide.interview:
            interview = self.guide.interview
            deck = self._deck(interview.title, "interview", "")
            for group in interview.groups:
                for q in group.questions:
                    answer = "".join(f'<section class="sg-section"><h2>{escape(s.heading)}</h2>'
                                     f"{self._markdown(s.body, q, s)}</section>" for s in q.sections)
                    tags = [f"badge::{anki_tag(q.badge)}"] if q.badge else []
                    tags.append(f"group::{group.slug}")
                    fields = [escape(q.id), escape(q.question), escape(q.badge or ""), answer, escape(group.name),
                              self._link(interview.path, q.anchor)]
                    self._add(deck, QUESTION_TYPE, q.anchor, fields, tags, [q.origin, group.origin])
        return self.content

    def _deck(self, name: str, kind: str, key: str) -> genanki.Deck:
        deck = genanki.Deck(stable_id("studyguide", self.guide.site.title, kind, key),
                            f"{self.root}::{name.replace('::', ':')}")
        self.content.decks.append(deck)
        return deck

    def _add(self, deck: genanki.Deck, note_type: genanki.Model, card_id: str, fields: list[str],
             tags: list[str], origins: list[Source | None]) -> None:
        guid = genanki.guid_for("studyguide", self.guide.site.title, card_id)
        deck.add_note(genanki.Note(note_type, fields, tags=tags, guid=guid))
        self.content.sources[guid] = [o.path for o in origins if o is not None]

    def _link(self, path: str, anchor: str) -> str:
        base = self.guide.site.base_url
        return escape(f"{base}{path}#{anchor}") if base else ""

    def _markdown(self, text: str, item: Topic | Question, section: Section | None = None) -> str:
        """The site's rendering (heading ids prefixed by the card id, cross-links resolved, and
        absolute when ``base_url`` is set); a fenced diagram becomes an image when its SVG exists."""
        context = self.markdown.context(text, item, self.guide.site.base_url or "", section)
        if "mermaid" not in text:
            return render_markdown(text, context)
        return render_markdown_drawing(text, self._fenced_diagram, context)

    def _fenced_diagram(self, source: str) -> str:
        return self._image(source, "Diagram") or diagram_html(source)

    def _diagram_image(self, diagram: Diagram | None) -> str:
        return self._image(diagram.source, diagram.title) if diagram and diagram.source.strip() else ""

    def _image(self, source: str, title: str) -> str:
        svg = self.svg_for(source)
        if svg is None:
            return ""
        data = svg.encode("utf-8")
        name = f"studyguide-{hashlib.sha256(data).hexdigest()[:16]}.svg"
        self.content.media[name] = data
        return f'<img src="{name}" alt="{escape(title)}">'


# A fixed date for every zip entry: the archive's bytes depend only on the content.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _zip_entry(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    archive.writestr(zipfile.ZipInfo(name, _ZIP_DATE), data, compress_type=zipfile.ZIP_DEFLATED)


def note_times(content: DeckContent, dates: ContentDates) -> dict[str, int]:
    """Each note's modification time: when the newest of its source files last changed."""
    known = dates.of(p for paths in content.sources.values() for p in paths)
    times = {}
    for guid, paths in content.sources.items():
        changed = [known[p] for p in paths if p in known]
        times[guid] = int(max(changed).timestamp()) if changed else 0
    return times


def write_apkg(content: DeckContent, target: Path, mtimes: dict[str, int]) -> None:
    """Write the package to `target` atomically (a temporary file beside it, then a rename)."""
    newest = max(mtimes.values(), default=0)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".apkg-", dir=target.parent) as tmp:
        db_path = Path(tmp) / "collection.anki2"
        connection = sqlite3.connect(db_path)
        try:
            cursor = connection.cursor()
            # genanki stamps every note with one time; each note then gets its sources' own.
            genanki.Package(content.decks).write_to_db(cursor, newest, itertools.count(newest * 1000 + 1))
            cursor.executemany("UPDATE notes SET mod = ? WHERE guid = ?",
                               [(mtime, guid) for guid, mtime in mtimes.items()])
            connection.commit()
        finally:
            connection.close()
        media = sorted(content.media.items())
        partial = Path(tmp) / target.name
        with zipfile.ZipFile(partial, "w") as archive:
            _zip_entry(archive, "collection.anki2", db_path.read_bytes())
            _zip_entry(archive, "media", json.dumps({str(i): name for i, (name, _) in enumerate(media)}).encode())
            for i, (_, data) in enumerate(media):
                _zip_entry(archive, str(i), data)
        os.replace(partial, target)


@dataclass(frozen=True)
class DeckSummary:
    path: Path
    notes: int
    decks: int
    images: int

    def describe(self) -> str:
        return (f"Wrote {self.path}: {self.notes} notes in {self.decks} decks"
                f"{f', {self.images} diagram images' if self.images else ''}")


def export_deck(guide: Guide, target: Path, project_root: Path, svg_for: SvgLookup | None = None,
                dates: ContentDates | None = None) -> DeckSummary:
    """Write `guide` as an ``.apkg`` to `target`; `project_root` is where git dates the sources
    (`dates`: the build's lookups, shared with the sitemap)."""
    content = DeckBuilder(guide, svg_for).build()
    mtimes = note_times(content, dates or ContentDates(project_root))
    folder = cache_folder("anki-decks")
    name = f"{deck_key(content, mtimes)}.apkg"
    kept = read_entry(folder, name)
    if kept is not None and kept.startswith(b"PK"):  # a zip; entries are written whole (renamed in)
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".apkg-", delete=False) as partial:
            partial.write(kept)
        os.replace(partial.name, target)
    else:
        write_apkg(content, target, mtimes)
        write_entry(folder, name, target.read_bytes())
    return DeckSummary(target, content.notes, len(content.decks), len(content.media))


#: This module's source (note types, card templates, the writer) and genanki's version are part of
#: every cached deck's key: a change to either is a new key.
_DECK_CODE = Path(__file__).read_bytes() + genanki.__version__.encode()


def deck_key(content: DeckContent, mtimes: dict[str, int]) -> str:
    """What the ``.apkg`` bytes depend on: every note as written, the media and the notes' times.
    Writing the package (SQLite, then a zip) was a third of a small guide's build; the same key
    gives the same bytes, so a build whose cards did not change copies them from the build cache."""
    decks = [[deck.deck_id, deck.name, deck.description,
              [[note.model.model_id, note.guid, note.fields, note.tags, note.due] for note in deck.notes]]
             for deck in content.decks]
    media = [[name, hashlib.sha256(data).hexdigest()] for name, data in sorted(content.media.items())]
    text = json.dumps([decks, media, sorted(mtimes.items())], ensure_ascii=False)
    return key_of(_DECK_CODE, text.encode("utf-8"))


def publish_deck(site_dir: Path, guide: Guide, dates: ContentDates, svg_for: SvgLookup | None = None) -> None:
    """Build step: write the deck where the site links it, when the config asks for one."""
    path = anki_deck_path(guide.site)
    if path:
        export_deck(guide, site_dir / path, dates.project_root, svg_for, dates)
