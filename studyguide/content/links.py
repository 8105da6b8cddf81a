"""Links and images in content: where each one points, and the errors for those that point nowhere.

Markdown refers to other things in three ways besides plain URLs:

* a cross-link by stable id — ``[text](topic:hybrid-search)``, ``question:q5``, ``page:slug``,
  ``domain:slug`` — which survives moving a card to another domain;
* a relative path to another content file — ``[text](../02-rag/03-embeddings.md)`` — which also
  works in an editor's or GitHub's preview;
* a relative path to a file in an ``assets/`` folder — ``![Pipeline](assets/pipeline.png)``.

:class:`LinkIndex` resolves each to a site path (``rag/#hybrid-search``,
``files/domains/02-rag/assets/pipeline.png``); :func:`check_links` reports, once per guide load, every
one that resolves to nothing as ``path:line`` — and every image without alt text. A relative link
to no file in the content folder (``../rag/#hybrid-search``, written as a site URL) stays as written,
and ``check`` verifies it in the built site like any other link.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass
from pathlib import Path

from ..markup.references import Reference, references
from .assets import image_size, is_asset, site_path
from .errors import ErrorList
from .model import Guide

@dataclass(frozen=True)
class Resolved:
    """Where a reference points: a path relative to the site root (and, for a file, its size)."""

    path: str
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class Body:
    """A piece of Markdown in the guide and where it was written."""

    text: str
    source: Path
    line: int  # 1-based line of the text's first line in `source`


class LinkProblem(Exception):
    """A reference that points nowhere; the message says what was looked for."""


class LinkIndex:
    """Everything a reference can point at in one guide."""

    def __init__(self, guide: Guide, content_dir: Path | None) -> None:
        self.content_dir = content_dir.resolve() if content_dir else None
        self.ids: dict[str, dict[str, str]] = {"topic": {}, "question": {}, "page": {}, "domain": {}}
        self._sources: list[tuple[Path, str]] = []  # content Markdown file → the URL of what it shows
        for domain in guide.domains:
            self.ids["domain"][domain.slug] = domain.path
            for topic in domain.topics:
                url = f"{domain.path}#{topic.anchor}"
                self.ids["topic"][topic.slug] = url
                if topic.origin:
                    self._sources.append((topic.origin.path, url))
        if guide.interview:
            for question in guide.questions:
                url = f"{guide.interview.path}#{question.anchor}"
                self.ids["question"][question.anchor] = url
                if question.origin:
                    self._sources.append((question.origin.path, url))
        for page in guide.pages:
            self.ids["page"][page.slug] = page.path
            if page.origin:
                self._sources.append((page.origin.path, page.path))

    @functools.cached_property
    def files(self) -> dict[Path, str]:
        """Content Markdown file (resolved) → the URL of what it shows. Made on the first relative
        link: resolving every file's path is a system call each, and most guides never need it."""
        return {path.resolve(): url for path, url in self._sources}

    def resolve(self, ref: Reference, source: Path) -> Resolved | None:
        """The target of `ref` written in `source`; None to leave it as written.
        Raises :class:`LinkProblem` when it is meant to point at something that does not exist."""
        xref = ref.xref
        if xref:
            kind, ident = xref
            ident, _, fragment = ident.partition("#")
            table = self.ids[kind]
            key = ident.lower() if kind == "question" else ident
            if key not in table:
                close = difflib.get_close_matches(key, list(table), n=1)
                hint = f" (did you mean '{kind}:{close[0]}'?)" if close else ""
                raise LinkProblem(f"cross-link '{ref.href}': there is no {kind} '{ident}'{hint}")
            url = table[key]
            return Resolved(url.split("#")[0] + f"#{fragment}" if fragment else url)
        if not ref.is_relative_path or self.content_dir is None:
            return None
        target = (source.parent / ref.path).resolve()
        if target in self.files:
            url = self.files[target]
            return Resolved(url.split("#")[0] + f"#{ref.fragment}" if ref.fragment else url)
        suffix = Path(ref.path).suffix.lower()
        if ref.kind == "link" and suffix != ".md" and not target.is_file():
            # A site URL such as ../rag/#hybrid-search or ../assets/css/site.css (relative to the
            # page): `check` verifies it in the built site, at this line.
            return None
        what = "image" if ref.kind == "image" else "file"
        if not target.is_relative_to(self.content_dir):
            raise LinkProblem(f"{what} '{ref.href}' is outside the content folder: put it in an assets/ folder")
        if suffix == ".md":
            raise LinkProblem(f"link '{ref.href}': no topic, question or page at {target.relative_to(self.content_dir)}")
        if not target.is_file():
            raise LinkProblem(f"{what} '{ref.href}' not found (no file {target.relative_to(self.content_dir)} "
                              f"in the content folder)")
        if not is_asset(target, self.content_dir):
            raise LinkProblem(f"{what} '{ref.href}' is not in an assets/ folder, so it is not published: "
                              f"move it into one (e.g. {Path(ref.path).parent / 'assets' / Path(ref.path).name})")
        size = image_size(target) if ref.kind == "image" else None
        return Resolved(site_path(target, self.content_dir), *(size or (None, None)))


def bodies(guide: Guide) -> list[tuple[Body, object]]:
    """Every Markdown body of the guide with the item it belongs to (topic, question, page)."""
    found: list[tuple[Body, object]] = []
    for topic in guide.topics:
        if topic.origin:
            found.append((Body(topic.body, topic.origin.path, topic.body_line), topic))
    for question in guide.questions:
        if question.origin:
            found += [(Body(s.body, question.origin.path, s.line), question) for s in question.sections]
    for page in guide.pages:
        if page.origin:
            found.append((Body(page.body, page.origin.path, page.body_line), page))
    return found


def check_links(guide: Guide, content_dir: Path, errors: ErrorList) -> None:
    """Record every cross-link, file or image in the guide that points nowhere, and every image
    without alt text, at its ``path:line``."""
    index = LinkIndex(guide, content_dir)
    for body, _ in bodies(guide):
        for ref in references(body.text):
            line = body.line + ref.line - 1
            if ref.kind == "image" and not (ref.alt or "").strip():
                errors.add(body.source, line, f"image '{ref.href}' has no alt text: describe it, "
                                              f"like ![What the picture shows]({ref.href})")
            try:
                index.resolve(ref, body.source)
            except LinkProblem as problem:
                errors.add(body.source, line, str(problem))
