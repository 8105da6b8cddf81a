"""sitemap.xml, robots.txt, CNAME, the meta tags and the JSON-LD of built sites.

Built output is read back with independent parsers (xml.etree, html.parser, json), never with the
code that wrote it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from studyguide.content.loader import Loader
from studyguide.render import seo
from studyguide.site import sitemap as sitemap_module
from studyguide.site.builder import SiteBuilder

REPO = Path(__file__).resolve().parents[1]
MINI = REPO / "tests" / "fixtures" / "mini"
BUNDLED_CONFIG = REPO / "studyguide.yml"
BASE = "https://alice.github.io/guide/"
NS = {"sm": sitemap_module.SITEMAP_NS}


class HeadReader(HTMLParser):
    """Collects <meta>, <link rel=canonical> and the JSON-LD blocks of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.canonical: list[str] = []
        self.jsonld: list[str] = []
        self._in_jsonld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "meta" and (a.get("name") or a.get("property")):
            self.meta[a.get("name") or a.get("property") or ""] = a.get("content") or ""
        elif tag == "link" and a.get("rel") == "canonical":
            self.canonical.append(a.get("href") or "")
        elif tag == "script" and a.get("type") == "application/ld+json":
            self._in_jsonld = True
            self.jsonld.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_jsonld = False

    def handle_data(self, data: str) -> None:
        if self._in_jsonld:
            self.jsonld[-1] += data


def read_head(path: Path) -> HeadReader:
    reader = HeadReader()
    reader.feed(path.read_text(encoding="utf-8"))
    return reader


def jsonld_of(path: Path) -> list[dict]:
    return [json.loads(block) for block in read_head(path).jsonld]


def make_project(tmp_path: Path, extra_config: str = "") -> Path:
    project = tmp_path / "project"
    shutil.copytree(MINI, project)
    config = project / "studyguide.yml"
    config.write_text(config.read_text() + extra_config)
    return config


def build(config: Path, out: Path) -> Path:
    SiteBuilder(config, out, search=False).build()
    return out


def pages_on_disk(site: Path) -> set[str]:
    """Site-relative URLs of every page meant for readers and search engines, from the files
    themselves (not the 404 page, nor practice/cards.html, the practice script's copy of the cards)."""
    return {seo.page_url(p.relative_to(site).as_posix()) for p in site.rglob("*.html")
            if p.name != "404.html" and p.relative_to(site).as_posix() != "practice/cards.html"}


def sitemap(site: Path) -> dict[str, str | None]:
    root = ET.parse(site / "sitemap.xml").getroot()
    assert root.tag == f"{{{sitemap_module.SITEMAP_NS}}}urlset"
    entries = {}
    for url in root.findall("sm:url", NS):
        lastmod = url.find("sm:lastmod", NS)
        entries[url.findtext("sm:loc", namespaces=NS)] = lastmod.text if lastmod is not None else None
    return entries


# --- files ---------------------------------------------------------------------------------------


def test_sitemap_lists_every_page_with_lastmod(tmp_path: Path) -> None:
    site = build(make_project(tmp_path, f"base_url: {BASE}\n"), tmp_path / "site")
    entries = sitemap(site)
    assert set(entries) == {BASE + url for url in pages_on_disk(site)}
    assert BASE + "404.html" not in entries
    for loc, lastmod in entries.items():
        assert lastmod is not None, loc
        assert datetime.fromisoformat(lastmod).tzinfo is not None  # W3C datetime with offset


def test_robots_points_at_the_sitemap_and_cname_is_written(tmp_path: Path) -> None:
    site = build(make_project(tmp_path, f"base_url: {BASE}\ncname: guide.example.com\n"), tmp_path / "site")
    robots = (site / "robots.txt").read_text()
    assert f"Sitemap: {BASE}sitemap.xml" in robots.splitlines()
    assert "User-agent: *" in robots
    assert (site / "CNAME").read_text().strip() == "guide.example.com"
    assert (site / ".nojekyll").is_file()


def test_without_base_url_no_absolute_urls_are_invented(tmp_path: Path) -> None:
    site = build(make_project(tmp_path), tmp_path / "site")
    assert not (site / "sitemap.xml").exists()
    assert not (site / "CNAME").exists()
    assert "Sitemap:" not in (site / "robots.txt").read_text()
    head = read_head(site / "retrieval" / "index.html")
    assert head.canonical == [] and "og:url" not in head.meta
    assert head.meta["og:title"] and head.meta["twitter:card"] == "summary"
    assert not any(d["@type"] == "BreadcrumbList" for d in jsonld_of(site / "retrieval" / "index.html"))


# --- lastmod from git ----------------------------------------------------------------------------


def _git(env: dict[str, str], cwd: Path, *args: str, date: str | None = None) -> None:
    run_env = dict(env, **({"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else {}))
    subprocess.run(["git", *args], cwd=cwd, env=run_env, check=True, capture_output=True)


@pytest.fixture
def git_env(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "gitconfig").write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.com", "GIT_COMMITTER_NAME": "A",
                "GIT_COMMITTER_EMAIL": "a@example.com", "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"),
                "GIT_CONFIG_NOSYSTEM": "1", "GIT_CEILING_DIRECTORIES": str(tmp_path)})
    return env


def test_lastmod_comes_from_the_last_commit_of_each_page(tmp_path: Path, git_env: dict[str, str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    config = make_project(tmp_path, f"base_url: {BASE}\n")
    project = config.parent
    _git(git_env, project, "init", "-q", "-b", "main")
    _git(git_env, project, "add", ".")
    _git(git_env, project, "commit", "-qm", "one", date="2021-03-04T05:06:07+00:00")
    topic = project / "content" / "domains" / "01-retrieval" / "02-query-rewriting.md"
    topic.write_text(topic.read_text() + "\nOne more line.\n")
    _git(git_env, project, "commit", "-qam", "two", date="2022-08-09T10:11:12+00:00")
    # A fresh clone gives every file a new mtime: the dates must not move.
    for path in project.rglob("*"):
        os.utime(path, (2_000_000_000, 2_000_000_000))
    for key, value in git_env.items():
        monkeypatch.setenv(key, value)

    calls: list[list[str]] = []
    real_run = subprocess.run

    def counting_run(args, *a, **kw):
        calls.append(list(args))
        return real_run(args, *a, **kw)

    monkeypatch.setattr(sitemap_module.subprocess, "run", counting_run)
    entries = sitemap(build(config, tmp_path / "site"))

    first, second = "2021-03-04T05:06:07+00:00", "2022-08-09T10:11:12+00:00"
    assert entries[BASE + "retrieval/"] == second  # its topic changed
    assert entries[BASE + "agents/"] == first
    assert entries[BASE + "interview/"] == first
    assert entries[BASE + "answer-structure/"] == first
    assert entries[BASE] == second and entries[BASE + "tags/"] == second  # summaries: newest of all
    assert sum(1 for c in calls if c[:2] == ["git", "log"]) == 1, "one git log for all files"

    # An edit not yet committed: git's date is stale, so that file's mtime is the truth.
    page = project / "content" / "pages" / "01-answer-structure.md"
    page.write_text(page.read_text() + "\nDraft.\n")
    os.utime(page, (1_700_000_000, 1_700_000_000))
    entries = sitemap(build(config, tmp_path / "site"))
    assert entries[BASE + "answer-structure/"] == "2023-11-14T22:13:20+00:00"
    assert entries[BASE + "agents/"] == first


def test_lastmod_falls_back_to_mtime_outside_git(tmp_path: Path, git_env: dict[str, str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))  # never find a repo above tmp_path
    config = make_project(tmp_path, f"base_url: {BASE}\n")
    page = config.parent / "content" / "pages" / "01-answer-structure.md"
    os.utime(page, (1_600_000_000, 1_600_000_000))
    entries = sitemap(build(config, tmp_path / "site"))
    expected = datetime.fromtimestamp(1_600_000_000, UTC).isoformat(timespec="seconds")
    assert entries[BASE + "answer-structure/"] == expected


# --- meta tags and JSON-LD ------------------------------------------------------------------------


def test_meta_tags_on_every_page(tmp_path: Path) -> None:
    site = build(make_project(tmp_path, f"base_url: {BASE}\n"), tmp_path / "site")
    for url in pages_on_disk(site):
        head = read_head(site / url / "index.html")
        assert head.canonical == [BASE + url], url
        assert head.meta["og:url"] == BASE + url
        assert head.meta["description"] and head.meta["og:description"] == head.meta["description"]
        assert head.meta["og:title"] and head.meta["og:site_name"] == "Mini Guide"
        assert head.meta["twitter:card"] == "summary"
        assert "robots" not in head.meta
    head = read_head(site / "404.html")
    # Served with status 404 by the host, so no noindex is needed; it must not claim a canonical URL.
    assert head.canonical == [] and "robots" not in head.meta
    # The practice page's cards, a copy of every card: kept out of indexes.
    head = read_head(site / "practice/cards.html")
    assert head.meta["robots"] == "noindex" and head.canonical == []


def test_faq_page_has_every_question_with_its_answer_text(tmp_path: Path) -> None:
    site = build(make_project(tmp_path, f"base_url: {BASE}\n"), tmp_path / "site")
    [faq] = jsonld_of(site / "interview" / "index.html")
    assert faq["@context"] == "https://schema.org" and faq["@type"] == "FAQPage"
    questions = {q["name"]: q["acceptedAnswer"]["text"] for q in faq["mainEntity"]}
    assert list(questions) == ["How do you improve retrieval with HyDE?", "Vector search vs keyword search?",
                               "Tell me about a failure."]
    hyde = questions["How do you improve retrieval with HyDE?"]
    for text in ("Problem", "Queries and documents look different.", "Approach",
                 "Re-ranking — add a cross-encoder.", "HyDE — embed a hypothetical answer."):
        assert text in hyde
    assert "##" not in hyde and "<" not in hyde  # text, not Markdown or HTML
    assert all(q["@type"] == "Question" and q["acceptedAnswer"]["@type"] == "Answer" for q in faq["mainEntity"])


def test_jsonld_cannot_be_broken_out_of(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    question = config.parent / "content" / "interview" / "01-rag" / "02-q2.md"
    question.write_text(question.read_text() + "\nSee `</script><script>alert(1)</script>` & more.\n")
    site = build(config, tmp_path / "site")
    html = (site / "interview" / "index.html").read_text()
    assert "<script>alert(1)" not in html
    [faq] = jsonld_of(site / "interview" / "index.html")
    answer = next(q["acceptedAnswer"]["text"] for q in faq["mainEntity"] if q["name"].startswith("Vector"))
    assert "</script><script>alert(1)</script> & more." in answer


def test_answer_text_leaves_out_diagram_source() -> None:
    text = seo.markdown_text("Before.\n\n```mermaid\nflowchart LR\n  A --> B\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert "Before." in text and "flowchart" not in text and "-->" not in text
    assert "1 2" in text


def test_breadcrumbs_on_domain_pages(tmp_path: Path) -> None:
    config = make_project(tmp_path, f"base_url: {BASE}\n")
    site = build(config, tmp_path / "site")
    guide = Loader().load(config)
    for domain in guide.domains:
        [crumbs] = jsonld_of(site / domain.path / "index.html")
        assert crumbs["@type"] == "BreadcrumbList"
        items = crumbs["itemListElement"]
        assert [i["position"] for i in items] == [1, 2]
        assert items[0] == {"@type": "ListItem", "position": 1, "name": "Mini Guide", "item": BASE}
        assert items[1]["item"] == BASE + domain.path and domain.name in items[1]["name"]
    [website] = jsonld_of(site / "index.html")
    assert website["@type"] == "WebSite" and website["url"] == BASE


@pytest.mark.skipif(not (REPO / "content").is_dir() or not BUNDLED_CONFIG.is_file(),
                    reason="the bundled guide (content/, studyguide.yml) is not in this checkout")
def test_bundled_guide_faq_has_all_37_questions(tmp_path: Path) -> None:
    text = BUNDLED_CONFIG.read_text(encoding="utf-8")
    config = BUNDLED_CONFIG
    if "base_url:" not in text:  # breadcrumbs and the sitemap need one: add it to a copy
        config = tmp_path / "studyguide.yml"
        config.write_text(f"{text}\nbase_url: {BASE}\ncontent_dir: {REPO / 'content'}\n", encoding="utf-8")
    site = build(config, tmp_path / "site")
    guide = Loader().load(config)

    [faq] = jsonld_of(site / "interview" / "index.html")
    entities = faq["mainEntity"]
    assert len(entities) == len(guide.questions) == 37
    for entity, question in zip(entities, guide.questions, strict=False):
        assert entity["name"] == question.question
        answer = entity["acceptedAnswer"]["text"]
        for section in question.sections:
            assert section.heading in answer, (question.id, section.heading)
        assert len(answer) > 100, question.id
    base = guide.site.base_url
    for domain in guide.domains:
        [crumbs] = jsonld_of(site / domain.path / "index.html")
        assert crumbs["itemListElement"][-1]["item"] == base + domain.path
    assert set(sitemap(site)) == {base + url for url in pages_on_disk(site)}
