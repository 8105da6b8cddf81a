"""The site builder: gather everything, then write it into a temporary folder and swap it in.

A build has three stages — load (content model), render (every page as text), write (pages and
assets into a fresh temporary folder beside the output, then optional post-steps such as search
indexing) — and only a build that got through all of them replaces the previous site. A failure at
any stage removes the temporary folder and leaves the old site byte-for-byte as it was.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..content.config import CONFIG_NAME
from ..content.loader import Loader
from ..content.model import Guide
from ..render.pages import RenderedPage
from ..render.renderer import Renderer
from ..render.theme import Theme, default_theme
from .sitemap import write_extra_files

log = logging.getLogger(__name__)

# A post-step runs on the finished temporary folder before the swap (e.g. search indexing).
PostStep = Callable[[Path, Guide], None]


class OutputDirError(Exception):
    """The output folder would overwrite sources (content, theme or the project itself)."""


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
    out = out_dir.resolve()
    for source in [project_root, *protected]:
        source = source.resolve()
        inside_source = source != project_root.resolve() and out.is_relative_to(source)
        if out == source or source.is_relative_to(out) or inside_source:
            what = "is inside" if inside_source else "would overwrite"
            raise OutputDirError(f"refusing to build into '{out_dir}': it {what} '{source}'. "
                                 f"Choose an output folder of its own, e.g. --out site")
    if out.exists() and not out.is_dir():
        raise OutputDirError(f"refusing to build into '{out_dir}': it is a file, not a folder")
    # The swap replaces the whole folder: only ever replace an earlier build (every build writes
    # .nojekyll) or an empty folder, never a folder of someone's files given by mistake.
    if out.is_dir() and any(out.iterdir()) and not (out / ".nojekyll").exists():
        raise OutputDirError(f"refusing to build into '{out_dir}': it is not empty and holds no earlier "
                             f"studyguide build, so replacing it could lose files. Remove it or choose "
                             f"another --out")


def write_site(folder: Path, pages: list[RenderedPage], static_dir: Path,
               previous: Path | None = None, unchanged: frozenset[str] = frozenset()) -> None:
    """Write rendered pages and the theme's assets into `folder` (which must be empty).

    Pages whose paths are in `unchanged` are hard-linked from the `previous` build instead of
    written again (``serve`` rebuilds a 10,000-topic guide by writing only the pages an edit
    changed). Post-steps may add files but must not modify pages in place.
    """
    for page in pages:
        target = folder / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if previous is not None and page.path in unchanged:
            try:
                os.link(previous / page.path, target)
                continue
            except OSError:
                pass  # gone, or another file system: write it
        target.write_text(page.html, encoding="utf-8")
    shutil.copytree(static_dir, folder / "assets", dirs_exist_ok=True)
    (folder / ".nojekyll").write_text("")  # GitHub Pages: serve files as they are


def swap_in(new: Path, out_dir: Path) -> None:
    """Replace `out_dir` with `new` by renames on the same file system (no half-written state)."""
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-old-", dir=out_dir.parent))
        os.rename(out_dir, old / out_dir.name)
        try:
            os.rename(new, out_dir)
        except BaseException:
            os.rename(old / out_dir.name, out_dir)  # put the previous site back before failing
            old.rmdir()
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(new, out_dir)


class SiteBuilder:
    """Builds one project's site. Keep one around (as ``serve`` does) to reuse parse caches."""

    def __init__(self, config_path: Path, out_dir: Path | None = None, *, theme: Theme | None = None,
                 search: bool = True, post_steps: list[PostStep] | None = None) -> None:
        self.config_path = Path(config_path)
        if self.config_path.is_dir():
            self.config_path = self.config_path / CONFIG_NAME
        self.project_root = self.config_path.resolve().parent
        self.out_dir = Path(out_dir) if out_dir else self.project_root / "site"
        self.theme = theme or default_theme()
        self.search = search
        self.post_steps = list(post_steps or [])
        self.loader = Loader()
        self._written: dict[str, str] = {}  # page path → the HTML object now in out_dir

    def load(self) -> Guide:
        return self.loader.load(self.config_path)

    def render(self, guide: Guide) -> list[RenderedPage]:
        # A new renderer per build: templates and assets may have changed since the last one.
        return Renderer(self.theme.templates, self.theme.static, search=self.search).render(guide)

    def build(self) -> BuildResult:
        """Load, render, write to a temporary folder, run post-steps, swap. Raises on any failure."""
        start = time.perf_counter()
        guide = self.load()
        check_out_dir(self.out_dir, self.project_root,
                      [self.theme.templates, self.theme.static, self.config_path.parent / "content"])
        pages = self.render(guide)
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{self.out_dir.name}-new-", dir=self.out_dir.parent))
        try:
            # The very same HTML object as last time (a renderer that reuses pages) is the same file.
            unchanged = frozenset(p.path for p in pages if self._written.get(p.path) is p.html)
            write_site(tmp, pages, self.theme.static, self.out_dir, unchanged)
            write_extra_files(tmp, guide, pages, self.project_root)  # sitemap, robots.txt, CNAME
            for step in self.post_steps:
                step(tmp, guide)
            swap_in(tmp, self.out_dir)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self._written = {p.path: p.html for p in pages}
        seconds = time.perf_counter() - start
        log.debug("built %d pages into %s in %.3f s", len(pages), self.out_dir, seconds)
        return BuildResult(guide, self.out_dir, len(pages), seconds)
