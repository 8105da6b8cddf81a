"""Images and files from assets/ folders, cross-links, theme overrides and interface labels, built
for real: what the site contains, and the path:line errors for what points nowhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import run_cli
from richguide import IMAGE, IMAGE_SIZE, RICH_TOPIC, make_rich_guide, png_bytes, write

from studyguide.commands.build import build
from studyguide.content.errors import ContentErrors
from studyguide.content.loader import load_guide


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_rich_guide(tmp_path_factory.mktemp("rich") / "guide")
    build(project / "studyguide.yml", project / "site", search=False)
    return project


def card_html(site: Path, page: str, anchor: str) -> str:
    html = (site / page).read_text(encoding="utf-8")
    match = re.search(rf'<details class="card[^"]*" id="{anchor}".*?</details>', html, re.S)
    assert match, f"no card #{anchor} on {page}"
    return match[0]


def test_images_are_published_and_sized_and_lazy(rich: Path) -> None:
    site = rich / "site"
    assert (site / "files/domains/01-retrieval/assets/pipeline.png").read_bytes() == (rich / IMAGE).read_bytes()
    assert (site / "files/assets/cheatsheet.pdf").is_file()
    card = card_html(site, "retrieval/index.html", "rich-content")
    assert (f'<img src="../files/domains/01-retrieval/assets/pipeline.png" alt="The retrieval pipeline: query, '
            f'search, rerank" width="{IMAGE_SIZE[0]}" height="{IMAGE_SIZE[1]}" loading="lazy" decoding="async" />'
            ) in card
    page = (site / "answer-structure/index.html").read_text(encoding="utf-8")
    assert '<a href="../files/assets/cheatsheet.pdf">cheat sheet</a>' in page


def test_cross_links_resolve_to_the_cards_and_pages(rich: Path) -> None:
    card = card_html(rich / "site", "retrieval/index.html", "rich-content")
    assert '<a href="../retrieval/#hybrid-search">hybrid search</a>' in card
    assert '<a href="../interview/#q1">question Q1</a>' in card
    assert '<a href="../agents/#react-pattern">the ReAct card</a>' in card  # a relative .md path
    assert '<a href="../answer-structure/">the answer page</a>' in card


def test_code_pages_link_the_highlighting_stylesheet_only(rich: Path) -> None:
    site = rich / "site"
    assert "css/highlight.css" in (site / "retrieval/index.html").read_text(encoding="utf-8")
    assert "css/highlight.css" not in (site / "index.html").read_text(encoding="utf-8")
    css = (site / "assets/css/highlight.css").read_text(encoding="utf-8")
    assert ':root[data-theme="light"] pre.highlight .k' in css and ':root[data-theme="dark"] pre.highlight .k' in css


def test_the_site_of_a_rich_guide_passes_check(rich: Path) -> None:
    result = run_cli("check", cwd=rich)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _broken(tmp_path: Path, extra: str) -> tuple[Path, list[str]]:
    project = make_rich_guide(tmp_path / "guide")
    topic = project / RICH_TOPIC
    topic.write_text(topic.read_text(encoding="utf-8") + extra, encoding="utf-8")
    with pytest.raises(ContentErrors) as caught:
        load_guide(project / "studyguide.yml")
    return topic, [f"{e.path.name}:{e.line}: {e.message}" for e in caught.value.errors]


def test_a_missing_image_is_a_check_error_at_its_line(tmp_path: Path) -> None:
    project = make_rich_guide(tmp_path / "guide")
    topic = project / RICH_TOPIC
    lines = topic.read_text(encoding="utf-8").splitlines()
    lines.insert(8, "Here: ![The missing chart](assets/chart.png)")
    topic.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("check", cwd=project)
    assert result.returncode == 1
    assert (f"{RICH_TOPIC}:9: error: image 'assets/chart.png' not found (no file "
            f"domains/01-retrieval/assets/chart.png in the content folder)") in result.stdout
    assert "Traceback" not in result.stderr


def test_every_reference_that_points_nowhere_is_reported_in_one_run(tmp_path: Path) -> None:
    topic, errors = _broken(tmp_path, "\nA [typo](topic:hybird-search), [q](question:q99)\n"
                                      "and ![](assets/pipeline.png) and ![Far](../../../x.png)\n"
                                      "and [gone](../02-agents/09-nothing.md), ![Loose](loose.png).\n")
    (topic.parent / "loose.png").write_bytes(b"")
    n = len(topic.read_text(encoding="utf-8").splitlines())
    assert errors == [
        f"03-rich-content.md:{n - 2}: cross-link 'question:q99': there is no question 'q99'",
        f"03-rich-content.md:{n - 2}: cross-link 'topic:hybird-search': there is no topic 'hybird-search' "
        f"(did you mean 'topic:hybrid-search'?)",
        f"03-rich-content.md:{n - 1}: image '../../../x.png' is outside the content folder: put it in an assets/ folder",
        f"03-rich-content.md:{n - 1}: image 'assets/pipeline.png' has no alt text: describe it, like "
        f"![What the picture shows](assets/pipeline.png)",
        f"03-rich-content.md:{n}: image 'loose.png' not found (no file domains/01-retrieval/loose.png in the content folder)",
        f"03-rich-content.md:{n}: link '../02-agents/09-nothing.md': no topic, question or page at "
        f"domains/02-agents/09-nothing.md",
    ]


def test_a_file_outside_an_assets_folder_is_not_published_and_says_so(tmp_path: Path) -> None:
    project = make_rich_guide(tmp_path / "guide")
    (project / "content/domains/01-retrieval/_drafts").mkdir()
    (project / "content/domains/01-retrieval/_drafts/x.png").write_bytes(png_bytes(4, 4))
    topic = project / RICH_TOPIC
    topic.write_text(topic.read_text(encoding="utf-8") + "\n![Draft](_drafts/x.png)\n", encoding="utf-8")
    with pytest.raises(ContentErrors, match=r"image '_drafts/x.png' is not in an assets/ folder"):
        load_guide(project / "studyguide.yml")


def test_check_reports_an_external_image_the_csp_blocks(tmp_path: Path) -> None:
    project = make_rich_guide(tmp_path / "guide")
    topic = project / RICH_TOPIC
    topic.write_text(topic.read_text(encoding="utf-8") + "\nSee ![Chart](https://example.com/c.png) and "
                     "[the site](https://example.com/).\n", encoding="utf-8")
    n = len(topic.read_text(encoding="utf-8").splitlines())
    result = run_cli("check", cwd=project)
    assert result.returncode == 1
    assert (f"{RICH_TOPIC}:{n}: error: <img> from another site 'https://example.com/c.png' is blocked by the "
            f"site's Content-Security-Policy (img-src)") in result.stdout
    assert result.stdout.count("blocked by the site's Content-Security-Policy") == 1  # the link is fine


# ---- Theme overrides, palette, logo, extra CSS/JS ------------------------------------------------


def _themed(tmp_path: Path, config_extra: str) -> Path:
    project = make_rich_guide(tmp_path / "guide")
    config = project / "studyguide.yml"
    config.write_text(config.read_text(encoding="utf-8") + config_extra, encoding="utf-8")
    return project


def test_an_override_folder_changes_a_template_and_the_css(tmp_path: Path) -> None:
    project = _themed(tmp_path, "theme:\n  dir: my-theme\n  logo: brand/logo.png\n  favicon: brand/icon.svg\n"
                                "  palette:\n    light:\n      link: '#0a5c3e'\n    dark:\n      violet: '#8f88ff'\n"
                                "extra_css: [brand/extra.css]\nextra_js: [brand/extra.js]\n")
    write(project, "my-theme/templates/page.html",
          '{% extends "base.html" %}{% block main %}<article class="custom-page"><h1>{{ page.title }}</h1>'
          '{{ page.body | md(page) }}</article>{% endblock %}')
    write(project, "my-theme/static/css/search.css", "/* replaced search styles */\n")
    write(project, "brand/extra.css", ".custom-page { border: 1px solid red; }\n")
    write(project, "brand/extra.js", "document.documentElement.dataset.extra = '1';\n")
    write(project, "brand/icon.svg", '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"/>')
    (project / "brand/logo.png").write_bytes(png_bytes(112, 56))
    build(project / "studyguide.yml", project / "site", search=False)
    site = project / "site"
    page = (site / "answer-structure/index.html").read_text(encoding="utf-8")
    assert '<article class="custom-page"><h1>Answer Structure</h1>' in page  # the override template
    assert '<nav class="sidebar"' in page  # ... extending the default base.html
    assert (site / "assets/css/search.css").read_text(encoding="utf-8") == "/* replaced search styles */\n"
    # The default theme's own stylesheet is still there beside the override (minified, as always).
    assert (site / "assets/css/site.css").read_text(encoding="utf-8").startswith(":root,:root[data-theme=\"dark\"]{")
    assert (site / "assets/extra/brand/extra.css").read_text(encoding="utf-8") == ".custom-page { border: 1px solid red; }\n"
    assert re.search(r'<link rel="stylesheet" href="../assets/extra/brand/extra.css\?v=\w+">', page)
    assert re.search(r'<script src="../assets/extra/brand/extra.js\?v=\w+" defer></script>', page)
    assert '<img class="site-logo" src="../assets/extra/brand/logo.png" alt="" width="56" height="28">' in page
    assert '<link rel="icon" href="../assets/extra/brand/icon.svg" type="image/svg+xml">' in page
    palette = (site / "assets/css/palette.css").read_text(encoding="utf-8")
    assert ':root[data-theme="light"] { --link: #0a5c3e; }' in palette
    assert ':root, :root[data-theme="dark"] { --violet: #8f88ff; }' in palette
    assert re.search(r'href="../assets/css/palette.css\?v=\w+"', page)
    # the other pages keep the default templates
    assert '<article class="custom-page">' not in (site / "retrieval/index.html").read_text(encoding="utf-8")


def test_theme_keys_are_checked_with_their_lines(tmp_path: Path) -> None:
    project = _themed(tmp_path, "theme:\n  dir: nowhere\n  logo: missing.svg\n  palette:\n    light:\n"
                                "      lnk: '#000'\n      link: blue\n  code_dark: monokaii\n"
                                "extra_css: [x.css]\nlabels:\n  overveiw: Start\n  topics: Themen\n")
    start = len((project / "studyguide.yml").read_text(encoding="utf-8").splitlines()) - 12
    with pytest.raises(ContentErrors) as caught:
        load_guide(project / "studyguide.yml")
    got = {(e.line - start, e.message.split(" (")[0]) for e in caught.value.errors}
    assert got == {
        (2, "theme folder 'nowhere' not found"),
        (3, "'logo' file 'missing.svg' not found"),
        (6, "unknown palette colour 'lnk'"),
        (7, "palette colour 'link' must be a hex colour like \"#0a7d5a\", got 'blue'"),
        (8, "unknown Pygments style 'monokaii' for 'code_dark'"),
        (9, "'extra_css' file 'x.css' not found"),
        (11, "unknown label 'overveiw'"),
        (12, "label 'topics' is a plural: give it 'one:' and 'other:' texts"),
    }
    assert any("did you mean 'overview'" in e.message for e in caught.value.errors)


# ---- Interface labels ------------------------------------------------------------------------------


def test_language_de_comes_with_german_labels_and_labels_override_single_keys(tmp_path: Path) -> None:
    project = _themed(tmp_path, "language: de\nlabels:\n  overview: Startseite\n  footer: Stand 2026\n"
                                "  topics:\n    one: Karte\n    other: Karten\n")
    build(project / "studyguide.yml", project / "site", search=False)
    domain = (project / "site/retrieval/index.html").read_text(encoding="utf-8")
    assert '<html lang="de"' in domain
    assert ">Startseite</a>" in domain and ">Overview<" not in domain
    assert '<p class="sidebar-label">Bereiche</p>' in domain and "Interviewvorbereitung" in domain
    assert "Bereich 01 · 3 Karten" in domain
    assert '<p class="site-footer-text">Stand 2026</p>' in domain
    assert 'data-label-light="Zum hellen Design wechseln"' in domain
    assert '<p class="callout-title">Tipp</p>' in domain  # an untitled callout, in German
    assert '<span class="visually-hidden">Link zu diesem Abschnitt</span>' in domain
    assert ">Seite nicht gefunden</h1>" in (project / "site/404.html").read_text(encoding="utf-8")


def test_english_labels_by_default(rich: Path) -> None:
    domain = (rich / "site/retrieval/index.html").read_text(encoding="utf-8")
    assert ">Overview</a>" in domain and "Domain 01 · 3 topics" in domain and "site-footer-text" not in domain


def test_the_readme_documents_every_config_theme_and_label_key() -> None:
    from helpers import REPO

    from studyguide.content.config import CONFIG_SCHEMA
    from studyguide.content.labels import label_keys
    from studyguide.content.themeconfig import PALETTE_VARIABLES, THEME_SCHEMA

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [k for k in [*CONFIG_SCHEMA, *THEME_SCHEMA] if f"{k}:" not in readme]
    missing += [k for k in [*label_keys(), *PALETTE_VARIABLES] if f"`{k}`" not in readme]
    assert missing == []


def test_check_warns_about_a_code_language_pygments_does_not_know(tmp_path: Path) -> None:
    from studyguide.commands.check import check_project

    project = make_rich_guide(tmp_path / "guide")
    topic = project / RICH_TOPIC
    before = len(topic.read_text(encoding="utf-8").splitlines())
    topic.write_text(topic.read_text(encoding="utf-8") + "\n```pyhton\nx = 1\n```\n", encoding="utf-8")
    report = check_project(project / "studyguide.yml", search=False, html=False, diagrams=False)
    assert [(i.line, i.message.split(":")[0]) for i in report.by_check("lint")] == [
        (before + 2, "code block language 'pyhton' is unknown to Pygments")]
    assert not report.failed() and report.failed(strict=True)
