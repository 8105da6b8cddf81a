"""The loader: reads a guide's files, validates them and builds the content model.

It reports every mistake it finds as ``path:line: message`` and never stops at the first one. Each
file is parsed by one small function; results are cached by file and modification time, so the
live preview re-parses only what changed.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, TypeVar

from ..markup.sections import split_sections
from .assets import ASSETS_DIR
from .config import CONFIG_NAME, Config, load_config
from .errors import ContentError, ErrorList
from .links import check_links
from .markdownfile import MarkdownFile, parse_markdown_file
from .model import BADGES, Diagram, Domain, Group, Guide, Interview, Page, Question, Section, Source, Topic
from .slugs import is_slug, is_theme_id, slugify, split_ordered_name
from .sources import kind_of, list_folder, path_text_problem, read_text, real_path, split_front_matter
from .yamldoc import LinedMap, Schema, check_schema, parse_mapping

log = logging.getLogger(__name__)

DOMAIN_SCHEMA: Schema = {"name": (str, True), "icon": (str, True), "diagram": (dict, False)}
DIAGRAM_SCHEMA: Schema = {"title": (str, True), "file": (str, True)}
TOPIC_SCHEMA: Schema = {"title": (str, True), "subtitle": (str, True), "tags": (list, True)}
INTERVIEW_SCHEMA: Schema = {"title": (str, True), "intro": (str, True)}
GROUP_SCHEMA: Schema = {"name": (str, True), "icon": (str, True)}
QUESTION_SCHEMA: Schema = {"id": (str, True), "question": (str, True), "badge": (str, False)}
PAGE_SCHEMA: Schema = {"title": (str, True), "label": (str, False)}

QUESTION_ID_RE = re.compile(r"^[A-Za-z]{1,4}[0-9]{1,4}$")
# Top-level output folders the theme and features own; a domain or page slug may not take them.
RESERVED_SLUGS = frozenset({"interview", "tags", "assets", "pagefind", "search", "404", "sitemap", "all"})
FIXED_NAMES = frozenset({"domain.yml", "diagram.mmd", "group.yml", "interview.yml", ASSETS_DIR})

T = TypeVar("T")


class Loader:
    """Loads guides; keeps a per-file parse cache so repeated loads (serve) are cheap."""

    def __init__(self) -> None:
        # path -> ((mtime_ns, size), parsed value, errors found while parsing that file)
        self._cache: dict[Path, tuple[tuple[int, int], object, list[ContentError]]] = {}
        self._content_root = Path("/")  # set by load_content: symlinks must stay inside it
        self._project_root = Path.cwd()  # set by load_content: other files are named relative to it

    def _project_path(self, path: Path) -> str:
        """`path` relative to the project folder (where the config is), as another file is named
        in an error: the same wherever the command was run from."""
        try:
            return Path(os.path.relpath(path, self._project_root)).as_posix()
        except ValueError:
            return str(path)

    # -- one parse function per file kind, cached by file stamp ---------------------------------

    def _cached(self, path: Path, errors: ErrorList, parse: Callable[[Path, ErrorList], T]) -> T:
        try:
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            stamp = None
        hit = self._cache.get(path)
        if stamp is not None and hit is not None and hit[0] == stamp:
            errors.items.extend(hit[2])
            return hit[1]  # type: ignore[return-value]
        local = ErrorList()
        value = parse(path, local)
        errors.items.extend(local.items)
        if stamp is not None:
            self._cache[path] = (stamp, value, local.items)
        return value

    @staticmethod
    def _parse_yaml_file(schema: Schema) -> Callable[[Path, ErrorList], tuple[dict, object] | None]:
        def parse(path: Path, errors: ErrorList) -> tuple[dict, object] | None:
            text = read_text(path, errors)
            mapping = parse_mapping(text, path, errors) if text is not None else None
            if mapping is None:
                return None
            return check_schema(mapping, schema, path, errors), mapping

        return parse

    def _topic(self, path: Path, slug: str, errors: ErrorList) -> Topic | None:
        def parse(path: Path, errors: ErrorList) -> Topic | None:
            doc = parse_markdown_file(path, TOPIC_SCHEMA, errors)
            if doc is None:
                return None
            values, body, body_line = doc.values, doc.body, doc.body_line
            if not body.strip():
                errors.add(path, body_line, "the topic has no text: write its Markdown body after the front matter")
            if len(values) < len(TOPIC_SCHEMA) or not body.strip():
                return None
            return Topic(slug, values["title"], values["subtitle"], doc.text,
                         tuple(values["tags"]), Source(path), doc.text_line)

        return self._cached(path, errors, parse)

    def _question(self, path: Path, errors: ErrorList) -> tuple[Question, int] | None:
        def parse(path: Path, errors: ErrorList) -> tuple[Question, int] | None:
            doc = parse_markdown_file(path, QUESTION_SCHEMA, errors)
            if doc is None:
                return None
            values, mapping, body, body_line = doc.values, doc.mapping, doc.body, doc.body_line
            id_line = mapping.line_of("id")
            if "id" in values and not QUESTION_ID_RE.match(values["id"]):
                errors.add(path, id_line, f"question id '{values['id']}' must be letters then digits, like Q5 or B2")
                values.pop("id")
            badge = values.get("badge")
            if badge is not None and badge not in BADGES:
                errors.add(path, mapping.line_of("badge"),
                           f"unknown badge '{badge}' (expected one of: {', '.join(BADGES)})")
                return None
            split, preamble = split_sections(body)
            if preamble is not None:
                errors.add(path, body_line + preamble.line - 1,
                           "text before the first section: start each section with a '## Heading' line")
            sections = []
            for part in split:
                if not part.heading:
                    errors.add(path, body_line + part.line - 1, "a section heading is empty")
                elif not part.body.strip():
                    errors.add(path, body_line + part.line - 1, f"section '{part.heading}' has no text")
                else:
                    sections.append(Section(part.heading, part.body, body_line + part.body_line - 1))
            if not split and preamble is None:
                errors.add(path, body_line, "the question has no answer: add sections starting with '## Heading'")
            if "id" not in values or "question" not in values or not sections:
                return None
            question = Question(values["id"], values["question"], badge, tuple(sections), Source(path, id_line))
            return question, id_line

        return self._cached(path, errors, parse)

    def _page(self, path: Path, slug: str, errors: ErrorList) -> Page | None:
        def parse(path: Path, errors: ErrorList) -> Page | None:
            doc = parse_markdown_file(path, PAGE_SCHEMA, errors)
            if doc is None:
                return None
            values, body, body_line = doc.values, doc.body, doc.body_line
            if not body.strip():
                errors.add(path, body_line, "the page has no text")
            if "title" not in values or not body.strip():
                return None
            return Page(slug, values["title"], values.get("label"), doc.text, Source(path), doc.text_line)

        return self._cached(path, errors, parse)

    def _diagram(self, path: Path, errors: ErrorList) -> str | None:
        def parse(path: Path, errors: ErrorList) -> str | None:
            text = read_text(path, errors)
            if text is not None and not text.strip():
                errors.add(path, 1, "the diagram file is empty")
                return None
            return text

        return self._cached(path, errors, parse)

    # -- folders ----------------------------------------------------------------------------------

    def _ordered(self, folder: Path, errors: ErrorList, *, dirs: bool, suffix: str = "",
                 allow: tuple[str, ...] = ()) -> list[tuple[int, str, Path]]:
        """Entries named ``NN-slug`` in content order; anything else unexpected is an error.

        Names starting with ``.`` or ``_`` are skipped (editor and OS files, drafts), as are the
        fixed metadata names and files ending in one of `allow` (diagram sources). A symbolic link
        that leads outside the content folder is an error: only what is in content/ is published.
        """
        found: list[tuple[int, str, Path]] = []
        # os.scandir, not Path.iterdir: its entries know their type without another stat call per
        # file, which is most of a warm reload of a 10,000-topic guide in `serve`.
        entries = list_folder(folder, errors)
        for entry in entries or []:
            name = entry.name
            if name.startswith((".", "_")):
                continue
            path = folder / name
            if entry.is_symlink() and not real_path(path).is_relative_to(self._content_root):
                errors.add(path, 1, "symbolic link to a file outside the content folder: copy the file in")
                continue
            if name in FIXED_NAMES or (allow and name.endswith(allow)):
                continue
            try:
                is_dir, is_file = entry.is_dir(), entry.is_file()
            except OSError as exc:  # a symbolic link loop, a folder we may not look into
                errors.add(path, 1, f"cannot read: {exc.strerror or exc}")
                continue
            kind_ok = is_dir if dirs else (is_file and name.endswith(suffix))
            stem = name[: -len(suffix)] if suffix and name.endswith(suffix) else name
            parsed = split_ordered_name(stem)
            what = "folder" if dirs else f"'{suffix}' file"
            if not kind_ok:
                errors.add(path, 1, f"unexpected {'folder' if is_dir else 'file'} here "
                                    f"(expected a {what} named NN-slug)")
                continue
            if parsed is None:
                errors.add(path, 1, f"name must start with a number and a dash, like "
                                    f"'01-{slugify(stem)}{suffix}'")
                continue
            order, slug = parsed
            if not is_slug(slug):
                number = stem.split("-", 1)[0]
                errors.add(path, 1, f"slug '{slug}' must be lower-case letters, digits and single dashes: "
                                    f"rename it '{number}-{slugify(slug)}{suffix}'")
                continue
            found.append((order, slug, path))
        found.sort(key=lambda item: (item[0], item[1]))
        for (order_a, _, a), (order_b, _, b) in zip(found, found[1:]):
            if order_a == order_b:
                errors.add(b, 1, f"number {order_b:02d} is also used by '{a.name}': each needs its own number")
        return found

    def _domain(self, order: int, slug: str, folder: Path, errors: ErrorList, seen: dict[str, Path]) -> Domain | None:
        meta_path = folder / "domain.yml"
        kind = kind_of(meta_path, errors)
        if kind != "file":
            if kind is not None:
                errors.add(meta_path, 1, "missing domain.yml (name, icon and optionally a diagram)")
            return None
        meta = self._cached(meta_path, errors, self._parse_yaml_file(DOMAIN_SCHEMA))
        diagram = None
        if meta is not None and "diagram" in meta[0]:
            lined = meta[1].children.get("diagram")  # type: ignore[attr-defined]
            dvalues = check_schema(lined, DIAGRAM_SCHEMA, meta_path, errors) if lined else {}
            problem = path_text_problem(dvalues["file"]) if "file" in dvalues else None
            if problem:
                errors.add(meta_path, lined.line_of("file"), f"diagram file name {problem}")
            elif "file" in dvalues:
                line = lined.line_of("file")
                target = real_path(folder / dvalues["file"])
                inside = target.is_relative_to(real_path(folder))
                kind = kind_of(target, errors) if inside else None
                if not inside:
                    errors.add(meta_path, line, f"diagram file '{dvalues['file']}' must be inside the domain folder")
                elif kind is None:
                    pass  # unreadable: recorded at the file's own path
                elif kind != "file":
                    errors.add(meta_path, line, f"diagram file '{dvalues['file']}' not found")
                else:
                    source = self._diagram(target, errors)
                    if source is not None and "title" in dvalues:
                        diagram = Diagram(dvalues["title"], source, Source(target))
        topics = []
        for _, topic_slug, path in self._ordered(folder, errors, dirs=False, suffix=".md", allow=(".mmd",)):
            topic = self._topic(path, topic_slug, errors)
            if topic is None:
                continue
            if is_theme_id(topic.anchor):
                errors.add(path, 1, f"topic slug '{topic_slug}' is an id the theme itself uses "
                                    f"('#{topic.anchor}' would not open this card): rename the file")
                continue
            if topic_slug in seen:
                errors.add(path, 1, f"topic slug '{topic_slug}' is also used by {self._project_path(seen[topic_slug])}: card ids must be unique")
                continue
            seen[topic_slug] = path
            topics.append(topic)
        # The diagram is optional; a diagram that is there but broken keeps the domain out.
        if meta is None or not {"name", "icon"} <= meta[0].keys() or ("diagram" in meta[0] and diagram is None):
            return None
        values = meta[0]
        return Domain(order, slug, values["name"], values["icon"], diagram, tuple(topics), Source(meta_path))

    def _interview(self, folder: Path, errors: ErrorList) -> Interview | None:
        meta_path = folder / "interview.yml"
        kind = kind_of(meta_path, errors)
        if kind != "file":
            if kind is not None:
                errors.add(meta_path, 1, "missing interview.yml (title, intro)")
            return None
        meta = self._cached(meta_path, errors, self._parse_yaml_file(INTERVIEW_SCHEMA))
        groups = []
        ids: dict[str, Path] = {}
        for _, slug, group_dir in self._ordered(folder, errors, dirs=True):
            group_path = group_dir / "group.yml"
            kind = kind_of(group_path, errors)
            if kind != "file":
                if kind is not None:
                    errors.add(group_path, 1, "missing group.yml (name, icon)")
                continue
            group_meta = self._cached(group_path, errors, self._parse_yaml_file(GROUP_SCHEMA))
            questions = []
            for _, _, path in self._ordered(group_dir, errors, dirs=False, suffix=".md"):
                parsed = self._question(path, errors)
                if parsed is None:
                    continue
                question, line = parsed
                key = question.id.lower()
                if key in ids:
                    errors.add(path, line, f"question id '{question.id}' is also used by {self._project_path(ids[key])}")
                    continue
                ids[key] = path
                questions.append(question)
            anchor = Group(slug, "", "", ()).anchor
            if is_theme_id(anchor) or is_theme_id(f"{anchor}-title"):
                errors.add(group_dir, 1, f"group slug '{slug}' gives the id '{anchor}', which the theme itself "
                                         f"uses: rename the folder")
                continue
            if group_meta is not None and len(group_meta[0]) == len(GROUP_SCHEMA):
                values = group_meta[0]
                groups.append(Group(slug, values["name"], values["icon"], tuple(questions), Source(group_path)))
        if meta is None or len(meta[0]) < len(INTERVIEW_SCHEMA):
            return None
        return Interview(meta[0]["title"], meta[0]["intro"], tuple(groups))

    # -- the whole guide --------------------------------------------------------------------------

    def load(self, config_path: Path) -> Guide:
        """Load and validate a guide. Raises :class:`~studyguide.errors.ContentErrors`."""
        errors = ErrorList()
        config = load_config(Path(config_path), errors)
        errors.raise_if_any()
        assert config is not None
        guide = self.load_content(config, errors)
        errors.raise_if_any(partial=guide)  # what did load: its diagrams are still checked
        return guide

    def load_content(self, config: Config, errors: ErrorList) -> Guide:
        content = config.content_dir
        self._content_root = real_path(content)
        self._project_root = config.root
        domains: list[Domain] = []
        slugs_used: dict[str, Path] = {}
        domains_dir = content / "domains"
        kind = kind_of(domains_dir, errors)
        if kind is None:
            pass  # unreadable: recorded
        elif kind != "folder":
            errors.add(domains_dir, 1, "missing 'domains' folder: a guide needs at least one domain")
        else:
            topic_slugs: dict[str, Path] = {}
            for order, slug, folder in self._ordered(domains_dir, errors, dirs=True):
                domain = self._domain(order, slug, folder, errors, topic_slugs)
                if domain is not None:
                    domains.append(domain)
                    slugs_used[slug] = folder
        interview_dir = content / "interview"
        interview = self._interview(interview_dir, errors) if kind_of(interview_dir, errors) == "folder" else None
        pages: list[Page] = []
        pages_dir = content / "pages"
        if kind_of(pages_dir, errors) == "folder":
            for _, slug, path in self._ordered(pages_dir, errors, dirs=False, suffix=".md"):
                page = self._page(path, slug, errors)
                if page is None:
                    continue
                if slug in slugs_used:
                    errors.add(path, 1, f"page slug '{slug}' is also used by {self._project_path(slugs_used[slug])}")
                    continue
                slugs_used[slug] = path
                pages.append(page)
        for slug, path in slugs_used.items():
            if slug in RESERVED_SLUGS:
                errors.add(path, 1, f"'{slug}' is a reserved name (used by the site itself): rename it")
        for entry in (Path(e.path) for e in list_folder(content, errors) or []):
            if entry.name not in ("domains", "interview", "pages", ASSETS_DIR) and not entry.name.startswith((".", "_")):
                errors.add(entry, 1, "unexpected entry in the content folder (expected domains/, interview/, "
                                     "pages/, assets/)")
        sources = tuple(sorted(self._cache)) + (config.path,)
        guide = Guide(config.site, tuple(domains), interview, tuple(pages), sources, content)
        check_links(guide, content, errors)
        return guide


def load_guide(config_path: Path) -> Guide:
    """Load a guide once (no cache kept). Raises :class:`~studyguide.errors.ContentErrors`."""
    return Loader().load(config_path)


def find_config(start: Path | None = None) -> Path:
    """The config file in `start` (default: the working directory)."""
    return (start or Path.cwd()) / CONFIG_NAME
