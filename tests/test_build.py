"""End to end: build the mini fixture guide and check the tree, ids, links and figures."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from helpers import MINI, copy_mini, run_cli

from studyguide import __version__
from studyguide.commands.build import build

EXPECTED_PAGES = {
    "index.html", "retrieval/index.html", "agents/index.html", "interview/index.html",
    "answer-structure/index.html", "practice/index.html", "practice/cards.html", "tags/index.html", "404.html",
    "all/index.html", "interview/worksheet/index.html", "interview/answers/index.html",
}


class PageParser(HTMLParser):
    """Collects ids, links and card elements of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.links: list[str] = []
        self.cards: list[tuple[str, str]] = []  # (tag, id) of elements marked data-card

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"] or "")
        for key in ("href", "src"):
            if a.get(key) and tag in ("a", "link", "script", "img"):
                self.links.append(a[key] or "")
        if "data-card" in a:
            self.cards.append((tag, a.get("id") or ""))


def parse(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("mini-site") / "site"
    build(MINI / "studyguide.yml", out, search=False)
    return out


def test_every_page_is_written(site: Path) -> None:
    pages = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    assert pages == EXPECTED_PAGES
    assert (site / "assets/css/site.css").is_file()
    assert (site / "assets/vendor/mermaid/mermaid.min.js").is_file()
    assert (site / "assets/vendor/mermaid/LICENSE").is_file()


def test_cards_are_details_with_stable_unique_ids(site: Path) -> None:
    retrieval = parse(site / "retrieval/index.html")
    assert retrieval.cards == [("details", "hybrid-search"), ("details", "query-rewriting")]
    interview = parse(site / "interview/index.html")
    assert interview.cards == [("details", "q1"), ("details", "q2"), ("details", "b1")]
    for page in EXPECTED_PAGES:
        ids = parse(site / page).ids
        assert len(ids) == len(set(ids)), f"duplicate id on {page}"


def test_internal_links_are_relative_and_resolve(site: Path) -> None:
    for page in EXPECTED_PAGES - {"404.html"}:
        page_url = "http://site.test/" + page
        for link in parse(site / page).links:
            target = urlsplit(urljoin(page_url, link))
            if target.netloc != "site.test":
                continue
            assert not link.startswith("/"), f"{page}: absolute link {link}"
            path = target.path.lstrip("/")
            file = site / (path + "index.html" if path.endswith("/") or path == "" else path)
            assert file.is_file(), f"{page}: {link} does not resolve"
            if target.fragment and file.suffix == ".html":
                assert target.fragment in parse(file).ids, f"{page}: {link} has no such anchor"


def test_404_uses_absolute_links(site: Path) -> None:
    links = parse(site / "404.html").links
    assert links and all(link.startswith("/") for link in links if not link.startswith(("#", "http")))


def test_home_figures_are_computed(site: Path) -> None:
    html = (site / "index.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "2 Domains" in text and "3 Topics" in text and "3 Interview Q&amp;As" in text
    assert "Test Coverage" in text  # the config's highlight
    assert "2 topics" in text and "1 topic " in text  # per-domain topic counts


def test_content_is_escaped_and_rendered(site: Path) -> None:
    html = (site / "retrieval/index.html").read_text(encoding="utf-8")
    assert "It costs $500K (r) and keeps &lt;T&gt; as text." in html
    assert "<strong>keyword</strong>" in html
    # Domain diagram + fenced block, both drawn at build time (from the fixture's committed cache);
    # their source stays in the page, hidden, for `studyguide check`.
    assert html.count('<figure class="diagram is-drawn"') == 2
    assert html.count('<pre class="mermaid" data-diagram hidden>') == 2


def test_cli_build_summary_and_default_out(tmp_path: Path) -> None:
    project = copy_mini(tmp_path / "guide")
    result = run_cli("build", "--no-search", cwd=project)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"Built 12 pages \(2 domains, 3 topics, 3 questions\) in \d+\.\d\d s → \S+site\n",
                        result.stdout)
    assert (project / "site/index.html").is_file()


def test_rebuild_replaces_the_previous_site(tmp_path: Path) -> None:
    project = copy_mini(tmp_path / "guide")
    out = tmp_path / "out"
    build(project / "studyguide.yml", out, search=False)
    (out / "stale.html").write_text("old")
    topic = project / "content/domains/01-retrieval/01-hybrid-search.md"
    topic.write_text(topic.read_text().replace("title: Hybrid Search", "title: Hybrid Retrieval"))
    build(project / "studyguide.yml", out, search=False)
    assert not (out / "stale.html").exists()
    assert "Hybrid Retrieval" in (out / "retrieval/index.html").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["guide", "out"]  # no temp folders left


def test_out_dir_that_would_overwrite_sources_is_refused(tmp_path: Path) -> None:
    project = copy_mini(tmp_path / "guide")
    for out in (".", "content", str(project.parent)):
        result = run_cli("build", "--no-search", "--out", out, cwd=project)
        assert result.returncode == 1, out
        assert "refusing to build into" in result.stderr and "Traceback" not in result.stderr
    assert (project / "content/domains/01-retrieval/domain.yml").is_file()


def test_out_dir_with_foreign_files_is_refused(tmp_path: Path) -> None:
    project = copy_mini(tmp_path / "guide")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "notes.txt").write_text("mine")
    result = run_cli("build", "--no-search", "--out", str(docs), cwd=project)
    assert result.returncode == 1
    assert "is not empty and holds no earlier studyguide build" in result.stderr
    assert (docs / "notes.txt").read_text() == "mine"
    (tmp_path / "empty").mkdir()
    assert run_cli("build", "--no-search", "--out", str(tmp_path / "empty"), cwd=project).returncode == 0


def test_version_and_help(tmp_path: Path) -> None:
    assert run_cli("--version", cwd=tmp_path).stdout.strip() == f"studyguide, version {__version__}"
    help_text = run_cli("--help", cwd=tmp_path).stdout
    for command in ("build", "serve", "deploy", "check"):
        assert command in help_text
    assert "--no-search" in run_cli("build", "--help", cwd=tmp_path).stdout


def test_cli_names_the_template_and_line_of_a_template_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from click.testing import CliRunner

    from studyguide.cli import main
    from studyguide.commands import reporting
    from studyguide.render import theme
    from studyguide.site import builder

    real = theme.default_theme()
    broken = theme.Theme(tmp_path / "templates", real.static)
    shutil.copytree(real.templates, broken.templates)
    page = broken.templates / "page.html"
    lines = page.read_text().splitlines()
    lines.insert(2, "{{ page.no_such_field.deeper }}")
    page.write_text("\n".join(lines) + "\n")
    for module in (builder, theme, reporting):
        monkeypatch.setattr(module, "default_theme", lambda: broken)
    project = copy_mini(tmp_path / "guide")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "--no-search", "-f", str(project / "studyguide.yml")])
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert first.startswith("templates/page.html:3: UndefinedError:"), result.output
    assert "Traceback" not in result.output and not (project / "site").exists()
