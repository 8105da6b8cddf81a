"""The output folder, round two (issue #12): an atomic exchange, no leftovers, the umask, a
``site`` symlink, a full disk — and deploy output free of credentials.

The disk-full test mounts a small tmpfs when it may (root); the same failure is also injected, so
the message is tested everywhere.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import require_tool
from helpers import MINI, REPO, run_cli, tree_digest
from test_deploy import Project, git, git_env, project  # noqa: F401 - fixtures reused

import studyguide.site.builder as builder_module
import studyguide.site.swap as swap
from studyguide.site.builder import DiskFullError, OutputDirError, SiteBuilder


@pytest.fixture
def guide(tmp_path: Path) -> Path:
    return Path(shutil.copytree(MINI, tmp_path / "guide"))


def build(guide: Path, out: Path | None = None) -> None:
    SiteBuilder(guide / "studyguide.yml", out or guide / "site", search=False).build()


def work_folders(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith((".site-new-", ".site-old-")))


# -- the atomic exchange ----------------------------------------------------------------------------


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_exchange_swaps_two_folders_in_one_step(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "from-a").write_text("a")
    (b / "from-b").write_text("b")
    assert swap.exchange(a, b) is True, "renameat2(RENAME_EXCHANGE) is missing on this Linux"
    assert [p.name for p in a.iterdir()] == ["from-b"] and [p.name for p in b.iterdir()] == ["from-a"]
    with pytest.raises(FileNotFoundError):
        swap.exchange(a, tmp_path / "missing")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_site_never_stops_existing_during_rebuilds(guide: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reader polling site/index.html while 15 builds swap never misses it (with two renames
    it did: site/ was absent between them). os.rename is made to fail: no build may use it."""
    build(guide)
    site = guide / "site"
    misses: list[float] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            if not os.path.exists(site / "index.html"):
                misses.append(time.monotonic())

    real_rename = os.rename

    def no_rename_onto_site(src, dst):
        if Path(dst) == site:
            raise AssertionError("the swap used a plain rename")
        return real_rename(src, dst)

    monkeypatch.setattr(builder_module.os, "rename", no_rename_onto_site)
    reader = threading.Thread(target=watch)
    reader.start()
    try:
        builder = SiteBuilder(guide / "studyguide.yml", site, search=False)
        for _ in range(15):
            builder.build()
    finally:
        stop.set()
        reader.join()
    assert not misses, f"site/index.html was missing {len(misses)} times"
    assert work_folders(guide) == []


def test_without_an_exchange_the_swap_falls_back_to_two_renames(guide: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(guide)
    monkeypatch.setattr(swap, "exchange", lambda a, b: False)
    topic = guide / "content/domains/01-retrieval/01-hybrid-search.md"
    topic.write_text(topic.read_text().replace("title: Hybrid Search", "title: Renamed Twice"))
    build(guide)
    assert "Renamed Twice" in (guide / "site/retrieval/index.html").read_text()
    assert work_folders(guide) == []


# -- leftovers of killed builds ----------------------------------------------------------------------

HOLD_A_WORK_FOLDER = """
import os, sys, time
from pathlib import Path
from studyguide.site.swap import make_work_folder
path = make_work_folder(Path(sys.argv[1]))
(path / "index.html").write_text("half a site")
print(path, flush=True)
if sys.argv[2] == "die":
    os.kill(os.getpid(), 9)  # like kill -9 in the middle of a build
time.sleep(60)
"""


def start_builder_process(out: Path, mode: str) -> tuple[subprocess.Popen, Path]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-c", HOLD_A_WORK_FOLDER, str(out), mode], env=env,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    return proc, Path(proc.stdout.readline().strip())


def test_the_next_build_removes_what_killed_builds_left(guide: Path) -> None:
    build(guide)
    site = guide / "site"
    killed = [start_builder_process(site, "die") for _ in range(2)]
    for proc, _ in killed:
        assert proc.wait(timeout=30) == -signal.SIGKILL
    running, in_use = start_builder_process(site, "live")  # a concurrent build, still writing
    old_style = guide / ".site-old-abc123"  # what earlier versions left (mkdtemp, no lock)
    (old_style / "site").mkdir(parents=True)
    try:
        assert len(work_folders(guide)) == 4
        build(guide)
        assert work_folders(guide) == [in_use.name], "leftovers stayed, or a running build's folder went"
        assert (in_use / "index.html").read_text() == "half a site"
    finally:
        running.kill()
        running.wait()
    build(guide)
    assert work_folders(guide) == []


def test_a_read_only_site_leaves_no_empty_folders(guide: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A swap that fails (here: renames refused, as for a read-only folder) leaves nothing behind."""
    build(guide)
    before = tree_digest(guide / "site")
    monkeypatch.setattr(swap, "exchange", lambda a, b: False)
    monkeypatch.setattr(builder_module.os, "rename", _refuse_site_rename(guide / "site"))
    for _ in range(3):
        with pytest.raises(PermissionError):
            build(guide)
    assert work_folders(guide) == []
    assert tree_digest(guide / "site") == before


def _refuse_site_rename(site: Path):
    real_rename = os.rename

    def rename(src, dst):
        if Path(src) == site:
            raise PermissionError(errno.EACCES, "Permission denied", str(src))
        return real_rename(src, dst)

    return rename


# -- the umask ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o002])
def test_site_folder_follows_the_umask(guide: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        build(guide)
    finally:
        os.umask(old)
    site = guide / "site"
    assert site.stat().st_mode & 0o777 == 0o777 & ~umask
    assert (site / "retrieval").stat().st_mode & 0o777 == 0o777 & ~umask
    assert (site / "index.html").stat().st_mode & 0o777 == 0o666 & ~umask


# -- a symlinked output folder ------------------------------------------------------------------------


def test_a_site_symlink_is_kept_and_its_target_replaced_atomically(guide: Path, tmp_path: Path) -> None:
    webroot = tmp_path / "www" / "html"
    webroot.mkdir(parents=True)
    (guide / "site").symlink_to(webroot)
    build(guide)  # an empty web root may be filled
    assert (guide / "site").is_symlink() and os.readlink(guide / "site") == str(webroot)
    assert (webroot / "index.html").is_file()
    topic = guide / "content/domains/01-retrieval/01-hybrid-search.md"
    topic.write_text(topic.read_text().replace("title: Hybrid Search", "title: Through The Link"))
    run = run_cli("build", "--no-search", cwd=guide)
    assert run.returncode == 0, run.stderr
    assert "Through The Link" in (webroot / "retrieval/index.html").read_text()
    assert (guide / "site").is_symlink() and work_folders(webroot.parent) == [] and work_folders(guide) == []


@pytest.mark.parametrize("case", ["foreign-files", "loop", "no-parent"])
def test_a_site_symlink_that_cannot_be_built_into_is_refused(guide: Path, tmp_path: Path, case: str) -> None:
    site = guide / "site"
    if case == "foreign-files":
        (tmp_path / "www").mkdir()
        (tmp_path / "www" / "important.html").write_text("not ours")
        site.symlink_to(tmp_path / "www")
    elif case == "loop":
        site.symlink_to(site)
    else:
        site.symlink_to(tmp_path / "missing" / "html")
    run = run_cli("build", "--no-search", cwd=guide)
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    assert run.stderr.startswith("error: refusing to build into"), run.stderr
    assert site.is_symlink()
    if case == "foreign-files":
        assert (tmp_path / "www" / "important.html").read_text() == "not ours"
    with pytest.raises(OutputDirError):
        build(guide)


# -- a full disk --------------------------------------------------------------------------------------


def assert_disk_full_message(stderr: str) -> None:
    assert "Traceback" not in stderr and "[" not in stderr.split("\n")[0], stderr
    first = stderr.splitlines()[0]
    assert first.startswith("error: no space left on device while writing the new site"), stderr
    assert "is intact" in first and len(stderr) < 2000, stderr


def test_a_full_disk_during_the_asset_copy_is_one_clear_message(guide: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    build(guide)
    before = tree_digest(guide / "site")

    def full(src, dst, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", dst)

    monkeypatch.setattr(builder_module.shutil, "copy2", full)
    with pytest.raises(DiskFullError, match=r"^no space left on device .* is intact"):
        build(guide)
    assert tree_digest(guide / "site") == before and work_folders(guide) == []


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 7,900 KB tmpfs: room for the site twice without search, not for a second search index."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=7900k", "tmpfs", str(mount)],
                          capture_output=True, text=True) if os.geteuid() == 0 else None
    require_tool(done is not None and done.returncode == 0,
                 f"cannot mount a tmpfs (needs root): {done.stderr.strip() if done else 'not root'}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.parametrize("stage", ["assets", "search"])
def test_a_really_full_disk_says_so_and_keeps_the_old_site(small_disk: Path, stage: str) -> None:
    on_disk = Path(shutil.copytree(MINI, small_disk / "guide"))
    first = run_cli("build", *(["--no-search"] if stage == "assets" else []), cwd=on_disk)
    assert first.returncode == 0, first.stderr
    before = tree_digest(on_disk / "site")
    if stage == "assets":  # fill the disk so that not even the theme's assets fit again
        (small_disk / "filler").write_bytes(b"\0" * (1 << 20))
    result = run_cli("build", *(["--no-search"] if stage == "assets" else []), cwd=on_disk)
    assert result.returncode == 1, result.stdout + result.stderr
    assert_disk_full_message(result.stderr.replace("INFO: no base_url in the config: skipping sitemap.xml, "
                                                   "canonical and Open Graph URLs\n", ""))
    assert "incomplete files" not in result.stderr and "indexing again" not in result.stderr
    assert tree_digest(on_disk / "site") == before
    assert work_folders(on_disk) == []


# -- deploy redacts credentials -----------------------------------------------------------------------

SECRETS = ("hunter2pass", "tok3nT0ken", "x-user-name")


@pytest.mark.parametrize("remote", [
    "https://x-user-name:hunter2pass@127.0.0.1:9/alice/guide.git?access_token=tok3nT0ken",
    "http://127.0.0.1:9/alice/guide.git?private_token=tok3nT0ken&x=1",
    "https://x-user-name:hunter2pass@[::1]:9/guide.git",
])
@pytest.mark.parametrize("dry_run", [True, False])
def test_deploy_never_prints_credentials(project: Project, remote: str, dry_run: bool) -> None:  # noqa: F811
    """Dry run prints the target; a real run fails to fetch (nothing listens on port 9) and git's
    own message quotes the URL: both must come out redacted."""
    git(project.env, project.src, "remote", "set-url", "origin", remote)
    result = project.deploy(*(["--dry-run"] if dry_run else []))
    output = result.stdout + result.stderr
    assert result.returncode == (0 if dry_run else 1), output
    assert "Traceback" not in output
    for secret in SECRETS:
        assert secret not in output, f"{secret!r} printed:\n{output}"
    assert ("127.0.0.1:9" in output or "[::1]:9" in output), output  # the target is still named
    if not dry_run:
        assert "Nothing was published." in output


@pytest.mark.parametrize("remote", ["https://github.com:99999/alice/guide.git",
                                    "https://x:hunter2pass@[::1/guide.git", "ssh://git@github.com:port/x.git"])
def test_deploy_refuses_a_remote_url_urllib_refuses(project: Project, remote: str) -> None:  # noqa: F811
    git(project.env, project.src, "remote", "set-url", "origin", remote)
    result = project.deploy("--dry-run")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "error: the URL of remote 'origin' is not valid" in result.stderr
    assert "hunter2pass" not in result.stdout + result.stderr
