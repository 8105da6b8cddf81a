"""The diagram stage of a build: every diagram of the guide, drawn from the cache or rendered.

Before pages are rendered, :class:`DiagramStage` gathers every Mermaid diagram (domain diagrams and
fenced blocks in topics, answers and pages), looks each one up in the project's cache for both site
themes, renders what is missing in one batch, and hands the renderer a
:class:`~studyguide.render.diagramart.DiagramArt`. A diagram Mermaid rejects is a content error at
its ``.mmd`` (or Markdown) file and line, all of them at once. A diagram that is not cached when no
renderer is available is left to the reader's browser (today's client-side drawing), and the build
says so once.

The stage keeps its renderer between builds (``serve``): an edited diagram is the only cache miss,
so it is the only one rendered, in the Chromium that is already running.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..content.errors import ContentError, ContentErrors
from ..content.model import DiagramSettings, Guide, Source
from ..markup.parser import diagram_sources
from ..render.diagramart import DiagramArt, DrawnDiagram
from ..render.diagramtheme import THEMES, DiagramTheme
from .diagram_cache import CACHE_DIR, DiagramCache, cache_key
from .diagram_renderers import INK_ENV, ChromiumRenderer, DiagramRenderer, InkRenderer, Job, RendererUnavailable
from .mermaid_browser import browser_available, error_line, summary

log = logging.getLogger(__name__)

#: Where the Open Graph images go in the built site.
IMAGE_DIR = "assets/diagrams"


@dataclass(frozen=True)
class Wanted:
    """One diagram of the guide and where its text is (for error messages)."""

    source: str
    origin: Source | None
    in_markdown: bool = False  # a fenced block: its line is found in the file on error


def wanted_diagrams(guide: Guide) -> list[Wanted]:
    found = [Wanted(d.diagram.source, d.diagram.origin) for d in guide.domains
             if d.diagram is not None and d.diagram.source.strip()]
    bodies = [(t.body, t.origin) for d in guide.domains for t in d.topics]
    bodies += [(s.body, q.origin) for q in guide.questions for s in q.sections]
    bodies += [(p.body, p.origin) for p in guide.pages]
    for body, origin in bodies:
        found += [Wanted(text, origin, True) for text in diagram_sources(body)]
    return found


def choose_renderer(settings: DiagramSettings, static_dir: Path, theme: DiagramTheme) -> DiagramRenderer | None:
    """The configured renderer; the default is chromium when it can run, else none (cache only)."""
    name = settings.renderer
    if name is None:
        name = "chromium" if browser_available() else None
    if name == "chromium":
        return ChromiumRenderer(static_dir, theme)
    if name == "mermaid-ink":
        server = settings.ink_server or os.environ.get(INK_ENV)
        if not server:
            raise RendererUnavailable(
                "the mermaid-ink renderer needs a server: set diagrams: ink_server: in studyguide.yml "
                f"(or {INK_ENV}); the public https://mermaid.ink receives your diagram sources")
        return InkRenderer(server, theme)
    return None  # "browser", or no renderer available


def with_diagram_errors(exc: ContentErrors, draw: Callable[[Guide], object]) -> ContentErrors:
    """The loader's errors `exc` and those of drawing the diagrams of the part that did load.

    `draw` is the stage's ``prepare`` for a guide. An author sees every broken diagram with the
    other content errors in one run instead of one kind of mistake per run; a renderer that
    cannot run is one note among them.
    """
    if exc.partial is None:
        return exc
    try:
        draw(exc.partial)
    except ContentErrors as more:
        return ContentErrors([*exc.errors, *more.errors], notes=[*exc.notes, *more.notes])
    except RendererUnavailable as unavailable:
        return ContentErrors(exc.errors, notes=[*exc.notes, str(unavailable)])
    return exc


class DiagramStage:
    """Draws a guide's diagrams for one project; keep it to reuse its renderer across builds."""

    def __init__(self, project_root: Path, settings: DiagramSettings, static_dir: Path) -> None:
        self.settings = settings
        self.static_dir = static_dir
        self.theme = DiagramTheme.load(static_dir)
        self.cache = DiagramCache(project_root / CACHE_DIR)
        self._renderer: DiagramRenderer | None = None
        self._chosen = False
        self._told_fallback = False
        self.rendered = 0  # diagrams rendered by the last prepare()
        # Drawn diagrams by their cache keys, for the next prepare() of this stage (serve keeps
        # one per session): entries are content-addressed, so a key always means the same
        # drawing, and a rebuild need not read and parse every SVG again (0.15 s at 1,000 topics).
        self._drawn: dict[tuple[str, ...], DrawnDiagram] = {}

    @property
    def client_side_only(self) -> bool:
        return self.settings.renderer == "browser"

    @property
    def renderer(self) -> DiagramRenderer | None:
        if not self._chosen:
            self._renderer = choose_renderer(self.settings, self.static_dir, self.theme)
            self._chosen = True
        return self._renderer

    def renderer_version(self) -> str:
        """The version the cache is keyed by. Without a renderer setting it is chromium's (the one
        that ships caches), so a machine with no browser still finds committed entries — and
        finding them needs neither the renderer nor Playwright's import."""
        if self.settings.renderer == "mermaid-ink":
            return InkRenderer.VERSION
        return ChromiumRenderer.version_for(self.static_dir)

    def keys(self, source: str, version: str | None = None) -> dict[str, str]:
        version = version or self.renderer_version()
        return {theme: cache_key(source, theme, self.theme.digest, version) for theme in THEMES}

    def prepare(self, guide: Guide, *, render_missing: bool = True) -> DiagramArt:
        """Every diagram of `guide` drawn (or left to the browser). Raises ContentErrors."""
        self.rendered = 0
        if self.client_side_only:
            return DiagramArt({})
        wanted = wanted_diagrams(guide)
        sources = list(dict.fromkeys(w.source.strip() for w in wanted))
        version = self.renderer_version()
        keys = {source: self.keys(source, version) for source in sources}
        svgs: dict[tuple[str, str], str] = {}
        missing: list[tuple[str, str, str]] = []  # (source, theme, key)
        for source in sources:
            if tuple(keys[source].values()) in self._drawn:
                continue
            for theme, key in keys[source].items():
                svg = self.cache.svg(key)
                if svg is None:
                    missing.append((source, theme, key))
                else:
                    svgs[(source, theme)] = svg
        if missing and render_missing:
            self._render(missing, wanted, svgs)
        drawn = {}
        left = set()
        for source in sources:
            memo = tuple(keys[source].values())
            if memo in self._drawn:
                drawn[source] = self._drawn[memo]
            elif all((source, theme) in svgs for theme in THEMES):
                dark_key = keys[source]["dark"]
                image = f"{IMAGE_DIR}/{dark_key}.png" if self.cache.png_path(dark_key) else None
                drawn[source] = self._drawn[memo] = DrawnDiagram.from_svgs(
                    {t: svgs[(source, t)] for t in THEMES}, image)
            else:
                left.add(source)
        if left and not self._told_fallback:
            self._told_fallback = True
            log.warning("%d diagram%s not in the cache (%s) and no renderer is available (Chromium not found): "
                        "drawn in the reader's browser instead. Run `studyguide diagrams` where Chromium is "
                        "installed and commit %s", len(left), "s are" if len(left) > 1 else " is",
                        self.cache.folder, CACHE_DIR)
        return DiagramArt(drawn)

    def _render(self, missing: list[tuple[str, str, str]], wanted: list[Wanted],
                svgs: dict[tuple[str, str], str]) -> None:
        renderer = self.renderer
        if renderer is None:
            return
        count = len({source for source, _, _ in missing})
        self.rendered = count
        log.info("rendering %d diagram%s with %s", count, "s" if count != 1 else "", renderer.name)
        results = renderer.render([Job(source, theme) for source, theme, _ in missing])
        errors: list[ContentError] = []
        failed: set[str] = set()
        for (source, theme, key), result in zip(missing, results, strict=True):
            if result.svg is not None:
                self.cache.put(key, result.svg, result.png if theme == "dark" else None)
                svgs[(source, theme)] = result.svg
            elif source not in failed:  # one error per diagram, not one per theme
                failed.add(source)
                errors += [self._error(w, result.error or "unknown error") for w in wanted
                           if w.source.strip() == source]
        if errors:
            raise ContentErrors(errors)

    def _error(self, wanted: Wanted, message: str) -> ContentError:
        path = wanted.origin.path if wanted.origin else Path("<diagram>")
        line = error_line(message, wanted.source)
        if wanted.in_markdown:
            line += _fence_line(path, wanted.source) - 1
        elif wanted.origin:
            line += wanted.origin.line - 1
        return ContentError(path, max(1, line), f"Mermaid diagram does not render: {summary(message)}")

    def image_files(self, art: DiagramArt) -> dict[str, Path]:
        """Site path → cached file of every Open Graph image the pages use."""
        files = {}
        for drawn in art.drawn.values():
            if drawn.image:
                found = self.cache.png_path(Path(drawn.image).stem)
                if found:
                    files[drawn.image] = found
        return files

    def close(self) -> None:
        if self._renderer is not None:
            self._renderer.close()


def _fence_line(path: Path, source: str) -> int:
    """The file line where a fenced diagram's text starts (1 when it cannot be found)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return 1
    first = source.strip("\n").split("\n", 1)[0].strip()
    for i, line in enumerate(lines[:-1]):
        if line.lstrip().startswith(("```mermaid", "~~~mermaid")) and lines[i + 1].strip() == first:
            return i + 2
    return 1
