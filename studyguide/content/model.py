"""The content model: what a study guide *is*, with no I/O.

The loader builds these objects from files and validates them; the renderer turns them into pages.
Every figure the site shows (numbers of domains, topics, questions, diagrams) is computed here from
the content, never typed in by an author.

Ids are part of the public contract: card anchors (``#hybrid-search``, ``#q5``) and page paths are
linked to from outside and will key progress tracking later, so they derive only from file names
and question ids, never from titles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

BADGES: tuple[str, ...] = ("Critical", "Important", "Bonus")


@dataclass(frozen=True)
class Source:
    """Where a piece of content came from, for error messages and incremental rebuilds."""

    path: Path
    line: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Diagram:
    """A Mermaid diagram with its caption."""

    title: str
    source: str  # Mermaid text
    origin: Source | None = None


@dataclass(frozen=True)
class Topic:
    """A topic card: title, subtitle, Markdown body and tags."""

    slug: str
    title: str
    subtitle: str
    body: str  # Markdown
    tags: tuple[str, ...]
    origin: Source | None = None
    body_line: int = field(default=1, compare=False)  # line of the body's first line in its file

    @property
    def anchor(self) -> str:
        return self.slug


@dataclass(frozen=True)
class Domain:
    """A numbered domain: icon, name, its diagram (None when it has none) and its topic cards."""

    number: int
    slug: str
    name: str
    icon: str
    diagram: Diagram | None
    topics: tuple[Topic, ...]
    origin: Source | None = None

    @property
    def label(self) -> str:
        """The two-digit number shown on the page (``01``)."""
        return f"{self.number:02d}"

    @property
    def path(self) -> str:
        """Output path of the domain page, relative to the site root."""
        return f"{self.slug}/"


@dataclass(frozen=True)
class Section:
    """One headed part of an answer (Problem, Approach, Trade-offs, ...)."""

    heading: str
    body: str  # Markdown
    line: int = field(default=1, compare=False)  # line of the body's first line in the question file


@dataclass(frozen=True)
class Question:
    """An interview question card."""

    id: str  # Q5, B2
    question: str
    badge: str | None
    sections: tuple[Section, ...]
    origin: Source | None = None

    @property
    def anchor(self) -> str:
        return self.id.lower()


@dataclass(frozen=True)
class Group:
    """A group of interview questions (RAG, Agents, ...)."""

    slug: str
    name: str
    icon: str
    questions: tuple[Question, ...]
    origin: Source | None = None

    @property
    def anchor(self) -> str:
        return f"group-{self.slug}"


@dataclass(frozen=True)
class Interview:
    title: str
    intro: str
    groups: tuple[Group, ...]

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for g in self.groups for q in g.questions)

    @property
    def path(self) -> str:
        return "interview/"


@dataclass(frozen=True)
class Page:
    """A free page (e.g. "What they're actually testing")."""

    slug: str
    title: str
    label: str | None
    body: str  # Markdown
    origin: Source | None = None
    body_line: int = field(default=1, compare=False)

    @property
    def path(self) -> str:
        return f"{self.slug}/"


#: Diagram renderers a guide can choose (``diagrams: renderer:``).
RENDERERS: tuple[str, ...] = ("chromium", "mermaid-ink", "browser")


@dataclass(frozen=True)
class DiagramSettings:
    """The config's ``diagrams:`` section: which renderer draws diagrams at build time."""

    renderer: str | None = None  # None: chromium when it can run, else the cache (and the browser)
    ink_server: str | None = None  # mermaid.ink server for the mermaid-ink renderer


@dataclass(frozen=True)
class ThemeSettings:
    """How a guide changes the default theme (``theme:``, ``extra_css``, ``extra_js``, ``labels``
    in the config). Paths are absolute; the config loader has checked that they exist."""

    folder: Path | None = None  # holds templates/ and static/ that override the default, file by file
    logo: Path | None = None
    favicon: Path | None = None
    palette: tuple[tuple[str, str, str], ...] = ()  # (light|dark, CSS variable, colour)
    code_light: str = "a11y-light"  # Pygments styles of code blocks
    code_dark: str = "a11y-dark"
    extra_css: tuple[Path, ...] = ()
    extra_js: tuple[Path, ...] = ()
    labels: tuple[tuple[str, str | tuple[str, str]], ...] = ()  # overrides; plurals are (one, other)
    project: Path | None = None  # the folder the paths above were given relative to


@dataclass(frozen=True)
class Site:
    """Site-wide metadata from the config file."""

    title: str
    subtitle: str
    description: str
    language: str = "en"
    highlight: str | None = None
    base_url: str | None = None
    repo_url: str | None = None
    cname: str | None = None
    theme: ThemeSettings = ThemeSettings()
    anki_deck: bool = False  # publish the guide as an Anki deck beside the site
    offline: bool = True  # web app manifest + service worker (studyguide/site/offline.py)
    short_name: str | None = None  # the installed app's label; derived from the title if unset
    diagrams: DiagramSettings = field(default_factory=DiagramSettings)


@dataclass(frozen=True)
class Guide:
    """A whole study guide: the root of the content model."""

    site: Site
    domains: tuple[Domain, ...]
    interview: Interview | None
    pages: tuple[Page, ...] = ()
    # Files the guide was read from (content, config); serve watches and caches by these.
    sources: tuple[Path, ...] = field(default=(), compare=False)
    # The content folder: Markdown refers to files in its assets/ folders relative to itself.
    content_dir: Path | None = field(default=None, compare=False)

    @property
    def topics(self) -> tuple[Topic, ...]:
        return tuple(t for d in self.domains for t in d.topics)

    @property
    def questions(self) -> tuple[Question, ...]:
        return self.interview.questions if self.interview else ()

    @property
    def groups(self) -> tuple[Group, ...]:
        return self.interview.groups if self.interview else ()

    @property
    def stats(self) -> dict[str, int]:
        """The figures shown on the home page, all computed from content."""
        return {
            "domains": len(self.domains),
            "topics": len(self.topics),
            "diagrams": sum(1 for d in self.domains if d.diagram and d.diagram.source.strip()),
            "questions": len(self.questions),
            "groups": len(self.groups),
        }

    def tags(self) -> dict[str, list[tuple[Domain, Topic]]]:
        """Every tag with the topics that carry it, in content order."""
        index: dict[str, list[tuple[Domain, Topic]]] = {}
        for domain in self.domains:
            for topic in domain.topics:
                for tag in topic.tags:
                    index.setdefault(tag, []).append((domain, topic))
        return index
