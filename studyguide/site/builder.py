"""The site builder: gather everything, then write it into a temporary folder and swap it in.

A build has four stages — load (content model), diagrams (drawn from the project's diagram cache,
rendering what is missing: :mod:`.diagrams`), render (every page as text), write (pages and
assets into a fresh temporary folder beside the output, then optional post-steps such as search
indexing) — and only a build that got through all of them replaces the previous site. A failure at
any stage removes the temporary folder and leaves the old site byte-for-byte as it was.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..content.assets import asset_files, site_path
from ..content.config import CONFIG_NAME
from ..content.errors import ContentErrors
from ..content.loader import Loader
from ..content.model import Guide
from ..content.sources import real_path
from ..render.diagramart import DiagramArt
from ..render.pages import PageInfo, RenderedPage
from ..render.renderer import Renderer
from ..render.theme import Theme, default_theme
from ..render.themefiles import ThemeFiles, copy_or_link, theme_files
from .background import BackgroundStep, start_content_steps
from .diagrams import DiagramStage, wanted_diagrams, with_diagram_errors
from .offline import mark_source, write_offline_files
from .parallel import page_writer, render_pages
from .sitemap import ContentDates, write_extra_files
from .swap import disk_nearly_full, make_work_folder, remove_leftovers, remove_work_folder, swap_in

log = logging.getLogger(__name__)

# A post-step runs on the finished temporary folder before the swap. One that reads only the
# content model (a background.ContentStep: search indexing) may run while the pages render.
PostStep = Callable[[Path, Guide], None]


class OutputDirError(Exception):
    """The output folder would overwrite sources (content, theme or the project itself)."""


class DiskFullError(OSError):
    """The file system filled up while the new site was written (the old one is untouched)."""

    def __str__(self) -> str:
        return str(self.strerror)


@dataclass(frozen=True)
class BuildResult:
    guide: Guide
    out_dir: Path
    pages: int
    seconds: float

    def summary(self) -> str:
        stats = self.guide.stats
        return (f"Built {self.pages} pages ({stats['domains']} domains, {stats['topics']} topics, "
                f"{stats['questions']} questions) in {self.seconds:.2f} s → {self.out_dir}")


def check_out_dir(out_dir: Path, project_root: Path, protected: list[Path]) -> None:
    """Refuse an output folder that equals or contains the project or any source folder, lies
    inside a source folder (a site in static/ would be copied into the next build's assets, one in
    content/ breaks the next load), or is an existing file (the swap would delete it)."""
    out = real_path(out_dir)
    for source in [project_root, *protected]:
        source = real_path(source)
        inside_source = source != real_path(project_root) and out.is_relative_to(source)
        if out == source or source.is_relative_to(out) or inside_source:
            what = "is inside" if inside_source else "would overwrite"
            raise OutputDirError(f"refusing to build into '{out_dir}': it {what} '{source}'. "
                                 f"Choose an output folder of its own, e.g. --out site")
    if out_dir.is_symlink() and not out.parent.is_dir():
        raise OutputDirError(f"refusing to build into '{out_dir}': it is a symbolic link to '{out}', "
                             f"and there is no folder '{out.parent}' to build it in")
    try:
        out.stat()
    except FileNotFoundError:
        pass
    except OSError as exc:  # a link loop, a folder we may not look into
        raise OutputDirError(f"refusing to build into '{out_dir}': {exc.strerror or exc}") from None
    if out.exists() and not out.is_dir():
        raise OutputDirError(f"refusing to build into '{out_dir}': it is a file, not a folder")
    # The swap replaces the whole folder: only ever replace an earlier build (every build writes
    # .nojekyll) or an empty folder, never a folder of someone's files given by mistake.
    if out.is_dir() and any(out.iterdir()) and not (out / ".nojekyll").exists():
        raise OutputDirError(f"refusing to build into '{out_dir}': it is not empty and holds no earlier "
                             f"studyguide build, so replacing it could lose files. Remove it or choose "
                             f"another --out")


def write_site(folder: Path, pages: Iterable[RenderedPage], previous: Path | None = None,
               unchanged: frozenset[str] = frozenset()) -> None:
    """Write rendered pages into `folder`.

    Pages whose paths are in `unchanged` are hard-linked from the `previous` build instead of
    written again (``serve`` rebuilds a 10,000-topic guide by writing only the pages an edit
    changed). Post-steps may add files but must not modify pages in place.
    """
    write = page_writer(folder)
    for page in pages:
        if previous is not None and page.path in unchanged:
            target = folder / page.path
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(previous / page.path, target)
                continue
            except OSError:
                pass  # gone, or another file system: write it
        write(page.path, (page.html,))


def page_digests(pages: Iterable[PageInfo]) -> dict[str, str]:
    """The SHA-256 of each page its writer measured (pages written another way have none)."""
    return {page.path: digest for page in pages if (digest := getattr(page, "digest", ""))}


def write_assets(folder: Path, files: ThemeFiles, guide: Guide, previous: Path | None = None) -> None:
    """The theme's assets, the content's asset files and the GitHub Pages marker; what is the
    same in `previous` (the site being replaced) is hard-linked from it."""
    files.write(folder / "assets", previous / "assets" if previous else None)
    if guide.content_dir is not None:  # images and files from content's assets/ folders
        for source in asset_files(guide.content_dir):
            rel = site_path(source, guide.content_dir)
            target = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            # The first failure stops the build (disk full: one message).
            copy_or_link(source, target, previous / rel if previous else None)
    (folder / ".nojekyll").write_text("")  # GitHub Pages: serve files as they are


class SiteBuilder:
    """Builds one project's site. Keep one around (as ``serve`` does) to reuse parse caches."""

    def __init__(self, config_path: Path, out_dir: Path | None = None, *, theme: Theme | None = None,
                 search: bool = True, offline: bool = True, post_steps: list[PostStep] | None = None) -> None:
        self.config_path = Path(config_path)
        if os.path.isdir(self.config_path):  # never raises (a 300-character name is just not a folder)
            self.config_path = self.config_path / CONFIG_NAME
        self.project_root = real_path(self.config_path).parent
        self.out_dir = Path(out_dir) if out_dir else self.project_root / "site"
        self.theme = theme or default_theme()
        self.search = search
        self.offline = offline  # the preview turns it off; the config's `offline` can too
        self.post_steps = list(post_steps or [])
        # The preview writes the Anki deck when it is downloaded (write_deck), not on every save:
        # it was 60 % of a one-edit rebuild of the bundled guide.
        self.deck_on_demand = False
        # Whether assets that did not change are hard-linked from the site being replaced rather
        # than copied: the preview's rebuilds do (a third of a bundled-guide rebuild was copying the
        # theme); `studyguide build` writes every file anew.
        self.link_unchanged_assets = False
        # What becomes of the site a build replaces (a work folder after the swap): deleted before
        # build() returns; the preview deletes it on a thread, once the new site is served.
        self.dispose_replaced: Callable[[Path], None] = remove_work_folder
        self.loader = Loader()
        self._stage: DiagramStage | None = None
        self.art = DiagramArt()  # this build's diagrams (renderer() passes them on)

    def load(self) -> Guide:
        return self.loader.load(self.config_path)

    def theme_for(self, guide: Guide) -> Theme:
        """The theme with the guide's own folder (``theme: dir``) in front of it."""
        return self.theme.with_overrides(guide.site.theme.folder)

    def renderer(self, guide: Guide) -> Renderer:
        # A new renderer per build: templates and assets may have changed since the last one.
        return Renderer(self.theme_for(guide), guide.site.theme, search=self.search, offline=self.offline,
                        diagrams=self.art)

    def render(self, guide: Guide) -> list[RenderedPage]:
        """Every page as text, all at once (for tools and tests; a build streams them instead)."""
        return self.renderer(guide).render(guide)

    def write_pages(self, folder: Path, guide: Guide, previous: Path, *,
                    keep_markdown: bool = True) -> Sequence[PageInfo]:
        """Render every page into `folder`, each written as soon as it is rendered, on every core
        when the guide is big (see :mod:`.parallel`). `previous` is the site being replaced;
        `keep_markdown`: a post-step in this process will read the rendered Markdown again."""
        return render_pages(self.renderer(guide), guide, page_writer(folder), keep_markdown=keep_markdown)

    def diagram_stage(self, guide: Guide) -> DiagramStage:
        """The diagram stage for the guide's settings, kept across builds (its renderer too)."""
        if self._stage is None or self._stage.settings != guide.site.diagrams:
            self.close()
            self._stage = DiagramStage(self.project_root, guide.site.diagrams, self.theme.static)
        return self._stage

    def write_deck(self, folder: Path, guide: Guide, dates: ContentDates | None = None) -> None:
        """Write the Anki deck where the site links it (the config asks for one)."""
        from .anki import publish_deck  # genanki loads only for guides that publish a deck

        publish_deck(folder, guide, dates or ContentDates(self.project_root), self.art.svg_for)  # diagrams as images

    def close(self) -> None:
        """Stop what the builder keeps running between builds (the diagram renderer's browser)."""
        if self._stage is not None:
            self._stage.close()
            self._stage = None

    def build(self) -> BuildResult:
        """Load, render, write to a temporary folder, run post-steps, swap. Raises on any failure."""
        start = time.perf_counter()
        try:
            guide = self.load()
        except ContentErrors as exc:  # broken diagrams of what did load are reported with them
            raise with_diagram_errors(exc, lambda part: self.diagram_stage(part).prepare(part)) from None
        check_out_dir(self.out_dir, self.project_root,
                      [*self.theme_for(guide).folders, guide.content_dir or self.config_path.parent / "content"])
        # A symbolic link (``site`` → a web root) stays: its target is what gets replaced,
        # atomically, by a work folder made beside the target.
        stage = self.diagram_stage(guide)
        self.art = stage.prepare(guide)  # drawn from the cache, rendering only what is missing
        target = real_path(self.out_dir) if self.out_dir.is_symlink() else self.out_dir
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(target)
        tmp = make_work_folder(target)
        background: dict[int, BackgroundStep] = {}
        try:
            background = start_content_steps(self.post_steps, tmp, guide)
            pages = self.write_pages(tmp, guide, target, keep_markdown=len(background) < len(self.post_steps))
            assets = theme_files(self.theme_for(guide), guide.site.theme)
            write_assets(tmp, assets, guide, target if self.link_unchanged_assets else None)
            for path, source in stage.image_files(self.art).items():  # link-preview PNGs from the cache
                (tmp / path).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, tmp / path)
            dates = ContentDates(self.project_root)  # git dates, looked up once for sitemap and deck
            write_extra_files(tmp, guide, pages, dates)  # sitemap, robots.txt, CNAME
            if guide.site.anki_deck and not self.deck_on_demand:
                self.write_deck(tmp, guide, dates)
            for i, step in enumerate(self.post_steps):
                if i in background:
                    background.pop(i).finish()
                else:
                    step(tmp, guide)
            if self.offline and guide.site.offline:  # last: it hashes the finished site
                browser = self.art.needs_browser([w.source for w in wanted_diagrams(guide)])
                write_offline_files(tmp, guide, mark_source(assets), page_digests(pages), browser_diagrams=browser)
            swap_in(tmp, target, self.dispose_replaced)
        except BaseException as exc:
            for running in background.values():  # before their folder goes
                running.cancel()
            full = isinstance(exc, OSError) and (exc.errno == errno.ENOSPC or disk_nearly_full(tmp))
            remove_work_folder(tmp)  # frees the space: measure before
            if full and not isinstance(exc, DiskFullError):
                assert isinstance(exc, OSError)
                detail = "" if exc.errno == errno.ENOSPC else f" ({exc})"
                raise DiskFullError(errno.ENOSPC, f"no space left on device while writing the new site{detail}; "
                                                  f"the previous site in '{self.out_dir}' is intact. Free some "
                                                  f"space and build again") from exc
            raise
        seconds = time.perf_counter() - start
        log.debug("built %d pages into %s in %.3f s", len(pages), self.out_dir, seconds)
        return BuildResult(guide, self.out_dir, len(pages), seconds)
