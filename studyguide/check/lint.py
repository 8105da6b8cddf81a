"""Content lint: things that are valid but probably not what the author meant (warnings).

* **Tag spellings.** ``Kafka`` on one topic and ``kafka`` on three split one subject into two tag
  entries (with two anchors). Tags are compared ignoring case, spaces and light punctuation
  (``- _ . / , : ; '`` and quotes) — but not ``#`` or ``+``, so ``C``, ``C#`` and ``C++`` stay
  distinct. Every spelling other than the most used one is reported where it is used.
* **Tags.** A topic with *no* tags cannot reach this lint: the loader already rejects a missing or
  empty ``tags`` list as an error (``path:line: 'tags' must not be empty``). What remains to warn
  about is the same tag listed twice on one topic.
* **Empty sections.** A Markdown heading with no text before the next heading of the same or a
  higher level (in topics, pages and inside question sections), a domain with no topics and a
  question group with no questions. (An empty ``## Section`` of a question is already an error.)
"""

from __future__ import annotations

import re
from pathlib import Path

from ..content.links import bodies
from ..content.model import Guide
from ..markup.diagrams import is_mermaid_fence
from ..markup.highlight import fence_language, known_language
from ..markup.parser import make_parser
from .report import CheckReport, SourceTexts

_FOLD = re.compile(r"[\s\-_./·,:;'\"’`]+")
_HEADING_TOKENS = {"heading_open", "heading_close"}
_MD = make_parser()


def tag_key(tag: str) -> str:
    """What two spellings of one tag have in common."""
    return _FOLD.sub("", tag.casefold())


def lint_tags(guide: Guide, report: CheckReport, texts: SourceTexts) -> None:
    spellings: dict[str, dict[str, list]] = {}  # key -> spelling -> topics (content order)
    for tag, uses in guide.tags().items():
        spellings.setdefault(tag_key(tag), {})[tag] = [topic for _, topic in uses]
    def tag_line(path: Path, tag: str, after: int = 0) -> int | None:
        # The tag as a list item or quoted first: a short tag ("C") also occurs in other words.
        for needle in (f"- {tag}", f"'{tag}'", f'"{tag}"', tag):
            line = texts.locate(path, needle, after + 1)
            if line:
                return line
        return None

    for variants in spellings.values():
        if len(variants) < 2:
            continue
        main = max(variants, key=lambda t: len(variants[t]))  # first seen wins a tie
        n = len(variants[main])
        for tag, topics in variants.items():
            if tag == main:
                continue
            for topic in topics:
                path = topic.origin.path if topic.origin else Path(topic.slug)
                report.warning(path, tag_line(path, tag),
                               f"tag '{tag}' differs from '{main}' ({n} topic{'s' if n != 1 else ''}) only by "
                               f"case or punctuation: use one spelling", "lint")
    for topic in guide.topics:
        seen: set[str] = set()
        for tag in topic.tags:
            if tag in seen and topic.origin:
                first = tag_line(topic.origin.path, tag) or 0
                report.warning(topic.origin.path, tag_line(topic.origin.path, tag, first) or first or None,
                               f"tag '{tag}' is listed twice", "lint")
            seen.add(tag)


def empty_headings(markdown: str) -> list[tuple[str, str]]:
    """(heading line as written, heading text) of every top-level heading with nothing under it."""
    tokens = _MD.parse(markdown)
    lines = markdown.split("\n")
    heads = [i for i, t in enumerate(tokens) if t.type == "heading_open" and t.level == 0]
    found = []
    for n, i in enumerate(heads):
        rank = int(tokens[i].tag[1])
        end = next((j for j in heads[n + 1:] if int(tokens[j].tag[1]) <= rank), len(tokens))
        has_text = any(t.type not in _HEADING_TOKENS and not (t.type == "inline" and tokens[k - 1].type == "heading_open")
                       for k, t in enumerate(tokens[i + 1:end], start=i + 1))
        if not has_text:
            heading_map = tokens[i].map
            source_line = lines[heading_map[0]] if heading_map else tokens[i + 1].content
            found.append((source_line.strip(), tokens[i + 1].content.strip()))
    return found


def lint_sections(guide: Guide, report: CheckReport, texts: SourceTexts) -> None:
    bodies: list[tuple[Path, str]] = []
    for domain in guide.domains:
        if not domain.topics and domain.origin:
            report.warning(domain.origin.path, 1, f"domain '{domain.name}' has no topics", "lint")
        bodies += [(t.origin.path, t.body) for t in domain.topics if t.origin]
    for group in guide.groups:
        if not group.questions and group.origin:
            report.warning(group.origin.path, 1, f"question group '{group.name}' has no questions", "lint")
    for question in guide.questions:
        if question.origin:
            bodies += [(question.origin.path, s.body) for s in question.sections]
    bodies += [(p.origin.path, p.body) for p in guide.pages if p.origin]
    for path, body in bodies:
        for source_line, heading in empty_headings(body):
            report.warning(path, texts.locate(path, source_line),
                           f"section '{heading}' is empty: add text under it or remove the heading", "lint")


def lint_code_languages(guide: Guide, report: CheckReport) -> None:
    """A fenced code block whose language Pygments does not know is shown unhighlighted: usually a
    typo (```` ```pyhton ````)."""
    for body, _ in bodies(guide):
        for token in _MD.parse(body.text):
            if token.type != "fence" or not token.map or is_mermaid_fence(token):
                continue
            language = fence_language(token)
            if language and not known_language(language):
                report.warning(body.source, body.line + token.map[0],
                               f"code block language '{language}' is unknown to Pygments: it is shown "
                               f"without highlighting (see https://pygments.org/languages/)", "lint")


def lint_guide(guide: Guide, texts: SourceTexts | None = None) -> CheckReport:
    """Every lint warning for a loaded guide."""
    report = CheckReport()
    texts = texts or SourceTexts()
    lint_tags(guide, report, texts)
    lint_sections(guide, report, texts)
    lint_code_languages(guide, report)
    report.ran.append(f"lint: {len(guide.tags())} tags, {len(guide.topics)} topics, "
                      f"{len(guide.questions)} questions, {len(guide.pages)} pages")
    return report
