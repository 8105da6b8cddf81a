"""Hostile content is inert, paths stay inside their folders, and the CSP allows only the site.

One guide full of attacks — raw HTML, ``<script>``, ``javascript:``/``data:`` links in every
Markdown form, ``onerror=`` attributes, ``</details>`` in a title, quotes in tags, Jinja syntax,
``</script>`` in text that ends up in JSON-LD, HTML in a Mermaid label — is built once, and each
test asserts on the built HTML (parsed, not grepped) that the attack is shown as text or dropped.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import run_cli
from richguide import png_bytes

from studyguide.check.builtsite import check_site
from studyguide.content.errors import ContentErrors
from studyguide.content.loader import load_guide
from studyguide.render.theme import Theme, default_theme
from studyguide.site.builder import OutputDirError, SiteBuilder

MINI = Path(__file__).resolve().parent / "fixtures" / "mini"

EVIL_TITLE = "</details><script>alert('title')</script>"
EVIL_SUBTITLE = '"><img src=x onerror=alert(1)>'
EVIL_TAGS = ['a" onmouseover="alert(1)', "b'c", "</a><script>x</script>", "{{ 7*7 }}"]
EVIL_QUESTION = "</script><script>alert('q')</script> {{ 7*7 }}"
JINJA = "{{ 7*7 }} {% if true %}yes{% endif %} {# hidden #} {{ config.__class__ }}"

EVIL_TOPIC = f"""---
title: "{EVIL_TITLE}"
subtitle: '{EVIL_SUBTITLE}'
tags: {json.dumps(EVIL_TAGS)}
---
<script>alert("raw")</script>

<img src=x onerror=alert(1)>

<iframe src="https://evil.example/"></iframe><style>body{{display:none}}</style>

<a href="javascript:alert(1)">raw link</a>

[js](javascript:alert(1)) [JS](JAVASCRIPT:alert(1)) [tab](jav&#x09;ascript:alert(1))
[ent](&#106;avascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=) [vb](vbscript:x)
[space]( javascript:alert(1) ) [ref][r] <javascript:alert(1)>

![img](javascript:alert(1)) ![x" onerror="alert(1)](assets/y.png) ![t](assets/y.png "t\\" onerror=\\"alert(1)")

Template syntax: {JINJA}

[r]: javascript:alert(1)

```mermaid
flowchart LR
  A["</pre><script>alert(1)</script>"] --> B
```
"""

EVIL_QUESTION_FILE = f"""---
id: Q9
question: "{EVIL_QUESTION}"
badge: Critical
---
## Problem </details><script>alert(1)</script>
Body with </script><script>alert(2)</script>, <!-- a comment --> and {JINJA}.
"""

EVIL_DIAGRAM = """flowchart LR
  A["<img src=x onerror=window.__pwned=1>"] --> B["<script>window.__pwned=2</script>"]
  C["<a href='javascript:window.__pwned=3'>link</a>"] --> D
  click A call pwn()
  click C href "javascript:window.__pwned=4"
"""


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} no longer contains {old!r}: update this test"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def make_hostile_guide(root: Path) -> Path:
    project = root / "hostile"
    shutil.copytree(MINI, project)
    content = project / "content"
    (content / "domains/01-retrieval/03-evil.md").write_text(EVIL_TOPIC, encoding="utf-8")
    (content / "domains/01-retrieval/assets").mkdir()  # images must exist (the loader checks)
    (content / "domains/01-retrieval/assets/y.png").write_bytes(png_bytes(8, 8))
    (content / "interview/01-rag/03-q9.md").write_text(EVIL_QUESTION_FILE, encoding="utf-8")
    (content / "pages/02-evil-page.md").write_text(
        f'---\ntitle: "<script>alert(3)</script>"\nlabel: "</p><b onclick=x>"\n---\n{JINJA}\n', encoding="utf-8")
    (content / "domains/01-retrieval/diagram.mmd").write_text(EVIL_DIAGRAM, encoding="utf-8")
    replace(content / "domains/02-agents/domain.yml", "name: Agents", 'name: "Agents</title><script>x()</script>"')
    replace(project / "studyguide.yml", "title: Mini Guide", 'title: "Mini {{ site }} </title><script>y()</script>"')
    return project


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(project, built site) of the hostile guide."""
    root = tmp_path_factory.mktemp("hostile")
    project = make_hostile_guide(root)
    out = root / "site"
    SiteBuilder(project / "studyguide.yml", out, search=False).build()
    return project, out


class Element:
    def __init__(self, tag: str, attrs: list[tuple[str, str | None]], line: int) -> None:
        self.tag, self.attrs, self.line = tag, attrs, line
        self.text = ""

    def get(self, name: str) -> str | None:
        return dict(self.attrs).get(name)


class Collector(HTMLParser):
    """Every element with its attributes; text of <script>, <title> and elements we ask about."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open: list[Element] = []
        self.ends: dict[str, int] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, attrs, self.getpos()[0])
        self.elements.append(element)
        if tag not in ("img", "meta", "link", "br", "hr", "input", "source", "wbr"):
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        self.ends[tag] = self.ends.get(tag, 0) + 1
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i].tag == tag:
                del self.open[i:]
                break

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element.text += data


def parse(path: Path) -> Collector:
    collector = Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    collector.close()
    return collector


def pages(site: Path) -> dict[str, Collector]:
    return {p.relative_to(site).as_posix(): parse(p) for p in sorted(site.rglob("*.html"))}


def browser_scheme(url: str) -> str:
    """The scheme a browser would see: it strips leading C0/space and drops tabs and newlines."""
    cleaned = re.sub(r"[\t\n\r]", "", url).lstrip("".join(chr(c) for c in range(0x21)))
    match = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", cleaned)
    return match.group(1).lower() if match else ""


# -- markup injection --------------------------------------------------------------------------


def test_every_script_is_a_theme_file_or_inert_json(hostile: tuple[Path, Path]) -> None:
    _, site = hostile
    for name, page in pages(site).items():
        scripts = [e for e in page.elements if e.tag == "script"]
        assert scripts, name
        for script in scripts:
            src = script.get("src")
            if src is not None:
                assert re.match(r"^(\.\./)*assets/(js/[a-z-]+|vendor/[a-z-]+/[a-z.-]+)\.js(\?v=[0-9a-f]+)?$", src) or src.startswith("/assets/js/"), \
                    f"{name}:{script.line}: unexpected script {src}"
            else:
                # Only data: JSON-LD, or the study scripts' card list (application/json is never run).
                assert script.get("type") in ("application/ld+json", "application/json"), \
                    f"{name}:{script.line}: inline script"
                json.loads(script.text)  # a </script> in content would have cut it short


def test_json_ld_keeps_hostile_text_as_data(hostile: tuple[Path, Path]) -> None:
    _, site = hostile
    page = parse(site / "interview/index.html")
    blocks = [json.loads(e.text) for e in page.elements if e.tag == "script" and e.get("type") == "application/ld+json"]

    def strings(value: object) -> list[str]:
        if isinstance(value, dict):
            return [s for v in value.values() for s in strings(v)]
        if isinstance(value, list):
            return [s for v in value for s in strings(v)]
        return [value] if isinstance(value, str) else []

    assert EVIL_QUESTION in strings(blocks)  # the exact text, as data, after a full JSON parse


def test_no_event_handler_or_odd_attribute_anywhere(hostile: tuple[Path, Path]) -> None:
    _, site = hostile
    for name, page in pages(site).items():
        for element in page.elements:
            for attr, _ in element.attrs:
                assert not attr.startswith("on"), f"{name}:{element.line}: <{element.tag} {attr}>"
                assert re.match(r"^[a-z][a-z0-9-]*$", attr), f"{name}:{element.line}: attribute {attr!r}"


def test_raw_html_is_shown_as_text(hostile: tuple[Path, Path]) -> None:
    _, site = hostile
    page = parse(site / "retrieval/index.html")
    assert not [e for e in page.elements if e.tag in ("iframe", "object", "embed")]
    # The only <style> elements are Mermaid's own, one in each diagram SVG drawn at build time.
    drawn = [e for e in page.elements if e.tag == "svg" and e.get("aria-roledescription")]
    assert drawn and len([e for e in page.elements if e.tag == "style"]) == len(drawn)
    # The Markdown's raw <img src=x onerror=…> is text; the only such <img> elements are the hostile
    # diagram's label as Mermaid's strict mode sanitised it (drawn at build time): no handler left.
    for img in [e for e in page.elements if e.tag == "img" and e.get("src") == "x"]:
        assert not [name for name, _ in img.attrs if name.lower().startswith("on")], img.attrs
    # One such label per drawn SVG (one SVG serves both themes).
    assert len([e for e in page.elements if e.tag == "img" and e.get("src") == "x"]) == 1
    card = next(e for e in page.elements if e.get("id") == "evil")
    assert '<script>alert("raw")</script>' in card.text
    assert "<img src=x onerror=alert(1)>" in card.text
    assert '<a href="javascript:alert(1)">raw link</a>' in card.text


def test_no_dangerous_url_in_any_attribute(hostile: tuple[Path, Path]) -> None:
    _, site = hostile
    seen = 0
    for name, page in pages(site).items():
        for element in page.elements:
            for attr, value in element.attrs:
                if attr in ("href", "src", "action", "formaction", "data", "poster", "xlink:href") and value:
                    seen += 1
                    scheme = browser_scheme(value)
                    assert scheme not in ("javascript", "vbscript", "data", "file"), \
                        f"{name}:{element.line}: <{element.tag} {attr}={value!r}>"
    assert seen > 50


def test_markdown_links_with_bad_schemes_stay_text(hostile: tuple[Path, Path]) -> None:
    _, site = hostile
    page = parse(site / "retrieval/index.html")
    card = next(e for e in page.elements if e.get("id") == "evil")
    for text in ("[js](javascript:alert(1))", "[JS](JAVASCRIPT:alert(1))", "[vb](vbscript:x)",
                 "[data](data:text/html;base64,PHNjcmlwdD4=)", "![img](javascript:alert(1))"):
        assert text in card.text, text


def test_closing_details_in_a_title_cannot_close_the_card(hostile: tuple[Path, Path]) -> None:
    _, site = hostile
    page = parse(site / "retrieval/index.html")
    opened = sum(1 for e in page.elements if e.tag == "details")
    assert opened == page.ends.get("details", 0)
    card = next(e for e in page.elements if e.get("id") == "evil")
    assert card.tag == "details"
    title = next(e for e in page.elements if e.get("class") == "card-title" and e.line >= card.line)
    assert title.text == EVIL_TITLE
    subtitle = next(e for e in page.elements if e.get("class") == "card-subtitle" and e.line >= card.line)
    assert subtitle.text == EVIL_SUBTITLE


def test_quotes_in_tags_stay_inside_attributes_and_text(hostile: tuple[Path, Path]) -> None:
    _, site = hostile
    domain = parse(site / "retrieval/index.html")
    card = next(e for e in domain.elements if e.get("id") == "evil")
    links = [e for e in domain.elements if e.get("class") == "tag" and e.line >= card.line][:len(EVIL_TAGS)]
    assert [e.text for e in links] == EVIL_TAGS
    tags_page = parse(site / "tags/index.html")
    anchors = {e.get("id") for e in tags_page.elements if (e.get("id") or "").startswith("tag-")}
    for link in links:  # each tag link lands on a normalised anchor that exists
        page_url, _, fragment = (link.get("href") or "").partition("#")
        assert page_url == "../tags/" and re.match(r"^[a-z0-9-]+$", fragment) and fragment in anchors, link.attrs


def test_every_id_is_normalised(hostile: tuple[Path, Path]) -> None:
    _, site = hostile
    for name, page in pages(site).items():
        for element in page.elements:
            ident = element.get("id")
            if ident is not None:
                assert re.match(r"^[a-z0-9-]+$", ident), f"{name}:{element.line}: id={ident!r}"


def test_jinja_syntax_in_content_is_literal_text(hostile: tuple[Path, Path]) -> None:
    _, site = hostile
    page = parse(site / "evil-page/index.html")
    body = next(e for e in page.elements if e.tag == "main").text
    assert "{{ 7*7 }}" in body and "{% if true %}yes{% endif %}" in body and "{# hidden #}" in body
    assert "49" not in body
    title = next(e for e in page.elements if e.tag == "title").text
    assert "<script>alert(3)</script>" in title
    home_title = next(e for e in parse(site / "index.html").elements if e.tag == "title").text
    assert "{{ site }}" in home_title and "</title><script>y()</script>" in home_title


def test_diagram_source_is_escaped_in_the_page(hostile: tuple[Path, Path]) -> None:
    _, site = hostile
    page = parse(site / "retrieval/index.html")
    diagrams = [e.text for e in page.elements if e.tag == "pre" and "data-diagram" in dict(e.attrs)]
    assert EVIL_DIAGRAM.strip() in diagrams
    assert any("</pre><script>alert(1)</script>" in d for d in diagrams)


def test_site_check_finds_no_security_problem_in_the_hostile_build(hostile: tuple[Path, Path]) -> None:
    project, site = hostile
    report = check_site(site, load_guide(project / "studyguide.yml"), html=False, diagrams=False)
    assert not report.by_check("security"), report.lines()
    assert not [i for i in report.issues if "unsafe" in i.message], report.lines()


# -- CSP and Mermaid -----------------------------------------------------------------------------


def csp_directives(page: Collector) -> dict[str, list[str]]:
    metas = [e for e in page.elements if e.tag == "meta" and (e.get("http-equiv") or "").lower() == "content-security-policy"]
    assert len(metas) == 1
    return {parts[0]: parts[1:] for parts in (d.split() for d in (metas[0].get("content") or "").split(";")) if parts}


def test_csp_allows_only_the_site_itself(hostile: tuple[Path, Path]) -> None:
    _, site = hostile
    for name, page in pages(site).items():
        csp = csp_directives(page)
        assert csp["default-src"] == ["'self'"], name
        assert csp["script-src"] == ["'self'", "'wasm-unsafe-eval'"], name  # no inline script, no eval
        # 'unsafe-inline' styles: Mermaid 11 writes a <style> into each SVG and style="" attributes
        # (measured: without it every diagram renders unstyled and logs a CSP violation per node).
        assert set(csp["style-src"]) <= {"'self'", "'unsafe-inline'"}, name
        assert set(csp["img-src"]) <= {"'self'", "data:"}, name
        assert csp["connect-src"] == ["'self'"], name
        assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'self'"], name
        for directive, sources in csp.items():
            assert not any(s == "*" or "://" in s or s.startswith(("http:", "https:")) for s in sources), directive


def test_diagrams_run_with_strict_security_level() -> None:
    script = (default_theme().static / "js" / "diagrams.js").read_text(encoding="utf-8")
    assert re.search(r"securityLevel:\s*[\"']strict[\"']", script)
    assert not re.search(r"securityLevel:\s*[\"'](loose|antiscript|sandbox)[\"']", script)


@pytest.fixture(scope="module")
def hostile_without_csp(hostile: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile guide built with a copy of the theme whose base.html has no CSP <meta>."""
    project, _ = hostile
    root = tmp_path_factory.mktemp("no-csp")
    theme = Theme(root / "templates", default_theme().static)
    shutil.copytree(default_theme().templates, theme.templates)
    base = theme.templates / "base.html"
    lines = [line for line in base.read_text().splitlines(keepends=True) if "Content-Security-Policy" not in line]
    base.write_text("".join(lines))
    SiteBuilder(project / "studyguide.yml", root / "site", theme=theme, search=False).build()
    return root / "site"


@pytest.mark.parametrize("csp", [True, False], ids=["with-csp", "mermaid-alone"])
def test_hostile_diagram_renders_without_running_anything(hostile: tuple[Path, Path], hostile_without_csp: Path,
                                                          csp: bool, page, serve_dir, watch_page) -> None:
    """In Chromium: the SVG appears and no label, click or link in it runs code — with the site's
    CSP, and also without it (Mermaid's strict security level on its own)."""
    site = hostile[1] if csp else hostile_without_csp
    base = serve_dir(site)
    watch = watch_page(page, base)
    page.add_init_script("window.pwn = () => { window.__pwned = 'click'; };")
    page.goto(base + "retrieval/")
    page.wait_for_selector("figure.diagram svg >> visible=true", timeout=20000)
    page.wait_for_timeout(300)
    for node in page.query_selector_all("figure.diagram .diagram-render:visible svg .node"):
        node.click(force=True)
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    svg = page.eval_on_selector("figure.diagram svg", "svg => svg.outerHTML")
    assert "<script" not in svg.lower()
    assert not re.search(r"\son[a-z]+\s*=", svg, re.I)
    assert "javascript:" not in svg.lower()
    assert not watch.page_errors and not watch.foreign_requests
    # Expected noise only: the hostile content's image x is missing, so it 404s; with
    # the CSP, Chromium also reports the label's onerror= it blocked while Mermaid sanitised it.
    noise = re.compile(r"^(Failed to load resource: .* 404|Executing inline event handler violates .*Content Security Policy)")
    assert [m for m in watch.console_errors if not noise.match(m)] == []
    assert all(e.split()[0] == "404" and e.endswith("/retrieval/x") for e in watch.http_errors)


# -- paths -----------------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(MINI, tmp_path / "guide")
    return tmp_path / "guide"


def load_errors(project: Path) -> list[str]:
    with pytest.raises(ContentErrors) as caught:
        load_guide(project / "studyguide.yml")
    return [str(e) for e in caught.value.errors]


def test_quotes_in_a_question_id_are_an_error(project: Path) -> None:
    replace(project / "content/interview/01-rag/01-q1.md", "id: Q1", "id: 'Q1\" onclick=\"x'")
    errors = load_errors(project)
    assert any(re.search(r"01-q1\.md:2: question id .* must be letters then digits", e) for e in errors), errors


@pytest.mark.parametrize("name", ["01-...md", "03-a..b.md", "04-..%2F..%2Fx.md", "05-A.md", "06-a b.md", "07-é.md"])
def test_dots_and_odd_characters_in_file_names_are_errors(project: Path, name: str) -> None:
    source = project / "content/domains/01-retrieval/01-hybrid-search.md"
    shutil.copy(source, source.parent / name)
    errors = load_errors(project)
    assert any(name in e and ":1: " in e for e in errors), errors


def test_dotdot_folder_name_is_an_error(project: Path) -> None:
    shutil.copytree(project / "content/domains/02-agents", project / "content/domains/03-..")
    errors = load_errors(project)
    assert any("03-..:1: slug '..'" in e for e in errors), errors


def test_diagram_file_outside_the_domain_is_an_error(project: Path) -> None:
    (project / "secret.mmd").write_text("flowchart LR\n  secret --> leaked\n")
    replace(project / "content/domains/01-retrieval/domain.yml", "file: diagram.mmd", "file: ../../../secret.mmd")
    errors = load_errors(project)
    assert any("domain.yml:" in e and "must be inside the domain folder" in e for e in errors), errors


def test_symlink_leading_outside_content_is_an_error(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("---\ntitle: Secret\nsubtitle: s\ntags: [x]\n---\nPRIVATE KEY\n")
    (project / "content/domains/01-retrieval/03-leak.md").symlink_to(outside)
    (project / "content/domains/09-elsewhere").symlink_to(tmp_path, target_is_directory=True)
    errors = load_errors(project)
    assert any("03-leak.md:1: symbolic link" in e for e in errors), errors
    assert any("09-elsewhere:1: symbolic link" in e for e in errors), errors


def test_symlink_inside_content_is_fine(project: Path) -> None:
    source = project / "content/domains/01-retrieval/01-hybrid-search.md"
    (project / "content/domains/02-agents/02-hybrid-again.md").symlink_to(source)
    guide = load_guide(project / "studyguide.yml")
    assert "hybrid-again" in [t.slug for t in guide.topics]


@pytest.mark.parametrize("out", [".", "..", "content", "content/site", "content/domains/01-retrieval"])
def test_cli_refuses_out_over_or_inside_sources(project: Path, out: str) -> None:
    before = sorted(p.relative_to(project.parent).as_posix() for p in project.parent.rglob("*"))
    result = run_cli("build", "--no-search", "--out", out, cwd=project)
    assert result.returncode == 1, result.stdout
    assert "refusing to build into" in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.relative_to(project.parent).as_posix() for p in project.parent.rglob("*")) == before


def test_cli_refuses_out_that_is_a_file(project: Path) -> None:
    (project / "notes.txt").write_text("keep me")
    result = run_cli("build", "--no-search", "--out", "notes.txt", cwd=project)
    assert result.returncode == 1 and "is a file" in result.stderr
    assert (project / "notes.txt").read_text() == "keep me"


def test_cli_refuses_out_symlinked_to_content(project: Path) -> None:
    (project / "site-link").symlink_to(project / "content", target_is_directory=True)
    result = run_cli("build", "--no-search", "--out", "site-link", cwd=project)
    assert result.returncode == 1 and "refusing to build into" in result.stderr
    assert (project / "content/domains/01-retrieval/domain.yml").is_file()


@pytest.mark.parametrize("where", ["templates", "static", "static/css", "templates/partials"])
def test_refuses_out_over_or_inside_the_theme(project: Path, tmp_path: Path, where: str) -> None:
    theme = default_theme()
    copy = Theme(tmp_path / "theme/templates", tmp_path / "theme/static")
    shutil.copytree(theme.templates, copy.templates)
    shutil.copytree(theme.static, copy.static)
    before = sorted(p.as_posix() for p in (tmp_path / "theme").rglob("*"))
    with pytest.raises(OutputDirError):
        SiteBuilder(project / "studyguide.yml", tmp_path / "theme" / where, theme=copy, search=False).build()
    assert sorted(p.as_posix() for p in (tmp_path / "theme").rglob("*")) == before


def test_site_beside_the_sources_is_allowed(project: Path) -> None:
    result = run_cli("build", "--no-search", "--out", "public", cwd=project)
    assert result.returncode == 0, result.stderr
    assert (project / "public/index.html").is_file()
