"""The richer Markdown feature set: highlighting, callouts, heading links, footnotes, task lists,
strikethrough, cross-links and image targets (studyguide.markup)."""

from __future__ import annotations

from studyguide.markup.context import RenderContext, Target
from studyguide.markup.highlight import stylesheet
from studyguide.markup.parser import render_markdown
from studyguide.markup.references import references

CARD = RenderContext(doc_id="hybrid-search")


def test_code_blocks_are_highlighted_by_pygments_without_javascript() -> None:
    html = render_markdown('```python\ndef f(x):\n    return "<a>"\n```\n')
    assert html.startswith('<pre class="highlight" tabindex="0"><code class="language-python">')
    assert '<span class="k">def</span>' in html and '<span class="nf">f</span>' in html
    assert "&quot;&lt;a&gt;&quot;" in html or '"&lt;a&gt;"' in html  # escaped, never raw
    assert "<script" not in html


def test_unknown_or_missing_language_is_plain_text_in_the_same_frame() -> None:
    assert render_markdown("```nosuchlang\nx<y\n```\n") == (
        '<pre class="highlight" tabindex="0"><code class="language-nosuchlang">x&lt;y\n</code></pre>\n')
    assert render_markdown("    indented <b>\n") == (
        '<pre class="highlight" tabindex="0"><code>indented &lt;b&gt;\n</code></pre>\n')


def test_mermaid_fences_stay_diagrams() -> None:
    assert "data-diagram" in render_markdown("```mermaid\ngraph TD\n  A-->B\n```\n")


def test_highlight_stylesheet_follows_both_themes() -> None:
    css = stylesheet("a11y-light", "a11y-dark")
    assert ':root[data-theme="dark"] pre.highlight .k' in css
    assert ':root[data-theme="light"] pre.highlight .k' in css
    assert "@media (prefers-color-scheme: light)" in css and ":root:not([data-theme]) pre.highlight .k" in css
    assert "td.linenos" not in css  # only rules scoped to code blocks
    assert stylesheet("monokai", "monokai") != css


def test_admonitions_and_alerts_render_as_one_callout_shape() -> None:
    admonition = render_markdown('!!! warning "Mind the cost"\n    Embeddings are *not* free.\n')
    assert admonition == ('<div class="callout callout-warning" role="note">\n'
                          '<p class="callout-title">Mind the cost</p>\n'
                          "<p>Embeddings are <em>not</em> free.</p>\n</div>\n")
    alert = render_markdown("> [!TIP]\n> Cache the embeddings.\n")
    assert alert == ('<div class="callout callout-tip" role="note">\n<p class="callout-title">Tip</p>\n'
                     "<p>Cache the embeddings.</p>\n</div>\n")
    assert 'class="callout callout-caution callout-danger"' in render_markdown("!!! danger\n    x\n")


def test_collapsible_admonitions_are_details() -> None:
    closed = render_markdown("??? note\n    hidden\n")
    assert closed.startswith('<details class="callout callout-note">\n<summary class="callout-title">Note</summary>')
    assert closed.endswith("</details>\n")
    assert render_markdown("???+ note\n    shown\n").startswith('<details class="callout callout-note" open>')


def test_callout_titles_come_from_the_labels() -> None:
    german = RenderContext(labels=(("callout_note", "Hinweis"), ("callout_warning", "Warnung")))
    assert '<p class="callout-title">Hinweis</p>' in render_markdown("> [!NOTE]\n> x\n", german)
    assert '<p class="callout-title">Warnung</p>' in render_markdown("!!! warning\n    x\n", german)
    assert '<p class="callout-title">Eigener</p>' in render_markdown('!!! warning "Eigener"\n    x\n', german)


def test_headings_in_a_card_get_prefixed_unique_ids_and_a_self_link() -> None:
    html = render_markdown("### Scoring\n\ntext\n\n### Scoring\n", CARD)
    assert ('<h3 id="hybrid-search--scoring">Scoring<a class="heading-link" href="#hybrid-search--scoring">'
            '<span class="visually-hidden">Link to this section</span></a></h3>') in html
    assert 'id="hybrid-search--scoring-2"' in html
    assert "<h3>Scoring</h3>" in render_markdown("### Scoring\n")  # no card: left alone


def test_footnotes_are_numbered_per_card() -> None:
    html = render_markdown("Claim[^src].\n\n[^src]: The source.\n", CARD)
    assert '<a href="#fn-hybrid-search-1" id="fnref-hybrid-search-1">[1]</a>' in html
    assert '<li id="fn-hybrid-search-1" class="footnote-item"><p>The source.' in html


def test_task_lists_and_double_tilde_strikethrough() -> None:
    html = render_markdown("- [x] done\n- [ ] open\n")
    assert ('<li class="task-list-item"><input class="task-list-item-checkbox" type="checkbox" disabled="" checked=""'
            ' aria-label="done"> done</li>') in html
    assert 'type="checkbox" disabled="" aria-label="open"> open' in html
    assert render_markdown("~~old~~ new") == "<p><s>old</s> new</p>\n"
    # a single tilde is "about": ~6 GB, ~$15 stay text
    assert render_markdown("~6 GB and ~$15~") == "<p>~6 GB and ~$15~</p>\n"


def test_targets_rewrite_links_and_size_images() -> None:
    context = RenderContext(targets=(("topic:hybrid-search", Target("../rag/#hybrid-search")),
                                     ("assets/p.png", Target("../files/p.png", 640, 360))))
    html = render_markdown("See [hybrid](topic:hybrid-search).\n\n![A pipeline](assets/p.png)\n", context)
    assert '<a href="../rag/#hybrid-search">hybrid</a>' in html
    assert ('<img src="../files/p.png" alt="A pipeline" width="640" height="360" loading="lazy" '
            'decoding="async" />') in html
    assert 'loading="lazy"' in render_markdown("![x](https://example.com/a.png)")


def test_references_carry_their_source_lines() -> None:
    text = "Intro\n\nA [first](topic:a) link\nand a ![pic](assets/x.png)\non line four.\n\n`[not](a link)`\n"
    refs = references(text)
    assert [(r.kind, r.href, r.line) for r in refs] == [("link", "topic:a", 3), ("image", "assets/x.png", 4)]
    assert refs[0].xref == ("topic", "a") and refs[1].xref is None and refs[1].is_relative_path
    assert refs[1].alt == "pic"
