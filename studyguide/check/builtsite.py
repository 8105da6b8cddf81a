"""Checks on a built site: links, anchors, ids, images, titles, CSP hygiene — and the tool checks.

:func:`check_site` is the one entry point (``studyguide check`` and ``deploy`` call it). It reads
every page of a built site once with :mod:`html.parser` and verifies:

* every internal link and ``#anchor`` (``a``, ``link``, ``script``, ``img``, ... and CSS ``url()``)
  resolves to a file in the site and, for a fragment, to an ``id`` on the target page;
* no page repeats an ``id``; every ``<img>`` has alt text; every page has a ``<title>`` and a
  meta description and a Content-Security-Policy;
* nothing executable slipped in: no inline ``<script>`` (JSON data blocks are fine), no ``on*=``
  handler attributes, no ``javascript:``/``data:`` links;
* every Mermaid diagram parses (:mod:`.mermaid`) and the HTML is valid (:mod:`.vnu`) — or the
  report says those checks were skipped.

Issues point at the content file that caused them when the offending text can be found there (a
broken link inside a topic card names the topic's ``.md`` file and line); otherwise at the built page
and line, which means the theme's templates produced it.
"""

from __future__ import annotations

import logging
import posixpath
import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from ..content.errors import display_path
from ..content.model import Guide
from ..render.pages import ONE_PAGE_URL
from . import mermaid, vnu
from .csp import blocked_by
from .report import CheckReport, SourceTexts, ToolUnavailable

log = logging.getLogger(__name__)

FAKE_ORIGIN = "https://studyguide.invalid"
URL_ATTRS = {"a": "href", "area": "href", "link": "href", "script": "src", "img": "src",
             "iframe": "src", "source": "src", "video": "src", "audio": "src", "track": "src",
             "embed": "src", "object": "data", "form": "action"}
UNSAFE_SCHEMES = ("javascript", "vbscript", "data", "file")
SAFE_DATA_IMAGE = re.compile(r"^data:image/(gif|png|jpeg|webp);", re.I)
JS_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript",
            "application/ecmascript"}
CSS_URL = re.compile(r"url\(\s*(['\"]?)([^'\")]+)\1\s*\)")


@dataclass
class Ref:
    """A URL found in a page."""

    tag: str
    url: str
    line: int
    card: str | None
    copy: bool = False  # inside a copy of a card shown on another page (practice)


@dataclass
class PageScan:
    """What one HTML page contains, as far as the checks care."""

    rel: str  # posix path relative to the site root
    ids: dict[str, int] = field(default_factory=dict)  # id -> first line
    duplicate_ids: list[tuple[str, int, int]] = field(default_factory=list)  # id, first line, this line
    refs: list[Ref] = field(default_factory=list)
    images: list[tuple[int, str | None, str, str | None]] = field(default_factory=list)  # line, alt, src, card
    title: str | None = None
    description: str | None = None
    csp: str | None = None
    inline_scripts: list[int] = field(default_factory=list)
    handlers: list[tuple[int, str, str, str | None]] = field(default_factory=list)  # line, tag, attr, card
    diagrams: list[tuple[str, int]] = field(default_factory=list)  # Mermaid text, line of <pre>
    cards: list[tuple[str, int, int]] = field(default_factory=list)  # card id, first line, last line


class _PageParser(HTMLParser):
    def __init__(self, scan: PageScan) -> None:
        super().__init__(convert_charrefs=True)
        self.scan = scan
        self._card: tuple[str, int] | None = None
        self._copy = False
        self._details_depth = 0
        self._capture: str | None = None  # "title" or "diagram" while collecting text
        self._text: list[str] = []
        self._capture_line = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        scan, line = self.scan, self.getpos()[0]
        values = dict(attrs)
        card = self._card[0] if self._card else None
        if "id" in values and values["id"] is not None:
            ident = values["id"]
            if ident in scan.ids:
                scan.duplicate_ids.append((ident, scan.ids[ident], line))
            else:
                scan.ids[ident] = line
        for name, _ in attrs:
            if name.startswith("on"):
                scan.handlers.append((line, tag, name, card))
        url_attr = URL_ATTRS.get(tag)
        if url_attr and values.get(url_attr) is not None:
            scan.refs.append(Ref(tag, values[url_attr] or "", line, card, self._copy))
        if tag == "img" and not self._copy:  # a copy's images are checked on the card's own page
            scan.images.append((line, values.get("alt"), values.get("src") or "", card))
        elif tag == "details":
            self._details_depth += 1
            # A card, or a copy of one shown on another page (practice): issues map to its file.
            card_id = values.get("id") if "data-card" in values else values.get("data-card-copy")
            if card_id and self._card is None:
                self._card, self._details_depth = (card_id, line), 1
                self._copy = "data-card" not in values
        elif tag == "meta":
            name = (values.get("name") or "").lower()
            if name == "description":
                scan.description = values.get("content") or ""
            elif (values.get("http-equiv") or "").lower() == "content-security-policy":
                scan.csp = values.get("content") or ""
        elif tag == "script" and values.get("src") is None:
            if (values.get("type") or "").strip().lower() in JS_TYPES:
                scan.inline_scripts.append(line)
        elif tag == "title" and scan.title is None:
            self._start_capture("title", line)
        elif tag == "pre" and "data-diagram" in values:
            self._start_capture("diagram", line)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "details":
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "details" and self._details_depth:
            self._details_depth -= 1
            if self._card and self._details_depth == 0:
                self.scan.cards.append((self._card[0], self._card[1], self.getpos()[0]))
                self._card, self._copy = None, False
        if self._capture == "title" and tag == "title":
            self.scan.title = "".join(self._text).strip()
            self._capture = None
        elif self._capture == "diagram" and tag == "pre":
            self.scan.diagrams.append(("".join(self._text), self._capture_line))
            self._capture = None

    def handle_data(self, data: str) -> None:
        if self._capture:
            self._text.append(data)

    def _start_capture(self, what: str, line: int) -> None:
        self._capture, self._text, self._capture_line = what, [], line


def scan_page(site_dir: Path, path: Path) -> PageScan:
    scan = PageScan(path.relative_to(site_dir).as_posix())
    parser = _PageParser(scan)
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    parser.close()
    return scan


class SourceIndex:
    """Maps what is on a built page back to the content file it came from."""

    def __init__(self, guide: Guide) -> None:
        self.cards: dict[str, Path] = {}
        for topic in guide.topics:
            if topic.origin:
                self.cards[topic.anchor] = topic.origin.path
        for question in guide.questions:
            if question.origin:
                self.cards[question.anchor] = question.origin.path
        self.pages = {p.path + "index.html": p.origin.path for p in guide.pages if p.origin}
        self.diagram_files = [d.diagram.origin.path for d in guide.domains if d.diagram and d.diagram.origin]
        self.content_files = [*self.cards.values(), *self.pages.values(), *self.diagram_files]
        self.texts = SourceTexts()
        self.text, self.locate = self.texts.text, self.texts.locate

    def sources_for(self, page: str, card: str | None) -> list[Path]:
        found = [self.cards[card]] if card in self.cards else []
        if page in self.pages:
            found.append(self.pages[page])
        elif page == ONE_PAGE_URL + "index.html" and not found:
            found.extend(self.pages.values())  # the free pages are sections there, not cards
        return found


class _Where:
    """Chooses the `path:line` an issue is reported at."""

    def __init__(self, site_dir: Path, index: SourceIndex, label: str | None) -> None:
        self.site_dir, self.index = site_dir, index
        self.label = label if label is not None else display_path(site_dir)

    def built(self, rel: str) -> str:
        return f"{self.label}/{rel}"

    def __call__(self, page: str, line: int, card: str | None, needle: str) -> tuple[str, int]:
        # The URL as a Markdown link target first: "/agents/" is also inside "/guide/agents/".
        needles = (f"]({needle}", f"]: {needle}", f"<{needle}>", needle) if needle else ()
        for source in self.index.sources_for(page, card):
            for candidate in needles:
                found = self.index.locate(source, candidate)
                if found:
                    return display_path(source), found
        return self.built(page), line


def _is_html(rel: str) -> bool:
    return rel.endswith(".html")


def _resolve(files: set[str], path: str) -> str | None:
    """The site file a URL path (relative to the site root) serves, or None."""
    if path == "" or path.endswith("/"):
        path += "index.html"
    if path in files:
        return path
    if path + "/index.html" in files:  # a folder without its slash: hosts redirect to it
        return path + "/index.html"
    return None


def check_links(scans: dict[str, PageScan], files: set[str], base_path: str, base_url: str | None,
                report: CheckReport, where: _Where) -> int:
    """Every internal reference resolves to a file and, with a #fragment, to an id there."""
    checked = 0
    reported: set[tuple[str | None, str, str]] = set()
    # Copies of cards last, so that a card's own page reports its mistakes first.
    refs = sorted(((scan, ref) for scan in scans.values() for ref in scan.refs), key=lambda pair: pair[1].copy)
    for scan, ref in refs:
        page_url = FAKE_ORIGIN + base_path + scan.rel
        raw = ref.url.strip()
        if base_url and raw.startswith(base_url):
            raw = FAKE_ORIGIN + base_path + raw[len(base_url):]
        scheme = urlsplit(raw).scheme.lower()
        if scheme in UNSAFE_SCHEMES and not (ref.tag == "img" and SAFE_DATA_IMAGE.match(raw)):
            path, line = where(scan.rel, ref.line, ref.card, ref.url)
            report.error(path, line, f"unsafe {scheme}: URL in <{ref.tag}>", "links")
            continue
        target = urlsplit(urljoin(page_url, raw))
        if f"{target.scheme}://{target.netloc}" != FAKE_ORIGIN:
            # Another site (or mailto:, tel:): not ours to check offline — unless the page's
            # own CSP will refuse to load it (an external image in content).
            directive = blocked_by(scan.csp, ref.tag, raw) if target.scheme in ("http", "https") else None
            if directive and not (ref.copy and (ref.card, raw, "") in reported):
                reported.add((ref.card, raw, ""))
                path, line = where(scan.rel, ref.line, ref.card, ref.url)
                report.error(path, line, f"<{ref.tag}> from another site '{ref.url}' is blocked by the site's "
                                         f"Content-Security-Policy ({directive}): put the file in an assets/ "
                                         f"folder and link it relatively", "security")
            continue
        checked += 1
        problem, resolved = None, None
        if not target.path.startswith(base_path):
            problem = f"link '{ref.url}' points outside the site (its base path is {base_path})"
        else:
            resolved = _resolve(files, unquote(target.path[len(base_path):]))
            fragment = unquote(target.fragment)
            if resolved is None:
                problem = f"broken link '{ref.url}': no page or file at '{target.path[len(base_path):]}'"
            elif fragment and fragment != "top" and _is_html(resolved) and fragment not in scans[resolved].ids:
                problem = f"broken anchor '{ref.url}': no id '{fragment}' on {resolved}"
        if problem:
            key = (ref.card, resolved or target.path, target.fragment)
            if ref.copy and key in reported:
                continue  # the same link of the same card, already reported from the card's own page
            reported.add(key)
            path, line = where(scan.rel, ref.line, ref.card, ref.url)
            report.error(path, line, problem, "links")
    return checked


def check_css_urls(site_dir: Path, files: set[str], report: CheckReport, where: _Where) -> int:
    """``url(...)`` in the theme's stylesheets points at files that exist."""
    checked = 0
    for rel in sorted(f for f in files if f.endswith(".css")):
        text = (site_dir / rel).read_text(encoding="utf-8", errors="replace")
        for match in CSS_URL.finditer(text):
            url = match.group(2).strip()
            if url.startswith(("data:", "#", "//")) or urlsplit(url).scheme:
                continue
            checked += 1
            target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), urlsplit(url).path))
            if unquote(target) not in files:
                line = text.count("\n", 0, match.start()) + 1
                report.error(where.built(rel), line, f"broken url('{url}') in stylesheet", "links")
    return checked


def check_pages(scans: dict[str, PageScan], report: CheckReport, where: _Where) -> None:
    """Per-page rules: unique ids, alt text, title, description, CSP, nothing inline that runs."""
    for scan in scans.values():
        page = where.built(scan.rel)
        for ident, first, line in scan.duplicate_ids:
            report.error(page, line, f"duplicate id '{ident}' (first at line {first})", "ids")
        for line, alt, src, card in scan.images:
            path, at = where(scan.rel, line, card, src)
            if alt is None:
                report.error(path, at, f"image '{src}' has no alt text", "images")
            elif not alt.strip() and path != page:
                # alt="" marks decoration: deliberate in a template, an omission in content.
                report.warning(path, at, f"image '{src}' has empty alt text: describe the image", "images")
        if not scan.title:
            report.error(page, None, "page has no <title>", "meta")
        if not (scan.description or "").strip():
            report.error(page, None, 'page has no <meta name="description">', "meta")
        if scan.csp is None:
            report.error(page, None, "page has no Content-Security-Policy <meta>", "security")
        for line in scan.inline_scripts:
            report.error(page, line, "inline <script>: the CSP blocks it (use a file in static/)", "security")
        for line, tag, attr, card in scan.handlers:
            path, at = where(scan.rel, line, card, attr)
            report.error(path, at, f"event-handler attribute '{attr}' on <{tag}>", "security")


def check_diagrams(site_dir: Path, scans: dict[str, PageScan], report: CheckReport, where: _Where) -> None:
    """Every Mermaid diagram on the site parses with Mermaid's own parser."""
    found: dict[str, tuple[str, int]] = {}  # text -> first page and line
    for scan in scans.values():
        for text, line in scan.diagrams:
            found.setdefault(text, (scan.rel, line))
    if not found:
        report.ran.append("diagrams: none on the site")
        return
    try:
        backend, results = mermaid.parse_diagrams(list(found), site_dir)
    except ToolUnavailable as exc:
        report.skip("diagrams", f"{len(found)} Mermaid diagrams NOT checked: {exc}")
        return
    for (text, (page, line)), error in zip(found.items(), results, strict=False):
        if error is None:
            continue
        offset = mermaid.error_line(error, text) - 1
        path, at = where.built(page), line + offset  # the <pre> and the diagram start on one line
        stripped = text.strip()
        for source in where.index.content_files:
            start = where.index.locate(source, stripped) if stripped else None
            if start:
                path, at = display_path(source), start + offset
                break
        report.error(path, at, f"Mermaid diagram does not parse: {mermaid.summary(error)}", "diagrams")
    report.ran.append(f"diagrams: {len(found)} parsed with {backend}")


def check_html(site_dir: Path, scans: dict[str, PageScan], report: CheckReport, where: _Where) -> None:
    """Validate every page with the Nu HTML Checker (one run over all files)."""
    try:  # the folder, not a file list: one JVM start, and no command-line limit at 10,000 pages
        version, messages = vnu.validate([site_dir])
    except ToolUnavailable as exc:
        report.skip("html", f"HTML NOT validated: {exc}")
        return
    for msg in messages:
        rel = msg.rel_to(site_dir)
        cards = [c for c in scans[rel].cards if c[1] <= (msg.line or 0) <= c[2]] if rel in scans else []
        hint = ""
        if cards and cards[0][0] in where.index.cards:
            hint = f" (inside card #{cards[0][0]} from {display_path(where.index.cards[cards[0][0]])})"
        report.error(where.built(rel) if rel else msg.url, msg.line, msg.message + hint, "html")
    report.ran.append(f"html: {len(scans)} pages validated with the Nu HTML Checker {version}")


def check_site(site_dir: Path, guide: Guide, *, html: bool = True, diagrams: bool = True,
               label: str | None = None) -> CheckReport:
    """Check a built site; `label` replaces the site folder in reported paths (e.g. ``<built>``)."""
    site_dir = Path(site_dir)
    report = CheckReport()
    where = _Where(site_dir, SourceIndex(guide), label)
    files = {p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*") if p.is_file()}
    start = time.perf_counter()
    scans = {rel: scan_page(site_dir, site_dir / rel) for rel in sorted(files) if _is_html(rel)}
    base_path = urlsplit(guide.site.base_url).path if guide.site.base_url else "/"
    links = check_links(scans, files, base_path, guide.site.base_url, report, where)
    links += check_css_urls(site_dir, files, report, where)
    check_pages(scans, report, where)
    report.once_per_content_place(where.built(""))
    broken = len(report.by_check("links"))
    report.ran.insert(0, f"links: {links} internal links and anchors in {len(scans)} pages, {broken} broken")
    report.ran.append(f"pages: ids, alt text, titles, descriptions, CSP ({time.perf_counter() - start:.2f} s)")
    if diagrams:
        check_diagrams(site_dir, scans, report, where)
    if html:
        check_html(site_dir, scans, report, where)
    log.debug("site check of %s: %d errors, %d warnings in %.2f s", site_dir, len(report.errors),
              len(report.warnings), time.perf_counter() - start)
    return report
