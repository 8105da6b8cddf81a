"""The renderer: content model → HTML pages, through Jinja templates with autoescape.

It does no file writing: it yields every page as text, one at a time, and the builder writes each
into a temporary folder that replaces the old site only once every page rendered (a template
error leaves the old site untouched).
Links are relative to the page (the site works from any sub-path), except on ``404.html``, which
GitHub Pages serves at any depth and so gets absolute links from ``base_url``.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import (
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
    pass_context,
)
from markupsafe import Markup

from .. import __version__
from ..content.labels import label_set, markup_labels, plural
from ..content.links import LinkIndex
from ..content.model import BADGES, Guide
from ..content.slugs import slugify
from ..markup.context import PLAIN
from ..markup.features import has_code
from ..markup.parser import diagram_sources, render_inline, render_markdown, render_markdown_drawing
from .buildcache import cache_folder, key_of
from .diagramart import DiagramArt, PageFigures
from .markdown import MarkdownRenderer
from .pages import ONE_PAGE_URL, PageSpec, RenderedPage, TemplateRenderError, anki_deck_path
from .seo import structured_data
from .shared import SharedParts
from .study import card_hash, card_sets_json, guide_id, practice_cards
from .theme import Theme
from .themefiles import ThemeFiles, theme_files

# The study scripts each kind of page loads (defer, in this order); other kinds load none.
STUDY_STORE = "js/study-store.js"
PRACTICE_CARDS_URL = "practice/cards.html"  # beside practice/index.html: the same relative links
STUDY_SCRIPTS: dict[str, tuple[str, ...]] = {
    "home": (STUDY_STORE, "js/study-progress.js"),
    "domain": (STUDY_STORE, "js/study-progress.js", "js/study-marks.js"),
    "interview": (STUDY_STORE, "js/study-progress.js", "js/study-marks.js"),
    "practice": (STUDY_STORE, "vendor/ts-fsrs/ts-fsrs.min.js", "js/practice.js", "js/study-backup.js"),
}


def tag_anchors(tags: list[str]) -> dict[str, str]:
    """Stable, unique anchors for tags: ``tag-`` + slug, numbered when two tags share a slug."""
    anchors: dict[str, str] = {}
    used: set[str] = set()
    for tag in tags:
        base = "tag-" + slugify(tag)
        anchor, n = base, 2
        while anchor in used:
            anchor, n = f"{base}-{n}", n + 1
        anchors[tag] = anchor
        used.add(anchor)
    return anchors


# The options above change the compiled code, and Jinja's cache keys only on the template's
# name, file and source: they go into the entries' names so other options never read them.
_TEMPLATE_OPTIONS = b"autoescape trim_blocks lstrip_blocks StrictUndefined"


def _template_cache() -> FileSystemBytecodeCache | None:
    """Compiled templates kept between builds (see :mod:`.buildcache`); Jinja checks each
    entry against the template's source, so an edited template is compiled again."""
    folder = cache_folder("templates")
    if folder is None:
        return None
    return FileSystemBytecodeCache(str(folder), f"{key_of(_TEMPLATE_OPTIONS)[:12]}-%s.cache")


class Renderer:
    """Renders every page of a guide with one Jinja environment."""

    def __init__(self, theme: Theme, guide_theme: Any = None, *, search: bool = True,
                 offline: bool = True, diagrams: DiagramArt | None = None) -> None:
        from ..content.model import ThemeSettings

        self.theme = theme
        self.template_dirs = [d.resolve() for d in theme.template_dirs]
        self.templates_dir = self.template_dirs[-1]
        self.files: ThemeFiles = theme_files(theme, guide_theme or ThemeSettings())
        self.env = Environment(
            loader=FileSystemLoader([str(d) for d in self.template_dirs]),
            autoescape=True,
            undefined=StrictUndefined,  # a typo in a template is an error, not an empty string
            trim_blocks=True,
            lstrip_blocks=True,
            bytecode_cache=_template_cache(),
        )
        self.env.filters["md"] = self._markdown_filter
        self.env.filters["count"] = pass_context(lambda ctx, n, key: plural(ctx["labels"], n, key))
        self.env.filters["inline_md"] = lambda text: Markup(render_inline(text))
        self.env.filters["slug"] = slugify
        self.env.filters["study_hash"] = card_hash
        self.env.globals["version"] = __version__
        self.env.globals["structured_data"] = self._structured_data  # JSON-LD: partials/meta.html
        SharedParts(self.env).install()  # sidebar_domains(), shared(): rendered once per depth
        self.search = search
        self.offline = offline  # False in the preview: a service worker there would show stale pages
        self.assets = self.files.versions()
        self.markdown: MarkdownRenderer | None = None
        self.diagrams = diagrams or DiagramArt()

    @pass_context
    def _markdown_filter(self, ctx: Any, text: str, item: Any = None, section: Any = None,
                         home: str = "") -> Markup:
        """`home`: the URL of the item's own page when it is shown on another (practice)."""
        figures: PageFigures | None = ctx.get("page_figures")
        if figures is not None and diagram_sources(text):  # fenced diagrams, drawn for this page
            context = PLAIN if self.markdown is None or item is None else \
                self.markdown.context(text, item, ctx["root"], section, home)
            return Markup(render_markdown_drawing(text, figures.figure, context))
        if self.markdown is None or item is None:
            return Markup(render_markdown(text))
        return self.markdown.render(text, item, ctx["root"], section, home)

    @pass_context
    def _structured_data(self, ctx: Any, guide: Guide, spec: PageSpec) -> list[dict[str, Any]]:
        """JSON-LD for the page; answers as the page renders them (one Markdown parse, not two)."""
        markdown = self.markdown
        if markdown is None:
            return structured_data(guide, spec)
        return structured_data(guide, spec, lambda q, s: markdown.render(s.body, q, ctx["root"], s))

    def diagram_flags(self, diagrams: list[str], bodies: list[str]) -> dict[str, Any]:
        """What a page with these diagrams (and fenced ones in `bodies`) loads: ``diagrams.js``
        (and Mermaid) only for a diagram left to the browser, the small zoom script for drawn ones."""
        sources = diagrams + [s for body in bodies for s in diagram_sources(body)]
        browser = self.diagrams.needs_browser(sources)
        drawn = any(self.diagrams.get(s) for s in sources)
        return {"has_diagrams": browser, "drawn_diagrams": drawn}

    def pages(self, guide: Guide) -> list[PageSpec]:
        site = guide.site
        labels = label_set(site.language, site.theme.labels)
        specs = [PageSpec("home", "home.html", "", site.title, site.description,
                          {"has_diagrams": False, "drawn_diagrams": False, "has_code": False})]
        domains = guide.domains
        for i, domain in enumerate(domains):
            specs.append(PageSpec(
                "domain", "domain.html", domain.path, f"{domain.label} {domain.name}",
                f"{domain.name}: {', '.join(t.title for t in domain.topics)}"[:300] or domain.name,
                {"domain": domain,
                 **self.diagram_flags([domain.diagram.source] if domain.diagram else [],
                                      [t.body for t in domain.topics]),
                 "og_image": self._og_image(domain.diagram.source) if domain.diagram else None,
                 "has_code": has_code([t.body for t in domain.topics]),
                 "prev": domains[i - 1] if i else None, "next": domains[i + 1] if i + 1 < len(domains) else None},
            ))
        if guide.interview:
            bodies = [s.body for q in guide.questions for s in q.sections]
            specs.append(PageSpec("interview", "interview.html", guide.interview.path, guide.interview.title,
                                  guide.interview.intro,
                                  {**self.diagram_flags([], bodies), "has_code": has_code(bodies)}))
        for page in guide.pages:
            specs.append(PageSpec("page", "page.html", page.path, page.title,
                                  f"{page.title} — {site.title}",
                                  {"page": page, **self.diagram_flags([], [page.body]),
                                   "has_code": has_code([page.body])}))
        answers = [t.body for t in guide.topics] + [s.body for q in guide.questions for s in q.sections]
        cards = practice_cards(guide)
        specs.append(PageSpec("practice", "practice.html", "practice/", "Practice",
                              f"Spaced-repetition practice of every card in {site.title}",
                              {"cards": cards, "has_diagrams": False, "drawn_diagrams": False, "has_code": False,
                               "badges": [b for b in BADGES if any(q.badge == b for q in guide.questions)]}))
        # The cards themselves, fetched by the practice page's script (see practice-cards.html).
        specs.append(PageSpec("practice-cards", "practice-cards.html", PRACTICE_CARDS_URL, "Practice cards",
                              f"Every card of {site.title} with its answer, for practice",
                              {"cards": cards, "sidebar": False, **self.diagram_flags([], answers),
                               "has_code": has_code(answers)}))
        specs += self._edition_specs(guide, labels)
        specs.append(PageSpec("tags", "tags.html", "tags/", labels["tags_page_title"],
                              labels["tags_page_description"].replace("{title}", site.title),
                              {"has_diagrams": False, "drawn_diagrams": False, "has_code": False}))
        specs.append(PageSpec("404", "404.html", "404.html", labels["not_found_title"],
                              labels["not_found_description"], {"has_diagrams": False, "drawn_diagrams": False, "has_code": False}))
        return specs

    def _edition_specs(self, guide: Guide, labels: dict[str, Any]) -> list[PageSpec]:
        """The one-page edition (``all/``) and the interview's printable sheets: no sidebar."""
        site = guide.site
        everything = ([t.body for t in guide.topics] + [s.body for q in guide.questions for s in q.sections]
                      + [p.body for p in guide.pages])
        specs = [PageSpec("onepage", "onepage.html", ONE_PAGE_URL, labels["one_page"],
                          labels["one_page_description"].replace("{title}", site.title),
                          {"sidebar": False, "has_code": has_code(everything),
                           **self.diagram_flags([d.diagram.source for d in guide.domains if d.diagram], everything)})]
        if guide.interview:
            answers = [s.body for q in guide.questions for s in q.sections]
            for url, key, with_answers in (("worksheet/", "worksheet", False), ("answers/", "answer_sheet", True)):
                specs.append(PageSpec(
                    "worksheet", "worksheet.html", guide.interview.path + url,
                    f"{guide.interview.title}: {labels[key]}", labels["answers_lead" if with_answers else "worksheet_lead"],
                    {"sidebar": False, "answers": with_answers,
                     **self.diagram_flags([], answers if with_answers else []),
                     "has_code": with_answers and has_code(answers)}))
        return specs

    def render(self, guide: Guide) -> list[RenderedPage]:
        return list(self.iter_render(guide))

    def iter_render(self, guide: Guide, specs: Iterable[PageSpec] | None = None) -> Iterator[RenderedPage]:
        """Render `specs` (default: every page) one at a time, so the caller can write each and
        let it go: memory never holds the whole site."""
        for spec, chunks in self.iter_chunks(guide, specs):
            yield RenderedPage(spec.output_path, "".join(chunks), spec.kind)

    def iter_chunks(self, guide: Guide, specs: Iterable[PageSpec] | None = None
                    ) -> Iterator[tuple[PageSpec, Iterator[str]]]:
        """Each page as the pieces Jinja produces it in, for a writer that streams them to disk:
        a page is never one string in memory (the one-page edition of a 10,000-topic guide is
        140 MB of HTML). Consume each page's pieces before asking for the next page; a template
        error is raised from the pieces as :class:`TemplateRenderError`."""
        tags = guide.tags()
        anchors = tag_anchors(list(tags))
        base_path = urlsplit(guide.site.base_url).path if guide.site.base_url else "/"
        labels = label_set(guide.site.language, guide.site.theme.labels)
        self.markdown = MarkdownRenderer(LinkIndex(guide, guide.content_dir), markup_labels(labels))
        common = {"guide": guide, "site": guide.site, "stats": guide.stats, "tags": tags,
                  "tag_anchor": anchors, "search_enabled": self.search, "labels": labels,
                  "theme": self.files, "offline": self.offline and guide.site.offline,
                  "study_guide_id": guide_id(guide), "study_sets_json": Markup(card_sets_json(guide))}
        deck = anki_deck_path(guide.site)  # the published .apkg, or None
        for spec in self.pages(guide) if specs is None else specs:
            # 404.html is served for missing URLs at any depth: its links must be absolute.
            root = base_path if spec.kind == "404" else self._relative_root(spec.url)
            figures = self.diagrams.for_page()  # numbers this page's figures: ids unique in it
            scripts = STUDY_SCRIPTS.get(spec.kind, ())
            context = dict(common, **spec.extra, page_spec=spec, root=root, page_figures=figures,
                           diagram=lambda d, figures=figures: Markup(figures.figure(d.source, d.title)),
                           study_scripts=scripts, study_progress="js/study-progress.js" in scripts,
                           url=lambda target, root=root: root + target,
                           asset=self._asset_url(root),
                           anki_deck_url=(root + deck) if deck else None,  # "Download Anki deck"
                           canonical=(guide.site.base_url + spec.url) if guide.site.base_url else None)
            yield spec, self._guarded(spec, context)

    def _guarded(self, spec: PageSpec, context: dict[str, Any]) -> Iterator[str]:
        """The page's pieces; any failure inside a template names the template and line."""
        try:
            yield from self.env.get_template(spec.template).generate(context)
        except Exception as exc:
            name, line = self._template_position(exc, spec.template)
            message = exc.message if isinstance(exc, TemplateError) and exc.message else str(exc)
            raise TemplateRenderError(name, line, f"{type(exc).__name__}: {message}",
                                      self._template_file(name)) from exc

    def _template_position(self, exc: Exception, fallback: str) -> tuple[str, int | None]:
        """The template and line where `exc` happened.

        Syntax errors carry them; for runtime errors Jinja rewrites the traceback so that frames
        point into the template file, so the last such frame is the failing line.
        """
        if isinstance(exc, TemplateSyntaxError):
            return exc.name or fallback, exc.lineno
        found: tuple[str, int | None] = (fallback, None)
        tb = exc.__traceback__
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            for folder in self.template_dirs:
                if filename.startswith(str(folder) + "/"):
                    found = (Path(filename).relative_to(folder).as_posix(), tb.tb_lineno)
                    break
            tb = tb.tb_next
        return found

    def _og_image(self, source: str) -> str | None:
        drawn = self.diagrams.get(source)
        return drawn.image if drawn else None

    def _template_file(self, name: str) -> Path:
        """The file a template name was loaded from: the project's theme folder, or the default."""
        return next((d / name for d in self.template_dirs if (d / name).is_file()), self.templates_dir / name)

    @staticmethod
    def _relative_root(url: str) -> str:
        folder = posixpath.dirname(url)  # "a/" → "a", "a/b.html" → "a", "404.html" → ""
        depth = len([p for p in folder.split("/") if p])
        return "../" * depth

    def _asset_url(self, root: str):
        def asset(path: str) -> str:
            version = self.assets.get(path)
            return f"{root}assets/{path}" + (f"?v={version}" if version else "")

        return asset
