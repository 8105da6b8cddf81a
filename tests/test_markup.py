"""The Markdown feature set: CommonMark + tables, nothing that rewrites the author's text."""

from __future__ import annotations

from studyguide.markup.diagrams import diagram_html
from studyguide.markup.parser import render_markdown
from studyguide.markup.sections import split_sections


def test_no_typographer_and_no_math() -> None:
    html = render_markdown('It costs $500K (r) (c) -- "quoted" ... and $x$ stays.')
    assert html == '<p>It costs $500K (r) (c) -- &quot;quoted&quot; ... and $x$ stays.</p>\n'


def test_raw_html_is_escaped_not_passed_through() -> None:
    html = render_markdown('Generics <T> and <script>alert(1)</script> and <img src=x onerror="alert(1)">')
    assert "<script>" not in html and "<img" not in html and "<T>" not in html
    assert "&lt;T&gt;" in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_dangerous_link_schemes_are_not_links() -> None:
    html = render_markdown("[a](javascript:alert(1)) [b](data:text/html;base64,PHNjcmlwdD4=) [c](vbscript:x)")
    assert "href" not in html


def test_external_links_get_noopener() -> None:
    assert render_markdown("[x](https://example.com)") == (
        '<p><a href="https://example.com" rel="noopener noreferrer">x</a></p>\n')
    assert render_markdown("[x](../tags/)") == '<p><a href="../tags/">x</a></p>\n'


def test_tables_are_enabled() -> None:
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert "<table>" in html and "<td>1</td>" in html


def test_numbered_paragraphs_become_an_ordered_list() -> None:
    html = render_markdown("1. First point.\n\n2. Second point.\n")
    assert html.count("<li>") == 2 and html.startswith("<ol>")


def test_mermaid_fence_becomes_a_diagram_through_the_render_rule() -> None:
    source = 'sequenceDiagram\n  API-->>U: SSE {"token": "Hello"}'
    html = render_markdown(f"```mermaid\n{source}\n```\n")
    assert html == diagram_html(source)
    assert '<pre class="mermaid" data-diagram>' in html and "{&quot;token&quot;: &quot;Hello&quot;}" in html
    # Other fences are code blocks, highlighted by Pygments (tests/test_markdown_features.py).
    assert render_markdown("```python\nx = 1\n```\n").startswith('<pre class="highlight" tabindex="0"><code class="language-python">')


def test_diagram_html_escapes_title_and_source() -> None:
    html = diagram_html("graph LR\n A-->B[\"<b>x</b>\"]", title="Flow <1>")
    assert '<figcaption class="diagram-title">Flow &lt;1&gt;</figcaption>' in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html


def test_split_sections_uses_parser_lines() -> None:
    text = "## Problem\nText one.\n\n```\n## not a heading\n```\n\n## Trade-offs\nText two.\n"
    sections, preamble = split_sections(text)
    assert preamble is None
    assert [(s.heading, s.line) for s in sections] == [("Problem", 1), ("Trade-offs", 8)]
    assert "## not a heading" in sections[0].body
    assert sections[1].body == "Text two."


def test_split_sections_reports_preamble_line() -> None:
    sections, preamble = split_sections("\n\nIntro.\n## A\nx\n")
    assert preamble is not None and preamble.line == 3
    assert [s.heading for s in sections] == ["A"]
