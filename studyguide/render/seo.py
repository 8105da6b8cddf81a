"""What link previews and search engines read inside a page: page URLs and JSON-LD.

Pure functions of the guide: tested without a build. Absolute URLs exist only where a consumer needs
them (canonical, Open Graph, breadcrumbs) and only when ``base_url`` is known; internal links stay
relative. (sitemap.xml and robots.txt are written by :mod:`studyguide.site.sitemap`.)
"""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

from ..content.model import Guide, Question, Section, Site
from ..markup.diagrams import DIAGRAM_MARKER
from ..markup.parser import render_inline, render_markdown
from .pages import PageSpec

SCHEMA_ORG = "https://schema.org"


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


# Renders an answer section's body as its page shows it; the page has just rendered (and cached) that
# HTML, so the FAQ text costs no second Markdown parse (it was half the interview page at 1,000
# topics).
SectionHTML = Callable[[Question, Section], str]


def markdown_text(markdown: str, html: str | None = None) -> str:
    """Plain text of a Markdown body as a reader sees it (diagrams left out); `html`: the body
    already rendered."""
    extractor = _TextExtractor()
    extractor.feed(render_markdown(markdown) if html is None else html)
    extractor.close()
    return extractor.text()


def inline_text(markdown: str) -> str:
    """Plain text of inline Markdown (a heading): ``**bold** and `code``` → ``bold and code``."""
    extractor = _TextExtractor()
    extractor.feed(render_inline(markdown))
    extractor.close()
    return extractor.text()


def answer_text(question: Question, section_html: SectionHTML | None = None) -> str:
    """A question's whole answer as plain text: each section's heading, then its text."""
    return "\n\n".join(
        f"{inline_text(s.heading)}\n{markdown_text(s.body, section_html and section_html(question, s))}".strip()
        for s in question.sections)


def faq_page(guide: Guide, section_html: SectionHTML | None = None) -> dict[str, Any]:
    """schema.org FAQPage: every interview question with its answer text."""
    return {
        "@context": SCHEMA_ORG,
        "@type": "FAQPage",
        "name": guide.interview.title if guide.interview else guide.site.title,
        "mainEntity": [
            {"@type": "Question", "name": q.question,
             "acceptedAnswer": {"@type": "Answer", "text": answer_text(q, section_html)}}
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


def structured_data(guide: Guide, spec: PageSpec, section_html: SectionHTML | None = None) -> list[dict[str, Any]]:
    """The JSON-LD objects for one page (a template global: ``partials/meta.html`` prints them)."""
    site = guide.site
    if spec.kind == "home":
        website: dict[str, Any] = {"@context": SCHEMA_ORG, "@type": "WebSite", "name": site.title,
                                   "description": site.description, "inLanguage": site.language}
        if site.base_url:
            website["url"] = site.base_url
        return [website]
    if spec.kind == "interview" and guide.questions:
        return [faq_page(guide, section_html)]
    if spec.kind == "domain":
        domain = spec.extra["domain"]
        crumbs = breadcrumb_list(site, [(site.title, ""), (f"{domain.label} {domain.name}", domain.path)])
        return [crumbs] if crumbs else []
    return []
