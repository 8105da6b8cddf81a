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
from test_serve import REPO, TOPIC, fetch, generation, project, retitle, serve, wait_for  # noqa: F401 - fixtures

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
    assert generation(url) == before + 1
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
