"""Incremental rebuilds for the live preview: re-render only the pages an edit can change.

A page is a pure function of the templates, the theme's asset versions and the part of the guide it
shows. :func:`page_key` captures that part for each kind of page; between two builds, a page whose
key is equal is not rendered again — its previous HTML object is reused, and the builder hard-links
the previous file instead of writing it (see ``write_site``).

What a page may show, by kind (the contract the default theme keeps; ``tests/test_serve.py``
checks it by comparing incremental builds with full builds after every kind of edit):

* every page: the guide's *outline* — site settings, figures, tag names, and for each domain,
  group and free page its number, slug, name, icon and size (the sidebar, search filters, 404
  list, previous/next links);
* a domain, interview or free page: all of its own content;
* home and tags pages: every topic's and question's heading data (title, subtitle, tags, badge),
  no body text;
* any other kind of page: everything (re-rendered whenever anything at all changed).

Keys compare with ``==``; unchanged content files come out of the loader's cache as the very
same objects, so most comparisons are identity checks.

Pages that show every card (the one-page edition, the practice cards, the printable sheets) change
with every body edit and are most of a rebuild's work at 1,000 topics. The preview may name their
kinds in :attr:`IncrementalBuilder.defer_kinds`: once pages are reused, such a page keeps its
previous HTML in the build and is rendered, with the same bytes a full build writes, when it is
asked for (:meth:`IncrementalBuilder.render_deferred`).

The preview reuses pages from its first rebuild on, whatever the guide's size: a full render of
the bundled guide takes ~0.1 s, a third of the 300 ms from a save to the new page on screen (issue
#13), while reusing pages renders the 2 that a body edit changes. What makes that safe is that a
rebuild's output is byte for byte a full build's (tests/test_serve.py compares them after every
kind of edit). :data:`INCREMENTAL_AFTER_S` can make a builder wait until a full render was slow.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Hashable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..content.assets import asset_files
from ..content.model import Domain, Guide, Page
from ..render.pages import PageSpec, RenderedPage
from ..render.renderer import Renderer
from .builder import SiteBuilder, write_site
from .swap import remove_work_folder

log = logging.getLogger(__name__)

INCREMENTAL_AFTER_S = 0.0  # reuse pages once a full render has taken at least this long: at once


def outline(guide: Guide) -> tuple:
    """What any page may show of the whole guide: names, numbers and sizes, no content text."""
    interview = guide.interview
    return (
        guide.site,
        tuple(sorted(guide.stats.items())),
        tuple(_domain_outline(d) for d in guide.domains),
        (interview.title, interview.intro,
         tuple((g.slug, g.name, g.icon, len(g.questions)) for g in interview.groups)) if interview else None,
        tuple((p.slug, p.title, p.label) for p in guide.pages),
        tuple(dict.fromkeys(tag for d in guide.domains for t in d.topics for tag in t.tags)),  # → anchors
    )


def headings(guide: Guide) -> tuple:
    """Every topic's and question's heading data: what overview pages (home, tags) list."""
    return (tuple(tuple((t.slug, t.title, t.subtitle, t.tags) for t in d.topics) for d in guide.domains),
            tuple((q.id, q.question, q.badge) for q in guide.questions))


def _domain_outline(domain: Domain) -> tuple:
    return (domain.number, domain.slug, domain.name, domain.icon, len(domain.topics),
            domain.diagram.title if domain.diagram else None)


def _extra_key(value: Any) -> Hashable:
    """Another page's object in a spec (previous/next domain) counts by its outline only."""
    if isinstance(value, Domain):
        return _domain_outline(value)
    if isinstance(value, Page):
        return (value.slug, value.title, value.label)
    if isinstance(value, list):
        # Element by element, not repr(): the practice pages' 1,400 cards each hold their domain,
        # so their repr was ~0.25 s of every rebuild at 1,000 topics. Compared with ==, unchanged
        # elements (the same objects from the loader's cache) cost an identity check.
        return tuple(_extra_key(v) for v in value)
    return value if isinstance(value, Hashable) else repr(value)


def page_key(spec: PageSpec, guide: Guide, heads: tuple) -> tuple:
    """What the page for `spec` shows beyond the shared part (templates, assets, outline).

    Equal keys and an equal shared part mean equal HTML. `heads` is :func:`headings` of the guide.
    """
    subject: Any
    if spec.kind == "domain":
        subject = spec.extra["domain"]
    elif spec.kind == "page":
        subject = spec.extra["page"]
    elif spec.kind == "interview":
        subject = guide.interview
    elif spec.kind in ("home", "tags"):
        subject = heads
    elif spec.kind == "404":
        subject = None  # the outline is all it shows
    else:
        subject = guide  # a kind this module does not know: depends on everything
    extras = tuple(sorted((k, _extra_key(v)) for k, v in spec.extra.items() if v is not subject))
    return (spec.kind, spec.template, spec.url, spec.title, spec.description, extras, subject)


def folder_stamp(folder: Path) -> tuple:
    """(path, mtime, size) of every file under `folder`: changes when any template changes."""
    stamp = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            st = os.stat(os.path.join(root, name))
            stamp.append((os.path.join(root, name), st.st_mtime_ns, st.st_size))
    return tuple(stamp)


class _SelectiveRenderer(Renderer):
    """A Renderer that renders only the pages whose output paths are in `only`."""

    only: frozenset[str] | None = None

    def pages(self, guide: Guide) -> list[PageSpec]:
        specs = super().pages(guide)
        return specs if self.only is None else [s for s in specs if s.output_path in self.only]


class IncrementalBuilder(SiteBuilder):
    """A :class:`SiteBuilder` that reuses the pages an edit cannot have changed.

    Everything but rendering stays the builder's own: a build still writes a complete folder,
    runs the post-steps and swaps it in atomically; unchanged pages are hard-linked, not written.
    """

    def __init__(self, *args: Any, incremental_after_s: float = INCREMENTAL_AFTER_S, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.incremental_after_s = incremental_after_s
        self.link_unchanged_assets = True
        # The replaced site is deleted on a thread of its own: at 1,000 topics its ~170 folders
        # took 25–45 ms on this kind of disk, after the new site was already in place.
        self._disposer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="studyguide-dispose")
        self.dispose_replaced = self._dispose
        self._pages: dict[str, tuple[tuple, RenderedPage]] = {}  # output path → (key, page)
        self._shared: tuple | None = None  # what every page depends on, as of the last render
        self._full_render_s = 0.0
        self.last_rendered = 0  # pages rendered by the last build (the rest were reused)
        self._written: dict[str, str] = {}  # page path → the HTML object now in out_dir
        self.defer_kinds: frozenset[str] = frozenset()  # see the module's docstring
        self.deferred: dict[str, tuple] = {}  # path of a page left stale in out_dir → its current key
        self._guide: Guide | None = None  # the guide of the last render, for render_deferred

    def _dispose(self, folder: Path) -> None:
        self._disposer.submit(remove_work_folder, folder)

    def close(self) -> None:
        """Also wait until every replaced site is deleted."""
        super().close()
        self._disposer.shutdown(wait=True)
        self._disposer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="studyguide-dispose")

    def write_pages(self, folder: Path, guide: Guide, previous: Path, *,
                    keep_markdown: bool = True) -> list[RenderedPage]:
        """Write the pages in this process; a page whose HTML is the very same object as last
        time (reused, not rendered again) is hard-linked from the `previous` build."""
        pages = self.render(guide)
        unchanged = frozenset(p.path for p in pages if self._written.get(p.path) is p.html)
        write_site(folder, pages, previous, unchanged)
        self._written = {p.path: p.html for p in pages}
        return pages

    def render(self, guide: Guide) -> list[RenderedPage]:
        start = time.perf_counter()
        theme = self.theme_for(guide)
        renderer = self._renderer(guide)
        # Content asset files too: an image's size is part of the pages that show it.
        assets = tuple((str(p), p.stat().st_mtime_ns) for p in asset_files(guide.content_dir)) \
            if guide.content_dir else ()
        shared = (tuple(folder_stamp(d) for d in theme.template_dirs), tuple(sorted(renderer.assets.items())),
                  self.search, outline(guide), assets)
        heads = headings(guide)
        specs = renderer.pages(guide)
        keys = {spec.output_path: page_key(spec, guide, heads) for spec in specs}
        # Compared once here, not in every page's key: with 1,000 domains that is 1,000× less work.
        reuse = self._full_render_s >= self.incremental_after_s and shared == self._shared
        changed = {path for path, key in keys.items()
                   if not reuse or path not in self._pages or self._pages[path][0] != key}
        deferred = {spec.output_path for spec in specs if reuse and spec.kind in self.defer_kinds
                    and spec.output_path in changed and spec.output_path in self._pages}
        renderer.only = frozenset(changed - deferred)
        fresh = {page.path: page for page in renderer.render(guide)}
        pages = [fresh.get(spec.output_path) or self._pages[spec.output_path][1] for spec in specs]
        # A deferred page keeps the key of the HTML it has, so the next build still sees it stale.
        self._pages = {page.path: (self._pages[page.path][0] if page.path in deferred else keys[page.path], page)
                       for page in pages}
        self.deferred = {path: keys[path] for path in deferred}
        self._guide = guide
        self._shared = shared
        self.last_rendered = len(fresh)
        seconds = time.perf_counter() - start
        if len(fresh) == len(specs):
            self._full_render_s = seconds
        log.debug("rendered %d of %d pages in %.3f s", len(fresh), len(specs), seconds)
        return pages

    def _renderer(self, guide: Guide) -> _SelectiveRenderer:
        return _SelectiveRenderer(self.theme_for(guide), guide.site.theme, search=self.search,
                                  offline=self.offline, diagrams=self.art)

    def render_deferred(self, path: str) -> bool:
        """Render the page at `path` if the last build left it stale, replacing its file in
        ``out_dir`` (not thread-safe: never while a build runs). True if it was rendered."""
        guide = self._guide
        if guide is None or path not in self.deferred:
            return False
        renderer = self._renderer(guide)
        renderer.only = frozenset({path})
        [page] = renderer.render(guide)
        target = self.out_dir / path
        tmp = target.with_name(f".{target.name}.new")
        tmp.write_bytes(page.html.encode("utf-8"))
        os.replace(tmp, target)  # a new file, never the old one rewritten: builds hard-link them
        self._pages[path] = (self.deferred.pop(path), page)
        self._written[path] = page.html
        log.debug("rendered the deferred page %s", path)
        return True
