"""How the preview learns of a save: file-system events (watchfiles), and polling as the fallback.

No timing assertions: the long timeouts only keep a broken watcher from hanging the run. Speed is
measured by benchmarks/serve_bench.py.
"""

from __future__ import annotations

import logging
import os
import queue
import re
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_serve import REPO, TOPIC, fetch, free_port, generation, project, retitle, serve, wait_for  # noqa: F401 - fixtures

from studyguide.preview import events as events_module
from studyguide.preview.events import EventsUnavailable, FolderEvents, watch_sources
from studyguide.preview.watcher import SourceWatcher

WAIT_S = 30  # far longer than any wake-up needs; a False from wait() then means "no event came"


def save_by_rename(path: Path, text: str) -> None:
    """Save as many editors do: write a temporary file beside it and rename it over the old one."""
    tmp = path.with_name("." + path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    (root / "domains/01-a").mkdir(parents=True)
    (root / "domains/01-a/01-x.md").write_text("one\n")
    return root


@pytest.fixture
def sources(content: Path) -> Iterator[tuple[SourceWatcher, queue.Queue[list[str]], threading.Event]]:
    """A SourceWatcher on `content`, and a stop event; start watch_sources with `run` (below)."""
    stop = threading.Event()
    yield SourceWatcher([content], content=content), queue.Queue(), stop
    stop.set()


def run(watcher: SourceWatcher, handed: queue.Queue[list[str]], stop: threading.Event, *,
        poll: bool = False) -> threading.Thread:
    thread = threading.Thread(target=watch_sources, args=(watcher, stop, handed.put), kwargs={"poll": poll},
                              daemon=True)
    thread.start()
    return thread


def test_events_wake_the_watcher_for_saves_in_the_folders_a_scan_found(content: Path) -> None:
    watcher = SourceWatcher([content], content=content)
    assert str(content / "domains/01-a") in watcher.folders
    events = FolderEvents()
    try:
        events.watch(watcher.folders)
        stop = threading.Event()
        save_by_rename(content / "domains/01-a/01-x.md", "two\n")
        assert events.wait(WAIT_S, stop), "no file-system event for a save"
        assert watcher.changes() == [str(content / "domains/01-a/01-x.md")]
    finally:
        events.close()


def test_an_edit_is_handed_over_through_the_event_path(sources, content: Path, caplog) -> None:
    watcher, handed, stop = sources
    caplog.set_level(logging.DEBUG, logger="studyguide.preview.events")
    thread = run(watcher, handed, stop)
    wait_for(lambda: "file-system events" in caplog.text, WAIT_S, "the watches")
    save_by_rename(content / "domains/01-a/01-x.md", "changed\n")
    assert handed.get(timeout=WAIT_S) == [str(content / "domains/01-a/01-x.md")]
    # A new folder is watched too, and what was written into it before its watch existed is found.
    new = content / "domains/02-b"
    new.mkdir()
    (new / "01-y.md").write_text("new\n")
    seen: set[str] = set()
    while str(new / "01-y.md") not in seen:
        seen.update(handed.get(timeout=WAIT_S))
    (new / "01-y.md").write_text("edited in the new folder\n")
    assert handed.get(timeout=WAIT_S) == [str(new / "01-y.md")]
    # Editor droppings and drafts are not changes.
    (content / "domains/01-a/.01-x.md.swp").write_text("swap")
    (content / "domains/01-a/_draft.md").write_text("draft")
    (content / "domains/01-a/01-x.md").write_text("after the droppings\n")
    assert handed.get(timeout=WAIT_S) == [str(content / "domains/01-a/01-x.md")]
    assert "polling" not in caplog.text, "fell back to polling although events work here"
    stop.set()
    thread.join(WAIT_S)
    assert not thread.is_alive()


def test_polling_takes_over_when_watchfiles_is_missing(sources, content: Path, caplog, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "watchfiles._rust_notify", None)  # makes the import fail
    with pytest.raises(EventsUnavailable):
        FolderEvents()
    watcher, handed, stop = sources
    run(watcher, handed, stop)
    wait_for(lambda: "polling the sources instead" in caplog.text, WAIT_S, "the fallback's log line")
    (content / "domains/01-a/01-x.md").write_text("polled\n")
    assert handed.get(timeout=WAIT_S) == [str(content / "domains/01-a/01-x.md")]


def test_a_file_system_without_events_switches_to_polling(sources, content: Path, caplog, monkeypatch) -> None:
    """Watches that never fire (a network share): the safety scan finds the edit, polling goes on."""
    def silent(self: FolderEvents, timeout_s: float, stop: threading.Event) -> bool:
        stop.wait(timeout_s)
        return False

    monkeypatch.setattr(FolderEvents, "wait", silent)
    caplog.set_level(logging.DEBUG, logger="studyguide.preview.events")
    watcher, handed, stop = sources
    run(watcher, handed, stop)
    wait_for(lambda: "file-system events" in caplog.text, WAIT_S, "the watches")  # then the first scan is done
    (content / "domains/01-a/01-x.md").write_text("no event for this\n")
    assert handed.get(timeout=WAIT_S) == [str(content / "domains/01-a/01-x.md")]
    assert "without a file-system event" in caplog.text
    (content / "domains/01-a/01-x.md").write_text("and this one is polled\n")
    assert handed.get(timeout=WAIT_S) == [str(content / "domains/01-a/01-x.md")]


def test_the_inotify_limit_falls_back_to_polling(sources, content: Path, caplog, monkeypatch) -> None:
    def refuse(self: FolderEvents, folders: tuple[str, ...]) -> None:
        raise EventsUnavailable("OS file watch limit reached")

    monkeypatch.setattr(FolderEvents, "watch", refuse)
    watcher, handed, stop = sources
    run(watcher, handed, stop)
    wait_for(lambda: "OS file watch limit reached; polling" in caplog.text, WAIT_S, "the fallback's log line")
    (content / "domains/01-a/01-x.md").write_text("polled\n")
    assert handed.get(timeout=WAIT_S) == [str(content / "domains/01-a/01-x.md")]


def test_the_quiet_window_is_short_but_not_zero() -> None:
    assert 0 < events_module.QUIET_MS <= 100


# -- through a real server ------------------------------------------------------------------------

@pytest.mark.parametrize("args", [(), ("--poll",)], ids=["events", "poll"])
def test_serve_picks_up_an_edit_with_events_and_with_poll(project: Path, serve, args) -> None:  # noqa: F811
    server = serve(project, *args, verbose=True)
    url = server.url + "retrieval/"
    before = generation(url)
    retitle(project, "Seen By The Watcher")
    wait_for(lambda: "Seen By The Watcher" in fetch(url)[1], WAIT_S, "the edit in the served page")
    # The page's new text can be served a moment before the build counter moves: wait for it too.
    wait_for(lambda: generation(url) == before + 1, WAIT_S, "one rebuild counted")
    log = server.output()
    assert ("watching" in log and "folders for file-system events" in log) == (not args)
    assert "polling the sources" not in log and "Traceback" not in log
    assert str(TOPIC) in log  # "Changed: content/…" names the file


def test_the_preview_serves_the_anki_deck_of_the_current_content(project: Path, serve, tmp_path: Path) -> None:  # noqa: F811
    """Written when downloaded, not by every rebuild: the same bytes `studyguide build` publishes."""
    config = project / "studyguide.yml"
    config.write_text(config.read_text() + "anki_deck: true\n")
    server = serve(project)
    link = re.search(r'href="\.\./([^"]+\.apkg)"', fetch(server.url + "practice/")[1])
    assert link, "the practice page links no deck"

    def served() -> bytes:
        with urllib.request.urlopen(server.url + link.group(1), timeout=WAIT_S) as response:
            return response.read()

    def built() -> bytes:
        out = tmp_path / "built"
        subprocess.run([sys.executable, "-m", "studyguide", "-q", "build", "-f", str(config), "--out", str(out),
                        "--no-search"], check=True, env=dict(os.environ, PYTHONPATH=str(REPO)))
        return (out / link.group(1)).read_bytes()

    assert served() == built()
    before = generation(server.url)
    retitle(project, "A Title For The Deck")
    wait_for(lambda: generation(server.url) > before, WAIT_S, "the rebuild")
    deck = served()
    assert deck == built() and deck == served()  # written for the new content, then reused


def test_pages_with_every_card_wait_until_asked_for_and_then_match_a_full_build(project: Path, tmp_path: Path) -> None:  # noqa: F811
    from studyguide.preview.rebuild import DEFERRED_KINDS
    from studyguide.site.builder import SiteBuilder
    from studyguide.site.incremental import IncrementalBuilder

    config = project / "studyguide.yml"
    builder = IncrementalBuilder(config, tmp_path / "preview", search=False, offline=False, incremental_after_s=0)
    builder.defer_kinds = DEFERRED_KINDS
    builder.build()
    assert not builder.deferred  # the first build renders everything
    one_page = builder.out_dir / "all/index.html"
    before = one_page.read_bytes()
    topic = project / TOPIC
    topic.write_text(topic.read_text() + "\nA sentence for every card's page.\n")
    builder.build()
    assert "all/index.html" in builder.deferred and "practice/cards.html" in builder.deferred
    assert one_page.read_bytes() == before  # stale until asked for
    assert b"A sentence for every card" in (builder.out_dir / "retrieval/index.html").read_bytes()

    full = SiteBuilder(config, tmp_path / "full", search=False, offline=False)
    full.deck_on_demand = builder.deck_on_demand
    full.build()
    for path in list(builder.deferred):
        assert builder.render_deferred(path)
    assert not builder.deferred and not builder.render_deferred("all/index.html")
    assert b"A sentence for every card" in one_page.read_bytes()

    def tree(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    assert tree(builder.out_dir) == tree(full.out_dir)
    builder.build()  # nothing changed: nothing deferred, the rendered pages are reused as they are
    assert not builder.deferred and tree(builder.out_dir) == tree(full.out_dir)


def test_the_preview_renders_a_deferred_page_when_it_is_requested(project: Path, serve) -> None:  # noqa: F811
    # Reuse pages from the first rebuild on (the mini guide renders too fast to need it otherwise).
    script = ("import functools, logging, sys; from pathlib import Path; import studyguide.preview.rebuild as r; "
              "r.IncrementalBuilder = functools.partial(r.IncrementalBuilder, incremental_after_s=0); "
              "from studyguide.commands.serve import serve; "
              "logging.basicConfig(level=logging.DEBUG, format='%(levelname)s: %(message)s'); "
              "serve(Path(sys.argv[1]), port=int(sys.argv[2]), search=False)")
    port = free_port()
    server = serve(project, port=port, argv=[sys.executable, "-c", script, str(project / "studyguide.yml"), str(port)])
    before = generation(server.url)
    topic = project / TOPIC
    topic.write_text(topic.read_text() + "\nSeen on the one-page edition.\n")
    wait_for(lambda: generation(server.url) > before, WAIT_S, "the rebuild")
    assert "Seen on the one-page edition." in fetch(server.url + "retrieval/")[1]
    assert "rendered the deferred page" not in server.output()
    status, body, _ = fetch(server.url + "all/")
    assert status == 200 and "Seen on the one-page edition." in body
    assert "rendered the deferred page all/index.html" in server.output()
    assert "Seen on the one-page edition." in fetch(server.url + "practice/cards.html")[1]
