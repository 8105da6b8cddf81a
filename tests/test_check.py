"""``studyguide check``: content errors, lint warnings, and checks on the built site.

Most tests run the pure-Python checks only (links, anchors, ids, alt, titles, CSP hygiene, lint);
the Mermaid and HTML-validity checks need Chromium and Java + vnu.jar and are tested separately
with ``require_tool`` (skipped locally when missing, failing under ``STUDYGUIDE_REQUIRE_TOOLS=1``).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest
from conftest import require_tool
from helpers import BUNDLED_CONFIG, run_cli
from richguide import png_bytes

from studyguide.check.builtsite import check_site
from studyguide.check.mermaid import find_chromium
from studyguide.check.report import CheckReport
from studyguide.check.vnu import find_vnu_jar
from studyguide.commands.check import check_project
from studyguide.content.loader import load_guide

MINI = Path(__file__).resolve().parent / "fixtures" / "mini"
TOPIC = "content/domains/01-retrieval/01-hybrid-search.md"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the mini guide, and the working directory (reports show paths relative to it)."""
    shutil.copytree(MINI, tmp_path / "guide")
    monkeypatch.chdir(tmp_path / "guide")
    return tmp_path / "guide"


def fast_check(project: Path) -> CheckReport:
    """Everything but the external tools (and search, which this module does not test)."""
    return check_project(project / "studyguide.yml", search=False, html=False, diagrams=False)


def append(project: Path, rel: str, text: str) -> int:
    """Append `text` to a content file; return the 1-based line where it starts."""
    path = project / rel
    current = path.read_text(encoding="utf-8").rstrip("\n") + "\n\n"
    path.write_text(current + text + "\n", encoding="utf-8")
    return current.count("\n") + 1


def issues(report: CheckReport, check: str) -> list[str]:
    return [f"{i.path}:{i.line}: {i.message}" for i in report.by_check(check)]


def require_chromium_and_playwright() -> None:
    try:
        import playwright.sync_api  # noqa: F401
        has_playwright = True
    except ImportError:
        has_playwright = False
    require_tool(has_playwright and find_chromium() is not None,
                 "Mermaid check needs Playwright and Chromium (apt-get install chromium)")


def require_vnu() -> None:
    require_tool(shutil.which("java") is not None and find_vnu_jar() is not None,
                 "HTML check needs Java and vnu.jar: apt-get install default-jre-headless; "
                 "npm install --prefix ~/.cache/studyguide/vnu vnu-jar")


# -- links and anchors ---------------------------------------------------------------------------


def test_clean_guide_has_no_errors_or_warnings(project: Path) -> None:
    report = fast_check(project)
    assert not report.issues, report.lines()
    assert not report.failed(strict=True)
    links = next(line for line in report.ran if line.startswith("links:"))
    assert re.match(r"links: [1-9]\d* internal links and anchors in 12 pages, 0 broken", links), links


def test_broken_link_is_reported_at_its_content_line(project: Path) -> None:
    line = append(project, TOPIC, "See [the missing page](../nowhere/) for more.")
    report = fast_check(project)
    assert issues(report, "links") == [
        f"{TOPIC}:{line}: broken link '../nowhere/': no page or file at 'nowhere/'"]
    assert report.failed()


def test_anchors_resolve_to_ids_on_the_target_page(project: Path) -> None:
    append(project, TOPIC, "\n".join([
        "[a card elsewhere](../agents/#react-pattern) [on this page](#query-rewriting)",
        "[a question](../interview/#q1) [a tag](../tags/#tag-bm25) [top](#top) [folder](../agents)",
        "[file](../assets/css/site.css) [escaped](../agents/#react%2Dpattern)",
    ]))
    bad = append(project, TOPIC, "[gone](../agents/#no-such-card)")
    report = fast_check(project)
    assert issues(report, "links") == [
        f"{TOPIC}:{bad}: broken anchor '../agents/#no-such-card': no id 'no-such-card' on agents/index.html"]


def test_links_in_questions_and_pages_point_at_their_files(project: Path) -> None:
    question = "content/interview/01-rag/01-q1.md"
    page = "content/pages/01-answer-structure.md"
    q_line = append(project, question, "Compare with [this](../retrieval/#hybrid-searches).")
    p_line = append(project, page, "Also [this](../../outside/).")
    report = fast_check(project)
    found = issues(report, "links")
    assert any(f.startswith(f"{question}:{q_line}: broken anchor") for f in found), found
    assert any(f.startswith(f"{page}:{p_line}: broken link") for f in found), found


def test_absolute_links_follow_base_url(project: Path) -> None:
    config = project / "studyguide.yml"
    config.write_text(config.read_text() + 'base_url: "https://example.github.io/guide/"\n')
    ok = append(project, TOPIC, "[absolute](/guide/agents/#react-pattern) "
                               "[full](https://example.github.io/guide/interview/#q2)")
    bad = append(project, TOPIC, "[root](/agents/)")
    report = fast_check(project)
    found = issues(report, "links")
    assert [f for f in found if f.startswith(f"{TOPIC}:{ok}:")] == []
    assert any(f.startswith(f"{TOPIC}:{bad}:") and "outside the site" in f for f in found), found


# -- page rules on a hand-made site --------------------------------------------------------------


GOOD_HEAD = ('<meta charset="utf-8"><title>Good</title><meta name="description" content="d">'
             "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'\">")


def test_page_rules_on_a_handmade_site(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "assets").mkdir(parents=True)
    (site / "assets/site.css").write_text("body { background: url(bg.png); }\n.ok { background: url('data:image/png;base64,AA'); }\n")
    (site / "good.html").write_text(f"<!doctype html><html><head>{GOOD_HEAD}</head><body><p id=x>ok</p></body></html>")
    (site / "index.html").write_text("\n".join([
        "<!doctype html><html><head><meta charset=utf-8></head><body>",  # 1: no title/description/CSP
        '<p id="dup">a</p>',  # 2
        '<p id="dup">b</p>',  # 3
        '<img src="good.html">',  # 4: no alt
        "<script>alert(1)</script>",  # 5: inline script
        '<script type="application/ld+json">{"ok": true}</script>',  # 6: data block: fine
        '<button onclick="go()">go</button>',  # 7
        '<a href="javascript:alert(1)">x</a> <a href=" JavaScript:alert(1)">y</a>',  # 8
        '<a href="good.html#x">fine</a> <a href="good.html#nope">anchor</a> <a href="gone.html">gone</a>',  # 9
        '<a href="https://example.com/">external</a> <a href="mailto:a@b.c">mail</a>',  # 10
        "</body></html>",
    ]))
    guide = load_guide(MINI / "studyguide.yml")
    report = check_site(site, guide, html=False, diagrams=False, label="<site>")
    found = {(i.check, i.path, i.line, i.message) for i in report.issues}
    expected = {
        ("ids", "<site>/index.html", 3, "duplicate id 'dup' (first at line 2)"),
        ("images", "<site>/index.html", 4, "image 'good.html' has no alt text"),
        ("meta", "<site>/index.html", None, "page has no <title>"),
        ("meta", "<site>/index.html", None, 'page has no <meta name="description">'),
        ("security", "<site>/index.html", None, "page has no Content-Security-Policy <meta>"),
        ("security", "<site>/index.html", 5, "inline <script>: the CSP blocks it (use a file in static/)"),
        ("security", "<site>/index.html", 7, "event-handler attribute 'onclick' on <button>"),
        ("links", "<site>/index.html", 8, "unsafe javascript: URL in <a>"),
        ("links", "<site>/index.html", 9, "broken anchor 'good.html#nope': no id 'nope' on good.html"),
        ("links", "<site>/index.html", 9, "broken link 'gone.html': no page or file at 'gone.html'"),
        ("links", "<site>/assets/site.css", 1, "broken url('bg.png') in stylesheet"),
    }
    assert found - expected == set()
    assert expected - found == set()
    assert len([i for i in report.issues if i.check == "links" and i.line == 8]) == 2  # both spellings


def test_empty_alt_is_fine_in_templates_but_an_error_in_content(project: Path) -> None:
    # The theme's own logo has alt="" (decoration, named by the title beside it): not reported.
    assert issues(fast_check(project), "images") == []
    (project / "content/domains/01-retrieval/assets").mkdir()
    (project / "content/domains/01-retrieval/assets/pic.png").write_bytes(png_bytes(4, 4))
    line = append(project, TOPIC, "![](assets/pic.png)")
    report = fast_check(project)
    assert issues(report, "content") == [
        f"{TOPIC}:{line}: image 'assets/pic.png' has no alt text: describe it, like "
        f"![What the picture shows](assets/pic.png)"]
    assert report.failed()


# -- lint ------------------------------------------------------------------------------------------


def write_topic(project: Path, rel: str, tags: list[str], body: str = "Some text.") -> Path:
    path = project / rel
    tag_lines = "".join(f"  - {t}\n" for t in tags)
    path.write_text(f"---\ntitle: T {path.stem}\nsubtitle: S\ntags:\n{tag_lines}---\n{body}\n", encoding="utf-8")
    return path


def test_tag_spelling_variants_are_warnings(project: Path) -> None:
    write_topic(project, "content/domains/01-retrieval/03-a.md", ["Kafka", "C", "Fine-tuning"])
    write_topic(project, "content/domains/01-retrieval/04-b.md", ["Kafka", "C#", "fine tuning"])
    write_topic(project, "content/domains/02-agents/02-c.md", ["kafka", "C++"])
    report = fast_check(project)
    found = issues(report, "lint")
    assert sorted(found) == [
        "content/domains/01-retrieval/04-b.md:7: tag 'fine tuning' differs from 'Fine-tuning' (1 topic) "
        "only by case or punctuation: use one spelling",
        "content/domains/02-agents/02-c.md:5: tag 'kafka' differs from 'Kafka' (2 topics) "
        "only by case or punctuation: use one spelling",
    ], found  # and C, C# and C++ are different tags
    assert not report.failed() and report.failed(strict=True)


def test_same_tag_twice_on_a_topic_is_a_warning(project: Path) -> None:
    write_topic(project, "content/domains/01-retrieval/03-a.md", ["RAG", "Agents", "RAG"])
    found = issues(fast_check(project), "lint")
    assert found == ["content/domains/01-retrieval/03-a.md:7: tag 'RAG' is listed twice"], found


def test_topic_without_tags_is_a_content_error(project: Path) -> None:
    path = project / "content/domains/01-retrieval/03-a.md"
    path.write_text("---\ntitle: T\nsubtitle: S\ntags: []\n---\nText.\n")
    report = fast_check(project)
    assert issues(report, "content") == ["content/domains/01-retrieval/03-a.md:4: 'tags' must not be empty"]
    assert report.failed()


def test_empty_sections_are_warnings(project: Path) -> None:
    body = "Intro.\n\n## Empty heading\n\n## Full heading\n\nText.\n\n### Empty at the end"
    path = write_topic(project, "content/domains/01-retrieval/03-a.md", ["X"], body)
    question = "content/interview/01-rag/01-q1.md"
    q_line = append(project, question, "### Sub-heading with nothing under it")
    shutil.rmtree(project / "content/domains/02-agents")
    (project / "content/domains/02-agents").mkdir()
    (project / "content/domains/02-agents/domain.yml").write_text(
        "name: Agents\nicon: A\ndiagram:\n  title: Loop\n  file: loop.mmd\n")
    (project / "content/domains/02-agents/loop.mmd").write_text("flowchart LR\n  A --> B\n")
    (project / "content/interview/03-empty").mkdir()
    (project / "content/interview/03-empty/group.yml").write_text("name: Empty\nicon: E\n")
    found = issues(fast_check(project), "lint")
    rel = path.relative_to(project).as_posix()
    assert sorted(found) == sorted([
        f"{rel}:9: section 'Empty heading' is empty: add text under it or remove the heading",
        f"{rel}:15: section 'Empty at the end' is empty: add text under it or remove the heading",
        f"{question}:{q_line}: section 'Sub-heading with nothing under it' is empty: add text under it or remove the heading",
        "content/domains/02-agents/domain.yml:1: domain 'Agents' has no topics",
        "content/interview/03-empty/group.yml:1: question group 'Empty' has no questions",
    ]), found


# -- content errors and the command ------------------------------------------------------------


def test_content_errors_stop_the_check_with_path_and_line(project: Path) -> None:
    (project / TOPIC).write_text("---\ntitle: [unclosed\n---\nText\n")
    report = fast_check(project)
    assert [i.format() for i in report.errors] == [f"{TOPIC}:3: error: invalid YAML: did not find expected ',' or ']'"]
    assert "content: 1 error; the site was not built or checked" in report.ran


def test_cli_reports_grouped_by_file_and_exits_1(project: Path) -> None:
    first = append(project, TOPIC, "[a](../nowhere/)")
    second = append(project, TOPIC, "[b](../agents/#nope)")
    page_line = append(project, "content/pages/01-answer-structure.md", "[c](../gone/)")
    env = {"STUDYGUIDE_VNU_JAR": "/nonexistent/vnu.jar", "STUDYGUIDE_CHROMIUM": "/nonexistent/chromium"}
    result = run_cli_env(["check"], project, env)
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stdout.splitlines()
    topic_lines = [i for i, line in enumerate(lines) if line.startswith(f"{TOPIC}:")]
    assert [lines[i].split(": ")[0] for i in topic_lines] == [f"{TOPIC}:{first}", f"{TOPIC}:{second}"]
    assert topic_lines == list(range(topic_lines[0], topic_lines[0] + 2))  # together, in line order
    assert f"content/pages/01-answer-structure.md:{page_line}: error: broken link '../gone/'" in result.stdout
    assert "check failed: 3 errors" in result.stdout


def run_cli_env(args: list[str], cwd: Path, env: dict[str, str]):
    import subprocess

    repo = Path(__file__).resolve().parent.parent
    full = {k: v for k, v in os.environ.items() if k != "STUDYGUIDE_REQUIRE_TOOLS"}
    full.update(PYTHONPATH=str(repo), **env)
    return subprocess.run([sys.executable, "-m", "studyguide", *args], cwd=cwd, env=full,
                          capture_output=True, text=True, timeout=300)


def test_missing_tools_are_reported_as_skipped_never_passed(project: Path) -> None:
    env = {"STUDYGUIDE_VNU_JAR": "/nonexistent/vnu.jar", "STUDYGUIDE_CHROMIUM": "/nonexistent/chromium"}
    result = run_cli_env(["check", "--strict"], project, env)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert re.search(r"diagrams: SKIPPED — 3 Mermaid diagrams NOT checked: Chromium not found", out), out
    assert re.search(r"html: SKIPPED — HTML NOT validated: \$STUDYGUIDE_VNU_JAR points at a missing file", out), out
    assert "parsed with" not in out and "validated with" not in out
    assert "check passed: 0 errors, 0 warnings" in out and "checks skipped" in out
    required = run_cli_env(["check"], project, dict(env, STUDYGUIDE_REQUIRE_TOOLS="1"))
    assert required.returncode == 1
    assert "STUDYGUIDE_REQUIRE_TOOLS=1 requires it" in required.stdout


def test_unusable_search_indexer_is_skipped_not_fatal(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    search = pytest.importorskip("studyguide.site.search")

    async def no_pagefind(records, output):
        raise search.SearchIndexError("cannot run the Pagefind indexer (simulated)")

    monkeypatch.setattr(search, "write_index", no_pagefind)
    monkeypatch.delenv("STUDYGUIDE_REQUIRE_TOOLS", raising=False)
    report = check_project(project / "studyguide.yml", html=False, diagrams=False)
    assert report.skipped == ["search: SKIPPED — search index not built (cannot run the Pagefind indexer (simulated))"]
    assert not report.issues and any(line.startswith("links:") for line in report.ran)
    monkeypatch.setenv("STUDYGUIDE_REQUIRE_TOOLS", "1")
    assert check_project(project / "studyguide.yml", html=False, diagrams=False).failed()


def test_cli_check_leaves_no_site_behind(project: Path) -> None:
    env = {"STUDYGUIDE_VNU_JAR": "/nonexistent/vnu.jar", "STUDYGUIDE_CHROMIUM": "/nonexistent/chromium"}
    before = sorted(p.name for p in project.iterdir())
    assert run_cli_env(["check"], project, env).returncode == 0
    assert sorted(p.name for p in project.iterdir()) == before


# -- the tool-backed checks ----------------------------------------------------------------------


BROKEN_FLOW = "flowchart LR\n  A[Query] --> B[Retriever]\n  B --> (\n  B --> C\n"
BROKEN_FENCE = "```mermaid\nsequenceDiagram\n  A->>B: hi\n  B-->>: nobody\n```"


def test_broken_mermaid_is_reported_at_its_line_by_the_build(project: Path) -> None:
    """Drawn at build time (the default renderer), a diagram Mermaid rejects is a content error at its
    file and line, every one in one run, and nothing is built."""
    require_chromium_and_playwright()
    (project / "content/domains/01-retrieval/diagram.mmd").write_text(BROKEN_FLOW)
    fence = append(project, TOPIC, BROKEN_FENCE)
    report = check_project(project / "studyguide.yml", search=False, html=False, diagrams=True)
    found = sorted(issues(report, "content"), key=lambda line: not line.startswith("content/domains/01-retrieval/diagram"))
    assert len(found) == 2, found
    assert found[0].startswith("content/domains/01-retrieval/diagram.mmd:3: Mermaid diagram does not render: "
                               "Parse error on line 3:"), found
    assert found[1].startswith(f"{TOPIC}:{fence + 3}: Mermaid diagram does not render: Parse error on line 3"), found
    assert "Expecting" in found[0]
    assert report.failed()


def test_broken_mermaid_is_reported_at_its_line_by_the_parse_check(project: Path) -> None:
    """With the browser renderer nothing is drawn at build time: the check's own parse finds them."""
    require_chromium_and_playwright()
    config = project / "studyguide.yml"
    config.write_text(config.read_text() + "diagrams:\n  renderer: browser\n")
    (project / "content/domains/01-retrieval/diagram.mmd").write_text(BROKEN_FLOW)
    fence = append(project, TOPIC, BROKEN_FENCE)
    report = check_project(config, search=False, html=False, diagrams=True)
    found = issues(report, "diagrams")
    assert len(found) == 2, found
    found.sort(key=lambda issue: not issue.startswith("content/domains/01-retrieval/diagram.mmd"))  # pages' order
    assert found[0].startswith("content/domains/01-retrieval/diagram.mmd:3: Mermaid diagram does not parse: "
                               "Parse error on line 3:"), found
    assert found[1].startswith(f"{TOPIC}:{fence + 3}: Mermaid diagram does not parse: Parse error on line 3"), found
    assert "Expecting" in found[0]
    assert any(re.match(r"diagrams: 4 parsed with Mermaid 11\.\d+\.\d+ in Chromium", r) for r in report.ran)


def test_invalid_html_is_reported_by_the_nu_checker(tmp_path: Path) -> None:
    require_vnu()
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(
        f'<!doctype html>\n<html lang="en">\n<head>{GOOD_HEAD}</head>\n<body>\n<p>x<div>y</div></p>\n'
        '<span><li>item</li></span>\n</body>\n</html>\n')
    (site / "ok.html").write_text(f'<!doctype html>\n<html lang="en"><head>{GOOD_HEAD}</head><body><p>fine</p></body></html>\n')
    report = check_site(site, load_guide(MINI / "studyguide.yml"), diagrams=False, label="<site>")
    found = issues(report, "html")
    assert any(f.startswith("<site>/index.html:5: No “p” element in scope") for f in found), found
    assert any(f.startswith("<site>/index.html:6: Element “li” not allowed") for f in found), found
    assert not [f for f in found if "ok.html" in f]
    assert any(re.match(r"html: 2 pages validated with the Nu HTML Checker \d+\.\d+\.\d+", r) for r in report.ran)


def test_check_strict_passes_on_the_bundled_guide() -> None:
    """The acceptance gate CI runs: 0 broken links, 0 HTML errors, every diagram parses."""
    require_vnu()
    require_chromium_and_playwright()
    result = run_cli("check", "--strict", cwd=BUNDLED_CONFIG.parent)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert re.search(r"links: \d+ internal links and anchors in \d+ pages, 0 broken", out), out
    assert re.search(r"diagrams: \d+ parsed with Mermaid", out) and re.search(r"html: \d+ pages validated", out), out
    assert "SKIPPED" not in out and "check passed: 0 errors, 0 warnings" in out
