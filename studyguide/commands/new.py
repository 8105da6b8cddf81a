"""``studyguide new domain|topic|group|question|page``: add the next item to a guide.

Each kind is one small function that picks the next free ``NN`` prefix in its folder, derives the
slug from the title (or takes ``--slug``), writes a file with valid front matter and a line of
placeholder text, and returns its path. It never overwrites anything, and it refuses a slug or a
question id the guide already uses — the same rules the loader enforces, so a new item always
builds. It reads only file names and front matter, so it works on a guide with content errors.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import click

from ..content.config import Config, load_config
from ..content.errors import ErrorList, display_path
from ..content.loader import QUESTION_ID_RE, QUESTION_SCHEMA, RESERVED_SLUGS
from ..content.markdownfile import parse_markdown_file
from ..content.slugs import is_slug, slugify, split_ordered_name
from .reporting import fail

ID_PARTS_RE = re.compile(r"^([A-Za-z]+)([0-9]+)$")


@dataclass(frozen=True)
class Entry:
    """One ``NN-slug`` file or folder of a content folder."""

    number: int
    slug: str
    path: Path


def _q(text: str) -> str:
    """A YAML scalar for any text: JSON strings are valid YAML double-quoted strings."""
    return json.dumps(text, ensure_ascii=False)


def entries(folder: Path, *, dirs: bool) -> list[Entry]:
    """The ``NN-slug`` folders (or ``.md`` files) of `folder`, in content order."""
    found = []
    if folder.is_dir():
        for path in folder.iterdir():
            if path.is_dir() != dirs or (not dirs and path.suffix != ".md"):
                continue
            parsed = split_ordered_name(path.name if dirs else path.stem)
            if parsed:
                found.append(Entry(parsed[0], parsed[1], path))
    return sorted(found, key=lambda e: (e.number, e.slug))


def next_name(folder: Path, slug: str, *, dirs: bool, suffix: str = "") -> Path:
    """`folder`/NN-slug with the next free number, as wide as the widest existing prefix (≥ 2)."""
    existing = entries(folder, dirs=dirs)
    number = max((e.number for e in existing), default=0) + 1
    width = max([2] + [len(e.path.name.split("-", 1)[0]) for e in existing])
    return folder / f"{number:0{width}d}-{slug}{suffix}"


def _slug(title: str, slug: str | None) -> str:
    value = slug or slugify(title)
    if not is_slug(value):
        fail([f"slug '{value}' must be lower-case letters, digits and single dashes (give one with --slug)"])
    return value


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8", newline="\n") as handle:  # "x": never overwrite
            handle.write(text)
    except FileExistsError:
        fail([f"{display_path(path)}: already exists; nothing was written"])
    return path


def report(path: Path) -> None:
    """What the CLI prints: the path written, as the author would type it."""
    click.echo(display_path(path))


def load_project(config_path: Path) -> Config:
    errors = ErrorList()
    config = load_config(Path(config_path), errors)
    if errors or config is None:
        fail([str(e) for e in errors.items] or [f"{display_path(config_path)}: cannot read the config"],
             "Fix the config first (or run `studyguide init` to start a guide).")
    return config


def pick(items: list[Entry], wanted: str | None, kind: str, hint: str) -> Entry:
    """The entry named by `wanted` (its slug, its folder name or its number); default the last."""
    if not items:
        fail([f"the guide has no {kind} yet: {hint}"])
    if wanted is None:
        return items[-1]
    for item in items:
        if wanted in (item.slug, item.path.name) or (wanted.isdigit() and int(wanted) == item.number):
            return item
    fail([f"no {kind} '{wanted}' (there are: {', '.join(i.path.name for i in items)})"])


def _unused_site_slug(config: Config, slug: str) -> None:
    """Domains and pages share the site's top-level addresses."""
    content = config.content_dir
    for item in entries(content / "domains", dirs=True) + entries(content / "pages", dirs=False):
        if item.slug == slug:
            fail([f"slug '{slug}' is already used by {display_path(item.path)} (give another with --slug)"])
    if slug in RESERVED_SLUGS:
        fail([f"'{slug}' is a reserved name (used by the site itself): give another with --slug"])


def new_domain(config: Config, title: str, *, icon: str, slug: str | None, diagram: bool) -> Path:
    slug = _slug(title, slug)
    _unused_site_slug(config, slug)
    folder = next_name(config.content_dir / "domains", slug, dirs=True)
    meta = f"name: {_q(title)}\nicon: {_q(icon)}\n"
    if diagram:
        meta += f"diagram:\n  title: {_q(title)}\n  file: diagram.mmd\n"
        _write(folder / "diagram.mmd", f'flowchart LR\n    A["{title}"] --> B["Replace this diagram"]\n')
    _write(folder / "domain.yml", meta)
    return folder


def new_topic(config: Config, title: str, *, domain: str | None, subtitle: str | None,
              tags: tuple[str, ...], slug: str | None) -> Path:
    slug = _slug(title, slug)
    domains = entries(config.content_dir / "domains", dirs=True)
    target = pick(domains, domain, "domain", 'add one with `studyguide new domain "Name"`')
    for other in domains:
        for topic in entries(other.path, dirs=False):
            if topic.slug == slug:
                fail([f"topic slug '{slug}' is already used by {display_path(topic.path)}: "
                      "card ids must be unique (give another with --slug)"])
    tag_lines = "".join(f"  - {_q(t)}\n" for t in (tags or (title,)))
    text = (f"---\ntitle: {_q(title)}\nsubtitle: {_q(subtitle or 'One line on what this card covers')}\n"
            f"tags:\n{tag_lines}---\nWrite this card's explanation here, in Markdown.\n")
    return _write(next_name(target.path, slug, dirs=False, suffix=".md"), text)


def _interview_dir(config: Config) -> Path:
    folder = config.content_dir / "interview"
    if not (folder / "interview.yml").exists():
        _write(folder / "interview.yml", 'title: "Interview Questions"\n'
                                         'intro: "Questions you may be asked, with answers in headed sections."\n')
    return folder


def new_group(config: Config, name: str, *, icon: str, slug: str | None) -> Path:
    slug = _slug(name, slug)
    folder = _interview_dir(config)
    for group in entries(folder, dirs=True):
        if group.slug == slug:
            fail([f"group slug '{slug}' is already used by {display_path(group.path)} (give another with --slug)"])
    target = next_name(folder, slug, dirs=True)
    _write(target / "group.yml", f"name: {_q(name)}\nicon: {_q(icon)}\n")
    return target


def question_ids(interview: Path) -> dict[str, Path]:
    """Every question id in use (lower case) → its file. Unreadable files are skipped: the loader
    reports those; here they only cannot block picking a fresh id."""
    ids = {}
    for group in entries(interview, dirs=True):
        for item in entries(group.path, dirs=False):
            doc = parse_markdown_file(item.path, QUESTION_SCHEMA, ErrorList())
            if doc is not None and isinstance(doc.values.get("id"), str):
                ids[doc.values["id"].lower()] = item.path
    return ids


def next_question_id(used: dict[str, Path], prefix: str) -> str:
    numbers = [int(m[2]) for key in used if (m := ID_PARTS_RE.match(key)) and m[1] == prefix.lower()]
    return f"{prefix}{max(numbers, default=0) + 1}"


def new_question(config: Config, text: str, *, group: str | None, qid: str | None, badge: str | None) -> Path:
    interview = config.content_dir / "interview"
    target = pick(entries(interview, dirs=True), group, "question group",
                  'add one with `studyguide new group "Name"`')
    used = question_ids(interview)
    if qid is None:
        last = entries(target.path, dirs=False)
        prefix = "Q"
        if last and (doc := parse_markdown_file(last[-1].path, QUESTION_SCHEMA, ErrorList())):
            match = ID_PARTS_RE.match(str(doc.values.get("id", "")))
            prefix = match[1] if match else prefix
        qid = next_question_id(used, prefix)
    elif not QUESTION_ID_RE.match(qid) or qid.lower() in used:
        where = f" by {display_path(used[qid.lower()])}" if qid.lower() in used else ""
        fail([f"question id '{qid}' is {'already used' + where if where else 'not letters then digits, like Q5'}"])
    front = f"---\nid: {qid}\nquestion: {_q(text)}\n" + (f"badge: {badge}\n" if badge else "") + "---\n"
    body = "## Answer\nWrite the answer here. Each section starts with a `## Heading` line.\n"
    return _write(next_name(target.path, slugify(qid), dirs=False, suffix=".md"), front + body)


def new_page(config: Config, title: str, *, label: str | None, slug: str | None) -> Path:
    slug = _slug(title, slug)
    _unused_site_slug(config, slug)
    front = f"---\ntitle: {_q(title)}\n" + (f"label: {_q(label)}\n" if label else "") + "---\n"
    return _write(next_name(config.content_dir / "pages", slug, dirs=False, suffix=".md"),
                  front + "Write this page here, in Markdown.\n")
