"""What search engines and link previews read: sitemap.xml, robots.txt, CNAME and JSON-LD.

Everything here except :func:`content_dates` and :func:`write_extra_files` is a pure function of
the guide and the rendered pages, so it is tested without a build. Absolute URLs exist only where a
consumer needs them (sitemap, canonical, Open Graph, breadcrumbs) and only when ``base_url`` is
known; internal links stay relative.

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
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from .markup import DIAGRAM_MARKER, render_markdown
from .model import Guide, Question, Site

if TYPE_CHECKING:  # render.py imports this module for its template globals
    from .render import PageSpec, RenderedPage

log = logging.getLogger(__name__)

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
SCHEMA_ORG = "https://schema.org"
# Pages that must not be indexed or listed (GitHub Pages serves 404.html for every missing URL).
UNLISTED_KINDS = frozenset({"404"})
_told_no_base_url = False


# --- URLs --------------------------------------------------------------------------------------


def page_url(output_path: str) -> str:
    """Site-relative URL of an output file: ``a/index.html`` → ``a/``, ``index.html`` → ``""``."""
    if output_path == "index.html":
        return ""
    if output_path.endswith("/index.html"):
        return output_path[: -len("index.html")]
    return output_path


def absolute_url(site: Site, url: str) -> str | None:
    """``base_url`` + a site-relative URL, or None when the site's address is unknown."""
    return site.base_url + url if site.base_url else None


# --- lastmod -----------------------------------------------------------------------------------


def page_sources(guide: Guide, page: RenderedPage) -> tuple[Path, ...]:
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
                dates[path] = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
            except OSError:
                continue
    return dates


def page_lastmod(guide: Guide, page: RenderedPage, dates: dict[Path, datetime]) -> datetime | None:
    known = [dates[p.resolve()] for p in page_sources(guide, page) if p.resolve() in dates]
    return max(known) if known else None


# --- sitemap.xml, robots.txt, CNAME --------------------------------------------------------------


def listed_pages(pages: list[RenderedPage]) -> list[RenderedPage]:
    """The pages a sitemap lists: every HTML page except the unlisted kinds (404)."""
    return [p for p in pages if p.kind not in UNLISTED_KINDS and p.path.endswith(".html")]


def sitemap_xml(guide: Guide, pages: list[RenderedPage], dates: dict[Path, datetime]) -> str:
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


def extra_files(guide: Guide, pages: list[RenderedPage], dates: dict[Path, datetime]) -> dict[str, str]:
    """Files written beside the pages: name → text."""
    files = {"robots.txt": robots_txt(guide.site)}
    if guide.site.base_url:
        files["sitemap.xml"] = sitemap_xml(guide, pages, dates)
    if guide.site.cname:
        files["CNAME"] = guide.site.cname + "\n"  # GitHub Pages reads the custom domain from it
    return files


def write_extra_files(folder: Path, guide: Guide, pages: list[RenderedPage], project_root: Path) -> None:
    """Write :func:`extra_files` into the build folder (dates are looked up only for a sitemap)."""
    global _told_no_base_url
    dates: dict[Path, datetime] = {}
    if guide.site.base_url:
        dates = content_dates(guide.sources, project_root)
    elif not _told_no_base_url:  # once per process: `serve` rebuilds on every save
        _told_no_base_url = True
        log.info("no base_url in the config: skipping sitemap.xml, canonical and Open Graph URLs")
    for name, text in extra_files(guide, pages, dates).items():
        (folder / name).write_text(text, encoding="utf-8")


# --- JSON-LD -----------------------------------------------------------------------------------


class _TextExtractor(HTMLParser):
    """Visible text of rendered Markdown, without diagram sources, one line per block."""

    BLOCKS = frozenset({"p", "li", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "br"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0  # inside a diagram's <pre>: Mermaid source is not answer text
        self.in_pre = False  # code blocks keep their line breaks; elsewhere a newline is a space

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip_depth:
            self.skip_depth += tag != "br"
        elif tag == "pre" and any(name == DIAGRAM_MARKER for name, _ in attrs):
            self.skip_depth = 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
            self.in_pre = self.in_pre or tag == "pre"
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if self.skip_depth:
            self.skip_depth -= 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
            self.in_pre = self.in_pre and tag != "pre"

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.parts.append(data if self.in_pre else data.replace("\n", " "))

    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self.parts).splitlines())
        return "\n".join(line for line in lines if line)


def markdown_text(markdown: str) -> str:
    """Plain text of a Markdown body as a reader sees it (diagrams left out)."""
    extractor = _TextExtractor()
    extractor.feed(render_markdown(markdown))
    extractor.close()
    return extractor.text()


def answer_text(question: Question) -> str:
    """A question's whole answer as plain text: each section's heading, then its text."""
    return "\n\n".join(f"{s.heading}\n{markdown_text(s.body)}".strip() for s in question.sections)


def faq_page(guide: Guide) -> dict[str, Any]:
    """schema.org FAQPage: every interview question with its answer text."""
    return {
        "@context": SCHEMA_ORG,
        "@type": "FAQPage",
        "name": guide.interview.title if guide.interview else guide.site.title,
        "mainEntity": [
            {"@type": "Question", "name": q.question,
             "acceptedAnswer": {"@type": "Answer", "text": answer_text(q)}}
            for q in guide.questions
        ],
    }


def breadcrumb_list(site: Site, trail: list[tuple[str, str]]) -> dict[str, Any] | None:
    """schema.org BreadcrumbList from (name, site-relative URL) pairs; needs ``base_url``."""
    if not site.base_url:
        return None  # items must be absolute URLs; a trail without them helps no one
    return {
        "@context": SCHEMA_ORG,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": site.base_url + url}
            for n, (name, url) in enumerate(trail, start=1)
        ],
    }


def structured_data(guide: Guide, spec: PageSpec) -> list[dict[str, Any]]:
    """The JSON-LD objects for one page (a template global: ``partials/meta.html`` prints them)."""
    site = guide.site
    if spec.kind == "home":
        website: dict[str, Any] = {"@context": SCHEMA_ORG, "@type": "WebSite", "name": site.title,
                                   "description": site.description, "inLanguage": site.language}
        if site.base_url:
            website["url"] = site.base_url
        return [website]
    if spec.kind == "interview" and guide.questions:
        return [faq_page(guide)]
    if spec.kind == "domain":
        domain = spec.extra["domain"]
        crumbs = breadcrumb_list(site, [(site.title, ""), (f"{domain.label} {domain.name}", domain.path)])
        return [crumbs] if crumbs else []
    return []
