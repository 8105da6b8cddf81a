"""The fast build paths make exactly the pages the plain ones make.

Three shortcuts make a big build fast (issue #13): the sidebar's domain entries and the search box
are rendered once per link depth instead of once per page (render/shared.py), pages are written
as they are rendered, and a big guide is rendered by forked worker processes (site/parallel.py).
Each test builds the same guide both ways and compares the trees byte for byte: the "before" side
is a theme override that does it the plain way (a Jinja loop over the same macro, a plain
``{% include %}``), or a build forced into one process.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import studyguide.markup.parser as parser_module
import studyguide.site.parallel as parallel
from studyguide.markup import highlight
from studyguide.markup.diagrams import DIAGRAM_MARKER
from studyguide.markup.features import block_features
from studyguide.markup.parser import PARSER, render_markdown
from studyguide.markup.references import might_have_references, references
from studyguide.render.pages import TemplateRenderError
from studyguide.render.theme import Theme, default_theme
from studyguide.site.builder import SiteBuilder

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "studyguide.yml"
SHARED_SIDEBAR = "{{ sidebar_domains(domain if domain is defined else none) }}"
PLAIN_SIDEBAR = ("{% for d in guide.domains %}{{ entry(d, domain is defined and domain.slug == d.slug) }}"
                 "{% endfor %}")
SHARED_SEARCH = '{% call shared("partials/search.html") %}{% endcall %}'
PLAIN_SEARCH = '{% include "partials/search.html" %}'


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def plain_theme(tmp_path: Path) -> Theme:
    """The default theme with the per-depth shortcuts replaced by plain per-page Jinja."""
    theme = default_theme()
    templates = tmp_path / "plain-templates"
    shutil.copytree(theme.templates, templates)
    sidebar = templates / "partials" / "sidebar.html"
    text = sidebar.read_text()
    assert SHARED_SIDEBAR in text, "sidebar.html no longer calls sidebar_domains(): update this test"
    sidebar.write_text('{% from "partials/sidebar-domain.html" import entry with context %}\n'
                       + text.replace(SHARED_SIDEBAR, PLAIN_SIDEBAR))
    base = templates / "base.html"
    assert SHARED_SEARCH in base.read_text(), "base.html no longer uses shared(): update this test"
    base.write_text(base.read_text().replace(SHARED_SEARCH, PLAIN_SEARCH))
    return Theme(templates=templates, static=theme.static)


@pytest.mark.parametrize("search", [False, True], ids=["no-search", "search-box"])
def test_shared_parts_match_plain_jinja(tmp_path: Path, search: bool) -> None:
    # search=True without the indexing step: the search box's filters are rendered, nothing indexed.
    fast = SiteBuilder(BUNDLED, tmp_path / "fast", search=search).build()
    plain = SiteBuilder(BUNDLED, tmp_path / "plain", theme=plain_theme(tmp_path), search=search).build()
    fast_tree, plain_tree = tree(fast.out_dir), tree(plain.out_dir)
    assert len(fast_tree) > 20
    assert fast_tree == plain_tree


def sidebar_of(page: Path) -> str:
    return page.read_text().split('<nav class="sidebar"', 1)[1].split("</nav>", 1)[0]


def test_the_current_domain_is_expanded_on_its_own_page_only(tmp_path: Path) -> None:
    out = SiteBuilder(BUNDLED, tmp_path / "site", search=False).build().out_dir
    guide = SiteBuilder(BUNDLED).load()
    first, second = guide.domains[0], guide.domains[1]
    html = sidebar_of(out / first.path / "index.html")
    assert html.count('aria-current="page"') == 1
    assert f'<a href="../{first.path}" aria-current="page">' in html
    assert f'<a href="../{second.path}">' in html
    assert f'href="#{first.topics[0].anchor}"' in html.split('class="sidebar-sub"', 1)[1]
    home = sidebar_of(out / "index.html")
    assert f'<a href="{first.path}">' in home and 'class="sidebar-sub"' not in home


def force_workers(monkeypatch: pytest.MonkeyPatch, n: int) -> None:
    monkeypatch.setattr(parallel, "worker_count", lambda total_weight: n)


def test_parallel_build_matches_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    force_workers(monkeypatch, 1)
    single = SiteBuilder(BUNDLED, tmp_path / "single", search=False).build()
    force_workers(monkeypatch, 3)
    calls: list[int] = []
    real_split = parallel.split_shares
    monkeypatch.setattr(parallel, "split_shares", lambda w, n: calls.append(n) or real_split(w, n))
    several = SiteBuilder(BUNDLED, tmp_path / "several", search=False).build()
    assert calls == [3], "the build did not go through the worker processes"
    assert several.pages == single.pages
    assert tree(several.out_dir) == tree(single.out_dir)


def test_split_shares_balances_and_keeps_page_order() -> None:
    assert parallel.split_shares([20, 100, 50, 30], 2) == [[1], [0, 2, 3]]
    assert sorted(i for share in parallel.split_shares([5] * 7, 3) for i in share) == list(range(7))
    assert parallel.split_shares([1], 4) == [[0]]


def test_small_guides_stay_in_one_process() -> None:
    assert parallel.worker_count(parallel.MIN_PARALLEL_WEIGHT - 1) == 1


def test_a_failing_worker_reports_like_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A template error in a worker's share is raised by the main process, named as usual, and
    the previous site stays as it was."""
    theme = default_theme()
    templates = tmp_path / "broken"
    shutil.copytree(theme.templates, templates)
    domain = templates / "domain.html"
    domain.write_text(domain.read_text().replace("{{ domain.name }}", "{{ domain.no_such_field }}", 1))
    broken = Theme(templates=templates, static=theme.static)
    out = tmp_path / "site"
    SiteBuilder(BUNDLED, out, search=False).build()
    before = tree(out)
    errors = []
    for workers in (1, 2):
        force_workers(monkeypatch, workers)
        with pytest.raises(TemplateRenderError) as info:
            SiteBuilder(BUNDLED, out, theme=broken, search=False).build()
        errors.append(str(info.value))
    assert errors[0] == errors[1]
    assert errors[0].startswith("domain.html:")
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken", "site"]  # no temporary folder left


# Shortcuts that skip parsing a body must never skip one that has what they look for.
MARKDOWN_BITS = st.lists(st.sampled_from(["[a]", "(b)", "](", "]:", "<", ">", "http://x", "!", "`", "```",
                                          "~~~", "    ", "\t", "\n", "\n\n", " ", "x", "mermaid", "> ", "- ",
                                          "1. ", "#", "*"]), max_size=25).map("".join)


def _parse_types(text: str) -> set[str]:
    found: set[str] = set()
    stack = list(PARSER.parse(text))
    while stack:
        token = stack.pop()
        found.add(token.type)
        stack.extend(token.children or [])
    return found


@settings(max_examples=300, deadline=None)
@given(MARKDOWN_BITS)
def test_reference_prefilter_never_hides_a_link(text: str) -> None:
    if not might_have_references(text):
        assert not {"link_open", "image"} & _parse_types(text)
        assert references(text) == ()


@settings(max_examples=300, deadline=None)
@given(MARKDOWN_BITS)
def test_block_features_match_the_rendered_html(text: str) -> None:
    diagram, code = block_features(text)
    html = render_markdown(text)
    assert diagram == (DIAGRAM_MARKER in html)
    assert code == ('<pre class="highlight"' in html)


@pytest.mark.parametrize("light,dark", [("a11y-light", "a11y-dark"), ("github-light", "monokai")])
def test_code_styles_imported_directly_match_pygments_lookup(light: str, dark: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    direct = highlight.stylesheet(light, dark)
    monkeypatch.setattr(highlight, "_style", lambda name: name)  # Pygments' own (entry point) lookup
    assert direct == highlight.stylesheet(light, dark)
    assert "pre.highlight" in direct


def test_whole_guide_pages_come_last_in_the_main_process_with_the_workers_markdown(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    force_workers(monkeypatch, 2)
    shares: list[tuple[int, list[str], int]] = []  # pid, kinds, Markdown parsed meanwhile
    real_share = parallel._write_share

    def write_share(renderer, guide, specs, write):
        before = parser_module.markdown_cache_size()
        written = real_share(renderer, guide, specs, write)
        shares.append((os.getpid(), [s.kind for s in specs], parser_module.markdown_cache_size() - before))
        return written

    monkeypatch.setattr(parallel, "_write_share", write_share)
    parser_module.clear_markdown_cache()
    SiteBuilder(BUNDLED, tmp_path / "site", search=False).build()
    pid, kinds, parsed = shares[-1]
    assert pid == os.getpid()
    assert sorted(kinds) == ["onepage", "practice-cards", "worksheet", "worksheet"]
    assert all(not set(k) & parallel.WHOLE_GUIDE_KINDS for _, k, _ in shares[:-1])
    assert parsed == 0, "the whole-guide pages parsed Markdown the workers had already rendered"
