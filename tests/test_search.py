"""Search indexing without a browser: the records, the written Pagefind bundle, the build step.

The index files are read back (Pagefind's fragments are gzip'd JSON behind a ``pagefind_dcd``
signature) to check what each result will show, so these tests need the Pagefind binary but no
browser.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gzip
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import MINI, copy_mini, run_cli, tree_digest

from studyguide.commands.build import build
from studyguide.content.loader import Loader
from studyguide.site import search as search_module
from studyguide.site.search import SearchIndexError, index_site, search_records


@pytest.fixture(scope="module")
def guide():
    return Loader().load(MINI / "studyguide.yml")


@pytest.fixture(scope="module")
def mini_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("search-unit") / "site"
    build(MINI / "studyguide.yml", out, search=True)
    return out


def read_fragments(index_dir: Path) -> dict[str, dict]:
    """Every record Pagefind wrote, by URL."""
    fragments = {}
    for path in (index_dir / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        record = json.loads(data[len(b"pagefind_dcd"):])
        fragments[record["url"]] = record
    return fragments


class _Collect(HTMLParser):
    """Collects attributes of every element of a record's HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


# --- records -------------------------------------------------------------------------------------


def test_one_record_per_topic_question_and_page_with_the_card_anchor_as_url(guide):
    urls = [r.url for r in search_records(guide)]
    expected = ([f"/{d.path}#{t.anchor}" for d in guide.domains for t in d.topics]
                + [f"/{guide.interview.path}#{q.anchor}" for q in guide.questions]
                + [f"/{p.path}" for p in guide.pages])
    assert urls == expected
    assert len(set(urls)) == len(urls)
    # Navigation pages are never records.
    assert not {"/", "/tags/", "/404.html"} & set(urls)


def test_record_values_are_escaped_and_meta_values_keep_commas(guide):
    from dataclasses import replace

    domain = guide.domains[0]
    topic = replace(domain.topics[0], title='<script>alert("x")</script>, a: b', tags=("A, B",))
    record = search_module.topic_record(domain, topic, "en")
    assert "<script>" not in record.html
    parser = _Collect()
    parser.feed(record.html)
    meta = next(attrs for tag, attrs in parser.elements if "data-pagefind-meta" in attrs)
    assert meta["data-title"] == '<script>alert("x")</script>, a: b'  # read verbatim by Pagefind


# --- the written index ---------------------------------------------------------------------------


def test_index_holds_every_record_with_meta_and_filters(mini_site, guide):
    fragments = read_fragments(mini_site / "pagefind")
    assert set(fragments) == {r.url for r in search_records(guide)}

    rewriting = fragments["/retrieval/#query-rewriting"]
    assert rewriting["meta"] == {"title": "Query Rewriting / HyDE", "kind": "topic", "where": "01 · Retrieval"}
    assert rewriting["filters"] == {"kind": ["topic"], "domain": ["Retrieval"]}
    assert "HyDE" in rewriting["content"] and "Hypothetical document embeddings" in rewriting["content"]
    # Mermaid source is diagram syntax, not text to search.
    assert "flowchart" not in rewriting["content"] and "-->" not in rewriting["content"]

    q1 = next(q for q in guide.questions if q.id == "Q1")
    question = fragments[f"/interview/#{q1.anchor}"]
    assert question["meta"]["badge"] == q1.badge and question["meta"]["qid"] == "Q1"
    assert question["filters"] == {"kind": ["question"], "group": ["RAG"], "badge": [q1.badge]}
    for section in q1.sections:
        assert section.heading in question["content"]

    unbadged = next(q for q in guide.questions if not q.badge)
    assert "badge" not in fragments[f"/interview/#{unbadged.anchor}"]["filters"]

    tagged = fragments["/agents/#react-pattern"]
    assert "Token bucket" in tagged["content"]


def test_bundle_keeps_what_the_site_loads_and_drops_pagefinds_own_uis(mini_site):
    bundle = mini_site / "pagefind"
    for needed in ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json", "wasm.en.pagefind"):
        assert (bundle / needed).is_file(), needed
    for unused in search_module.UNUSED_BUNDLE_FILES:
        assert not (bundle / unused).exists(), unused
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    assert "en" in entry["languages"]


def test_pages_carry_the_search_box_and_no_search_builds_say_so(mini_site, tmp_path):
    home = (mini_site / "index.html").read_text()
    assert "data-search " in home or "data-search>" in home
    assert "data-search-off" not in home
    assert 'role="combobox"' in home and "assets/js/search.js" in home
    off = tmp_path / "off"
    build(MINI / "studyguide.yml", off, search=False)
    assert not (off / "pagefind").exists()
    for page in off.rglob("*.html"):
        html = page.read_text()
        assert "data-search-off" in html, page
        assert "--no-search" in html, page


# --- the build step ------------------------------------------------------------------------------


def test_cli_no_search_flag_skips_indexing(tmp_path):
    project = copy_mini(tmp_path / "project")
    result = run_cli("build", "--no-search", "--out", str(tmp_path / "out"), cwd=project)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "out" / "pagefind").exists()
    result = run_cli("build", "--out", str(tmp_path / "out"), cwd=project)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "pagefind" / "pagefind.js").is_file()


@pytest.mark.parametrize("binary", ["/nonexistent/pagefind", "/bin/true"])
def test_broken_indexer_fails_the_build_cleanly_and_keeps_the_old_site(tmp_path, monkeypatch, binary):
    """A missing binary, or one that exits at once, is an error message — not a hang, not a traceback."""
    project = copy_mini(tmp_path / "project")
    out = tmp_path / "out"
    assert run_cli("build", "--no-search", "--out", str(out), cwd=project).returncode == 0
    before = tree_digest(out)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", binary)  # Pagefind's own override of its binary
    result = run_cli("build", "--out", str(out), cwd=project)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "error:" in result.stderr and "Pagefind indexer" in result.stderr and "--no-search" in result.stderr
    assert tree_digest(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out-")]  # no temp folder left


def test_index_site_works_inside_a_running_event_loop(tmp_path, guide):
    """``serve`` rebuilds from livereload's event loop; indexing must not need a loop of its own there."""

    async def inside_a_loop() -> None:
        index_site(tmp_path, guide)

    # In a thread of its own, so the test does not depend on what else runs in pytest's thread
    # (Playwright's sync API keeps a loop running there once a browser test has run).
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, inside_a_loop()).result()
    assert set(read_fragments(tmp_path / "pagefind")) == {r.url for r in search_records(guide)}


def test_indexing_is_not_throttled_per_record(tmp_path, guide):
    """Pagefind's stock Python reader sleeps 0.1 s per reply (60 records → ≥ 6 s); ours does not."""
    import time

    records = search_records(guide) * 20
    records = [search_module.SearchRecord(f"{r.url}-{i}", r.html) for i, r in enumerate(records)]
    start = time.perf_counter()
    search_module._run(search_module.write_index(records, tmp_path / "pagefind"))
    assert time.perf_counter() - start < 3.0
    assert len(read_fragments(tmp_path / "pagefind")) == len(records)


def test_missing_pagefind_package_is_reported_with_a_hint(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_pagefind(name, *args, **kwargs):
        if name.startswith("pagefind"):
            raise ImportError("No module named 'pagefind'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pagefind)
    with pytest.raises(SearchIndexError, match="--no-search"):
        search_module._service_class()


def test_guide_without_interview_or_pages_offers_only_the_filters_that_apply(tmp_path):
    project = copy_mini(tmp_path / "project")
    for folder in ("interview", "pages"):
        shutil.rmtree(project / "content" / folder)
    out = tmp_path / "site"
    build(project / "studyguide.yml", out, search=True)
    home = (out / "index.html").read_text()
    assert 'data-search-filter="place"' in home
    assert 'data-search-filter="kind"' not in home and 'data-search-filter="badge"' not in home
    kinds = {record["filters"]["kind"][0] for record in read_fragments(out / "pagefind").values()}
    assert kinds == {"topic"}


def test_a_bundle_with_an_empty_file_is_indexed_again_or_refused(guide, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Pagefind can answer before its last write reaches the disk; an empty file is never kept."""
    calls: list[int] = []

    def fake_writer(empty_until: int):
        async def write_index(records, output: Path) -> None:
            calls.append(len(list(records)))  # every attempt gets every record
            output.mkdir(parents=True, exist_ok=True)
            (output / "pagefind.js").write_text("// search")
            (output / "pagefind-entry.json").write_text("" if len(calls) <= empty_until else "{}")
        return write_index

    monkeypatch.setattr(search_module, "write_index", fake_writer(empty_until=1))
    index_site(tmp_path / "a", guide)
    assert calls == [len(search_records(guide))] * 2
    assert (tmp_path / "a/pagefind/pagefind-entry.json").read_text() == "{}"

    calls.clear()
    monkeypatch.setattr(search_module, "write_index", fake_writer(empty_until=99))
    with pytest.raises(SearchIndexError, match="incomplete files"):
        index_site(tmp_path / "b", guide)
    assert len(calls) == search_module.INDEX_ATTEMPTS
