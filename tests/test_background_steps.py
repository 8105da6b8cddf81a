"""Content steps (search indexing) run in a forked process while the pages render.

What must hold: the step really runs elsewhere and its output lands in the site; a step that fails
in the fork is run again in the main process, so its error is the one a sequential build raises
and its partial output is gone; a build that fails while the step runs stops it and everything it
started; and with another thread running (the live preview) nothing is forked.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

import studyguide.site.background as background
from studyguide.content.model import Guide
from studyguide.site.background import ContentStep, can_fork
from studyguide.site.builder import SiteBuilder

MINI = Path(__file__).resolve().parent / "fixtures" / "mini"
OUTPUT = "extra"

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="content steps run in the background only with fork")


@pytest.fixture(autouse=True)
def fork_despite_the_test_runners_threads(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The browser tests' Playwright keeps threads alive for the whole session, and the builder
    never forks beside another thread; these tests are about what happens in the fork, so they
    let it (as the render-worker tests do). The thread rule itself is the last test's subject."""
    if request.node.name != "test_nothing_is_forked_while_another_thread_runs":
        monkeypatch.setattr(background, "can_fork", lambda: True)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(MINI, tmp_path / "guide")
    return tmp_path / "guide"


def build(project: Path, step: ContentStep) -> Path:
    out = project / "site"
    SiteBuilder(project / "studyguide.yml", out, search=False, post_steps=[step]).build()
    return out


def write_pid(folder: Path, guide: Guide) -> None:
    (folder / OUTPUT).mkdir()
    (folder / OUTPUT / "pid").write_text(f"{os.getpid()} {len(guide.topics)}")


def test_a_content_step_runs_in_another_process_and_its_output_is_published(project: Path) -> None:
    out = build(project, ContentStep(write_pid, OUTPUT))
    pid, topics = (out / OUTPUT / "pid").read_text().split()
    assert int(pid) != os.getpid()
    assert int(topics) > 0  # it saw the loaded guide
    assert (out / "index.html").is_file()


def test_a_step_that_fails_in_the_fork_runs_again_here_without_its_partial_output(project: Path) -> None:
    main = os.getpid()

    def flaky(folder: Path, guide: Guide) -> None:
        (folder / OUTPUT).mkdir(exist_ok=True)
        if os.getpid() != main:
            (folder / OUTPUT / "stale").write_text("half-written by the fork")
            raise RuntimeError("the fork gives up")
        (folder / OUTPUT / "fresh").write_text("written by the main process")

    out = build(project, ContentStep(flaky, OUTPUT))
    assert sorted(p.name for p in (out / OUTPUT).iterdir()) == ["fresh"]


def test_the_error_of_a_failing_step_is_the_one_the_main_process_raises(project: Path) -> None:
    calls: list[int] = []

    def broken(folder: Path, guide: Guide) -> None:
        calls.append(os.getpid())
        raise ValueError(f"content step failed in {os.getpid()}")

    before = sorted(p.name for p in project.parent.iterdir())
    with pytest.raises(ValueError, match=f"content step failed in {os.getpid()}$"):
        build(project, ContentStep(broken, OUTPUT))
    assert calls == [os.getpid()]  # the fork's call happened in the fork, not here
    assert not (project / "site").exists()  # nothing published, no work folder left
    assert sorted(p.name for p in project.parent.iterdir()) == before


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z"  # exited; waiting for whoever adopted it to reap it


def test_a_build_that_fails_meanwhile_stops_the_step_and_what_it_started(project: Path, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    pid_file = tmp_path / "sleeper.pid"

    def long_running(folder: Path, guide: Guide) -> None:
        sleeper = subprocess.Popen(["sleep", "60"])  # stands for Pagefind's binary
        pid_file.write_text(str(sleeper.pid))
        sleeper.wait()

    def failing_pages(self, folder, guide, previous, **kwargs):
        deadline = time.monotonic() + 20
        while not pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        raise RuntimeError("rendering failed")

    monkeypatch.setattr(SiteBuilder, "write_pages", failing_pages)
    with pytest.raises(RuntimeError, match="rendering failed"):
        build(project, ContentStep(long_running, OUTPUT))
    sleeper = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while not _gone(sleeper) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _gone(sleeper), "the program the step started is still running"
    assert not (project / "site").exists()


def test_nothing_is_forked_while_another_thread_runs(project: Path) -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not can_fork()
        out = build(project, ContentStep(write_pid, OUTPUT))
    finally:
        stop.set()
        thread.join()
    assert int((out / OUTPUT / "pid").read_text().split()[0]) == os.getpid()
