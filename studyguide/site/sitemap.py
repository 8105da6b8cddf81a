"""Files beside the pages for crawlers and hosts: sitemap.xml, robots.txt, CNAME.

Everything here except :func:`content_dates` and :func:`write_extra_files` is a pure function of
the guide and the rendered pages, so it is tested without a build. (JSON-LD and page metadata live
in :mod:`studyguide.render.seo`.)

``lastmod`` dates come from the last *git commit* that touched a page's content files, not from
file modification times: a fresh clone (every CI run) stamps all files with the clone time, so
mtimes would tell crawlers that every page changed on every deploy. Files git cannot date — not in
a repository, untracked, or edited since their last commit — fall back to their mtime, which is
then the truth. All files are dated with one ``git log`` call (plus one ``git status`` for edits),
however many there are.
"""

from __future__ import annotations

import logging
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from ..content.model import Guide, Site
from ..render.pages import PageInfo
from ..render.seo import page_url

log = logging.getLogger(__name__)

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# Pages that must not be indexed or listed (GitHub Pages serves 404.html for every missing URL).
UNLISTED_KINDS = frozenset({"404", "practice-cards"})  # practice-cards: copies of every card
_told_no_base_url = False


# --- lastmod -----------------------------------------------------------------------------------


def page_sources(guide: Guide, page: PageInfo) -> tuple[Path, ...]:
    """The content files a page is made from, for its ``lastmod``.

    A domain page is its folder (metadata, diagram, topics); a free page is its file; the
    interview page is the interview folder. Pages that summarise everything (home, tags, or any
    page kind added later) depend on every source.
    """
    url = page_url(page.path)
    for domain in guide.domains:
        if domain.path == url and domain.origin:
            folder = domain.origin.path.parent
            return tuple(p for p in guide.sources if p.is_relative_to(folder))
    for free_page in guide.pages:
        if free_page.path == url and free_page.origin:
            return (free_page.origin.path,)
    if guide.interview and guide.interview.path == url:
        groups = [g.origin.path.parent.parent for g in guide.groups if g.origin]
        if groups:
            return tuple(p for p in guide.sources if p.is_relative_to(groups[0]))
    return guide.sources


def _git(args: list[str], cwd: Path) -> str | None:
    """Run git; None when git is missing or fails (e.g. not a repository)."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        log.debug("git %s failed: %s", args[0], exc)
        return None
    if done.returncode != 0:
        log.debug("git %s: %s", args[0], done.stderr.decode(errors="replace").strip())
        return None
    return done.stdout.decode("utf-8", errors="surrogateescape")


def _commit_dates(paths: list[Path], cwd: Path) -> dict[Path, datetime]:
    """Last commit date of each path that is committed and unchanged since (one ``git log``)."""
    top_out = _git(["rev-parse", "--show-toplevel"], cwd)
    if top_out is None:
        return {}
    top = Path(top_out.strip()).resolve()
    inside = [p for p in paths if p.is_relative_to(top)]
    if not inside:
        return {}
    rel = [p.relative_to(top).as_posix() for p in inside]
    # -z: exact names whatever characters they hold. The \x01 marks a commit's date.
    status = _git(["status", "--porcelain=v1", "-z", "--untracked-files=no", "--", *rel], top)
    edited = {entry[3:] for entry in (status or "").split("\0") if len(entry) > 3}
    out = _git(["log", "--format=%x01%cI", "--name-only", "-z", "--", *rel], top)
    dates: dict[Path, datetime] = {}
    current: datetime | None = None
    for token in (out or "").split("\0"):
        token = token.lstrip("\n")
        if token.startswith("\x01"):
            current = datetime.fromisoformat(token[1:])
        elif token and current and token not in edited:
            dates.setdefault(top / token, current)  # newest commit first: keep the first seen
    return dates


def content_dates(paths: Iterable[Path], cwd: Path) -> dict[Path, datetime]:
    """When each file last changed: its last commit date, else its mtime (see the module doc)."""
    resolved = sorted({Path(p).resolve() for p in paths})
    dates = _commit_dates(resolved, cwd)
    for path in resolved:
        if path not in dates:
            try:
                dates[path] = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            except OSError:
                continue
    return dates


class ContentDates:
    """:func:`content_dates` for one build, each file looked up once: the sitemap and the Anki deck
    date the same content files, and each lookup is three git processes."""

    def __init__(self, project_root: Path) -> None:
        self.project_root = project_root
        self._known: dict[Path, datetime] = {}
        self._asked: set[Path] = set()
        self._real: dict[Path, Path] = {}  # resolve() is a system call per path component: once each

    def of(self, paths: Iterable[Path]) -> dict[Path, datetime]:
        """Each of `paths` (keyed as given) that has a date."""
        given = set(paths)
        for path in given - self._real.keys():
            self._real[path] = Path(path).resolve()
        resolved = {self._real[p] for p in given}
        if missing := resolved - self._asked:
            self._known.update(content_dates(missing, self.project_root))
            self._asked |= missing
        return {p: self._known[self._real[p]] for p in given if self._real[p] in self._known}


def page_lastmod(guide: Guide, page: PageInfo, dates: dict[Path, datetime]) -> datetime | None:
    """`dates`: from :meth:`ContentDates.of` for the guide's sources."""
    known = [dates[p] for p in page_sources(guide, page) if p in dates]
    return max(known) if known else None


# --- sitemap.xml, robots.txt, CNAME --------------------------------------------------------------


def listed_pages(pages: Sequence[PageInfo]) -> list[PageInfo]:
    """The pages a sitemap lists: every HTML page except the unlisted kinds (404)."""
    return [p for p in pages if p.kind not in UNLISTED_KINDS and p.path.endswith(".html")]


def sitemap_xml(guide: Guide, pages: Sequence[PageInfo], dates: dict[Path, datetime]) -> str:
    """A sitemap (sitemaps.org 0.9) of every listed page with its ``lastmod``. Needs ``base_url``."""
    if not guide.site.base_url:
        raise ValueError("a sitemap needs absolute URLs: set base_url")
    urlset = ET.Element("urlset", xmlns=SITEMAP_NS)
    for page in listed_pages(pages):
        entry = ET.SubElement(urlset, "url")
        ET.SubElement(entry, "loc").text = guide.site.base_url + page_url(page.path)
        lastmod = page_lastmod(guide, page, dates)
        if lastmod:
            ET.SubElement(entry, "lastmod").text = lastmod.isoformat(timespec="seconds")
    ET.indent(urlset)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(urlset, encoding="unicode") + "\n"


def robots_txt(site: Site) -> str:
    """Allow everything; point at the sitemap when the site's address is known.

    Crawlers read robots.txt only at a host's root, so on a project site (``user.github.io/repo/``)
    this file is inert; it matters for user sites and custom domains.
    """
    lines = ["User-agent: *", "Disallow:"]
    if site.base_url:
        lines.append(f"Sitemap: {site.base_url}sitemap.xml")
    return "\n".join(lines) + "\n"


def extra_files(guide: Guide, pages: Sequence[PageInfo], dates: dict[Path, datetime]) -> dict[str, str]:
    """Files written beside the pages: name → text."""
    files = {"robots.txt": robots_txt(guide.site)}
    if guide.site.base_url:
        files["sitemap.xml"] = sitemap_xml(guide, pages, dates)
    if guide.site.cname:
        files["CNAME"] = guide.site.cname + "\n"  # GitHub Pages reads the custom domain from it
    return files


def write_extra_files(folder: Path, guide: Guide, pages: Sequence[PageInfo], dates: ContentDates) -> None:
    """Write :func:`extra_files` into the build folder (dates are looked up only for a sitemap)."""
    global _told_no_base_url
    known: dict[Path, datetime] = {}
    if guide.site.base_url:
        known = dates.of(guide.sources)
    elif not _told_no_base_url:  # once per process: `serve` rebuilds on every save
        _told_no_base_url = True
        log.info("no base_url in the config: skipping sitemap.xml, canonical and Open Graph URLs")
    for name, text in extra_files(guide, pages, known).items():
        (folder / name).write_text(text, encoding="utf-8")


