"""`studyguide serve`: a real server subprocess on a free port, driven by real Chromium and HTTP.

Every server is started through the `serve` fixture, which kills it at teardown, whatever the test
did. Edits are made to a copy of the mini fixture guide in tmp_path, never to the repository.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MINI = REPO / "tests" / "fixtures" / "mini"
TOPIC = Path("content/domains/01-retrieval/01-hybrid-search.md")
SNIPVER = re.compile(r"/livereload\.js\?port=\d+&amp;snipver=(\d+)")
# Serve with a theme of our choosing (a broken copy): the CLI has no option for that yet.
SERVE_WITH_THEME = (
    "import logging, sys; from pathlib import Path; from studyguide.render.theme import Theme; "
    "from studyguide.commands.serve import serve; "
    "logging.basicConfig(level=logging.INFO, format='%(levelname)s: %(message)s'); "
    "serve(Path(sys.argv[1]), port=int(sys.argv[2]), search=False, "
    "theme=Theme(Path(sys.argv[3]), Path(sys.argv[4])))"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> tuple[int, str, dict[str, str]]:
    """GET without following redirects: (status, body, headers)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace"), dict(exc.headers)


def retitle(project: Path, title: str) -> None:
    path = project / TOPIC
    path.write_text(re.sub(r"^title: .*$", f"title: {title}", path.read_text(), count=1, flags=re.M))


def generation(url: str) -> int:
    """The build number the server stamps into a page (the `snipver` of its livereload.js tag)."""
    match = SNIPVER.search(fetch(url)[1])
    assert match, "the page has no livereload.js tag"
    return int(match.group(1))


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        time.sleep(0.05)


@dataclass
class Server:
    proc: subprocess.Popen
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return Path(shutil.copytree(MINI, tmp_path / "guide"))


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Factory: start a server subprocess and wait until it answers; every one is killed at teardown."""
    servers: list[Server] = []

    def start(project: Path, *args: str, port: int | None = None, argv: list[str] | None = None,
              ready: bool = True, verbose: bool = False) -> Server:
        port = port or free_port()
        log = tmp_path / f"serve-{len(servers)}.log"
        cmd = argv or [sys.executable, "-m", "studyguide", *(["-v"] if verbose else []), "serve",
                       "-f", str(project / "studyguide.yml"), "--port", str(port), "--no-search", *args]
        env = dict(os.environ, PYTHONPATH=str(REPO))
        with log.open("w") as sink:
            proc = subprocess.Popen(cmd, cwd=project, env=env, stdout=sink, stderr=subprocess.STDOUT)
        server = Server(proc, port, log)
        servers.append(server)
        if ready:
            deadline = time.monotonic() + 30
            while True:
                assert proc.poll() is None, f"server exited with {proc.returncode}:\n{server.output()}"
                assert time.monotonic() < deadline, f"server not ready:\n{server.output()}"
                try:
                    fetch(server.url)
                    break
                except OSError:
                    time.sleep(0.1)
        return server

    yield start
    for server in servers:
        if server.proc.poll() is None:
            server.proc.terminate()
            try:
                server.proc.wait(10)
            except subprocess.TimeoutExpired:
                server.proc.kill()
                server.proc.wait()


# -- in the browser -------------------------------------------------------------------------------

def test_edits_show_up_in_the_open_tab(project, serve, page, watch_page) -> None:
    from playwright.sync_api import expect

    server = serve(project)
    watch = watch_page(page, server.url)
    page.goto(server.url + "retrieval/")
    expect(page.locator(".card-title", has_text="Hybrid Search")).to_be_visible()

    retitle(project, "Hybrid Search Revised")
    expect(page.locator(".card-title", has_text="Hybrid Search Revised")).to_be_visible(timeout=3000)
    time.sleep(1)  # livereload alone drops a reload within 3 s of the previous one
    retitle(project, "Hybrid Search Third Take")
    expect(page.locator(".card-title", has_text="Hybrid Search Third Take")).to_be_visible(timeout=3000)

    # The livereload script and its WebSocket pass the site's CSP: a refusal would be a console error.
    assert not watch.console_errors and not watch.page_errors, watch.problems()
    assert not watch.foreign_requests


def test_content_error_shows_in_the_browser_until_fixed(project, serve, page, watch_page, tmp_path) -> None:
    from playwright.sync_api import expect

    server = serve(project)
    page.goto(server.url + "retrieval/")
    expect(page.locator(".card-title", has_text="Hybrid Search")).to_be_visible()
    topic = project / TOPIC
    good = topic.read_text()
    topic.write_text(good.replace("tags: [BM25, Vector search, RRF]", "tags: [BM25, Vector search"))

    # What `studyguide build` reports for this mistake is what the page and the terminal must show.
    built = subprocess.run([sys.executable, "-m", "studyguide", "build", "--no-search", "-o", str(tmp_path / "out")],
                           cwd=project, env=dict(os.environ, PYTHONPATH=str(REPO)),
                           capture_output=True, text=True, timeout=60)
    expected = [line for line in built.stderr.splitlines() if line.startswith(str(TOPIC) + ":")]
    assert built.returncode == 1 and expected, built.stderr

    errors = page.locator("li code")
    expect(page.locator("h1")).to_have_text("Build failed", timeout=3000)
    expect(errors).to_have_text(expected)
    assert server.proc.poll() is None
    wait_for(lambda: all(line in server.output() for line in expected), 3, "the terminal message")
    # Every HTML URL shows the error page while the problem lasts; assets are still served.
    assert fetch(server.url + "interview/")[0] == 500 and "Build failed" in fetch(server.url + "interview/")[1]
    assert fetch(server.url + "assets/css/site.css")[0] == 200

    topic.write_text(good.replace("Hybrid Search", "Hybrid Search Fixed"))
    expect(page.locator(".card-title", has_text="Hybrid Search Fixed")).to_be_visible(timeout=3000)
    assert "Fixed: rebuilt" in server.output()


def test_template_crash_names_template_and_line(project, serve, page, tmp_path) -> None:
    from playwright.sync_api import expect

    from studyguide.render.theme import default_theme

    theme = default_theme()
    templates = Path(shutil.copytree(theme.templates, tmp_path / "theme" / "templates"))
    static = Path(shutil.copytree(theme.static, tmp_path / "theme" / "static"))
    port = free_port()
    server = serve(project, port=port, argv=[sys.executable, "-c", SERVE_WITH_THEME,
                                             str(project / "studyguide.yml"), str(port), str(templates), str(static)])
    page.goto(server.url + "retrieval/")
    expect(page.locator(".card-title", has_text="Hybrid Search")).to_be_visible()

    domain = templates / "domain.html"
    good = domain.read_text()
    lines = good.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if "{% block main %}" in line) + 1
    domain.write_text("".join([*lines[:at], "{{ no_such_variable.title }}\n", *lines[at:]]))

    where = f"{domain}:{at + 1}"  # the inserted line, 1-based (outside the project: absolute)
    expect(page.locator("li code")).to_contain_text(where, timeout=3000)
    expect(page.locator("li code")).to_contain_text("no_such_variable")
    assert where in server.output()

    domain.write_text(good)
    expect(page.locator(".card-title", has_text="Hybrid Search")).to_be_visible(timeout=3000)


# -- over HTTP ------------------------------------------------------------------------------------

def test_port_in_use_exits_with_a_message(project, serve) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = serve(project, port=port, ready=False)
        assert server.proc.wait(30) == 1
    out = server.output()
    assert f"port {port} is already in use" in out and "--port" in out, out
    assert "Traceback" not in out


def test_serves_under_the_base_path(project, serve) -> None:
    config = project / "studyguide.yml"
    config.write_text(config.read_text() + "base_url: https://user.github.io/repo/\n")
    server = serve(project)
    status, _, headers = fetch(server.url)
    assert status == 302 and headers["Location"] == "/repo/"
    assert fetch(server.url + "repo")[2].get("Location") == "/repo/"
    status, body, headers = fetch(server.url + "repo/retrieval/")
    assert status == 200 and "Hybrid Search" in body and headers["Cache-Control"] == "no-store"
    assert SNIPVER.search(body)  # every HTML page gets the livereload.js tag
    assert fetch(server.url + "repo/retrieval")[2].get("Location") == "/repo/retrieval/"
    status, body, _ = fetch(server.url + "repo/no-such-page/")
    assert status == 404 and "Page not found" in body
    assert fetch(server.url + "retrieval/")[0] == 404  # only under the base path, as on GitHub Pages
    assert fetch(server.url + "repo/../../../etc/passwd")[0] == 404
    assert fetch(server.url + "livereload.js")[0] == 200
    # Assets are revalidated, not re-downloaded, on each reload; HTML is never cached.
    status, _, headers = fetch(server.url + "repo/assets/css/site.css")
    assert status == 200 and headers["Cache-Control"] == "no-cache" and headers["Etag"]
    again = urllib.request.Request(server.url + "repo/assets/css/site.css", headers={"If-None-Match": headers["Etag"]})
    with pytest.raises(urllib.error.HTTPError) as not_modified:
        urllib.request.urlopen(again, timeout=10)
    assert not_modified.value.code == 304
    # As pages link them, by a hash of their content (?v=…): the same URL is the same file, kept.
    link = re.search(r'href="([^"]*assets/css/site\.css\?v=[0-9a-f]+)"', body_of_page := fetch(server.url + "repo/")[1])
    assert link, body_of_page[:500]
    status, _, headers = fetch(urllib.parse.urljoin(server.url + "repo/", link.group(1)))
    assert status == 200 and headers["Cache-Control"] == "max-age=31536000, immutable"


def test_search_index_is_rebuilt_with_the_site(project, serve) -> None:
    """Without --no-search the preview indexes like `studyguide build` and re-indexes on edits."""
    port = free_port()
    server = serve(project, port=port, argv=[sys.executable, "-m", "studyguide", "serve", "-f",
                                             str(project / "studyguide.yml"), "--port", str(port)])
    page = server.url + "retrieval/"
    status, entry, _ = fetch(server.url + "pagefind/pagefind-entry.json")
    assert status == 200, entry
    before = generation(page)
    retitle(project, "Hybrid Search Indexed Again")
    wait_for(lambda: generation(page) > before, 10, "the rebuild")
    # The index follows the reload, on its own thread; until then the previous one is served.
    wait_for(lambda: fetch(server.url + "pagefind/pagefind-entry.json")[1] != entry, 20, "the new index")
    status, entry_after, _ = fetch(server.url + "pagefind/pagefind-entry.json")
    assert status == 200 and entry_after != entry  # a new index, for the new text
    assert "Search index updated" in server.output()


def test_a_burst_of_saves_is_one_rebuild(project, serve) -> None:
    server = serve(project)
    page = server.url + "retrieval/"
    before = generation(page)
    for path in sorted((project / "content").rglob("*.md")):
        path.write_text(path.read_text() + "\nOne more line.\n")
    wait_for(lambda: generation(page) > before, 5, "a rebuild")
    time.sleep(1)  # any second rebuild would have happened by now
    assert generation(page) == before + 1
    assert server.output().count("Rebuilt") == 1


def test_a_tab_showing_an_older_build_reloads_when_it_reconnects(project, serve) -> None:
    """The edit made while a tab was reloading (not yet connected) must not be lost."""
    from tornado.websocket import websocket_connect

    server = serve(project)
    page = server.url + "retrieval/"
    old = generation(page)
    retitle(project, "Changed While Reloading")
    wait_for(lambda: generation(page) > old, 5, "the rebuild")
    current = generation(page)

    async def handshake(snipver: int) -> dict | None:
        ws = await websocket_connect(f"ws://127.0.0.1:{server.port}/livereload")
        ws.write_message(json.dumps({"command": "hello", "protocols": [
            "http://livereload.com/protocols/official-7"], "snipver": snipver}))
        assert json.loads(await ws.read_message())["command"] == "hello"
        ws.write_message(json.dumps({"command": "info", "plugins": {}, "url": page}))
        try:
            return json.loads(await asyncio.wait_for(ws.read_message(), 1))
        except TimeoutError:
            return None
        finally:
            ws.close()

    def run(snipver: int) -> dict | None:  # in a thread: the browser tests leave a loop running here
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, handshake(snipver)).result()

    assert run(old) == {"command": "reload", "path": "*", "liveCSS": False, "liveImg": False}
    assert run(current) is None  # an up-to-date tab is left alone


def test_ctrl_c_stops_cleanly(project, serve) -> None:
    server = serve(project, verbose=True)
    folder = re.search(r"building into (\S+)", server.output())
    assert folder and Path(folder.group(1)).is_dir()
    server.proc.send_signal(signal.SIGINT)
    assert server.proc.wait(15) == 0
    out = server.output()
    assert "Traceback" not in out and "Stopped." in out
    assert not Path(folder.group(1)).exists()  # the private build folder is gone


def test_open_starts_the_browser_on_the_site(project, serve, tmp_path, monkeypatch) -> None:
    opened = tmp_path / "opened.txt"
    fake = tmp_path / "fake-browser"
    fake.write_text(f'#!/bin/sh\necho "$1" > {opened}\n')
    fake.chmod(0o755)
    monkeypatch.setenv("BROWSER", str(fake))  # webbrowser runs $BROWSER with the URL
    server = serve(project, "--open")
    wait_for(opened.exists, 10, "the browser to be opened")
    wait_for(lambda: opened.read_text().strip() != "", 5, "the URL")
    assert opened.read_text().strip() == server.url


def test_missing_config_is_a_message(tmp_path, serve) -> None:
    server = serve(tmp_path, ready=False, argv=[sys.executable, "-m", "studyguide", "serve", "-f",
                                                str(tmp_path / "nope.yml"), "--port", str(free_port())])
    assert server.proc.wait(30) == 1
    assert "nope.yml' not found" in server.output() and "Traceback" not in server.output()


# -- units ----------------------------------------------------------------------------------------

def test_only_loopback_hosts_are_quiet(caplog) -> None:
    from studyguide.commands.serve import is_loopback, site_url

    assert all(is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.5"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "192.168.1.20", "example.org"))
    assert site_url("0.0.0.0", 8000, "/repo/") == "http://127.0.0.1:8000/repo/"
    assert site_url("::1", 8000, "/") == "http://[::1]:8000/"


def test_error_page_lists_problems_and_escapes_them(tmp_path) -> None:
    from studyguide.content.errors import ContentError, ContentErrors
    from studyguide.preview.handlers import render_error_page
    from studyguide.render.pages import TemplateRenderError
    from studyguide.site.failures import problems_from

    errors = ContentErrors([ContentError(tmp_path / "b.md", 7, "unknown key '<script>'"),
                            ContentError(tmp_path / "a.md", 2, "bad YAML")])
    problems = problems_from(errors, tmp_path)
    crash = problems_from(TemplateRenderError("partials/cards.html", 12, "UndefinedError: x"), tmp_path / "t")
    html = render_error_page(problems + crash)
    assert [str(p) for p in problems] == [str(e) for e in errors.errors]  # same text as the CLI
    assert html.index(f"{tmp_path / 'a.md'}:2") < html.index(f"{tmp_path / 'b.md'}:7")
    assert "unknown key &#39;&lt;script&gt;&#39;" in html and "<script>'" not in html
    assert f"{tmp_path / 't' / 'partials' / 'cards.html'}:12" in html and "Template" in html


def test_watcher_sees_edits_additions_and_removals_but_not_dotfiles(tmp_path) -> None:
    from studyguide.preview.watcher import SourceWatcher

    (tmp_path / "c").mkdir()
    note = tmp_path / "c" / "a.md"
    note.write_text("one")
    config = tmp_path / "studyguide.yml"
    config.write_text("title: x")
    watcher = SourceWatcher([tmp_path / "c", config])
    assert watcher.changes() == []
    (tmp_path / "c" / ".a.md.swp").write_text("editor noise")
    assert watcher.changes() == []
    note.write_text("two!")
    (tmp_path / "c" / "b.md").write_text("new")
    assert watcher.changes() == [str(note), str(tmp_path / "c" / "b.md")]
    config.write_text("title: changed")
    note.unlink()
    assert watcher.changes() == [str(note), str(config)]


# -- incremental rebuilds -------------------------------------------------------------------------

def _digest(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def test_incremental_rebuilds_equal_full_builds(tmp_path) -> None:
    """After every kind of edit, reusing pages gives byte-for-byte the site a full build gives."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from synthetic import make_guide

    from studyguide.render.theme import Theme, default_theme
    from studyguide.site.builder import SiteBuilder
    from studyguide.site.incremental import IncrementalBuilder

    config = make_guide(tmp_path / "guide", 64)  # 4 domains, 25 questions, 1 page
    content = config.parent / "content"
    theme = Theme(Path(shutil.copytree(default_theme().templates, tmp_path / "templates")),
                  Path(shutil.copytree(default_theme().static, tmp_path / "static")))
    builder = IncrementalBuilder(config, tmp_path / "preview" / "site", theme=theme, search=False,
                                 incremental_after_s=0)  # always reuse, however fast the full render
    builder.build()
    total = builder.last_rendered
    domains = sorted((content / "domains").iterdir())
    assert len(domains) >= 4
    topic = sorted(domains[1].glob("*.md"))[1]  # a domain with neighbours on both sides
    question = sorted((content / "interview").glob("*/*.md"))[0]
    page = next((content / "pages").glob("*.md"))
    # (what, edit, most pages it may render). The pages that show the whole guide (practice and its
    # cards, the one-page edition, the two interview sheets) are keyed on the whole guide
    # (incremental.page_key's conservative default), so every edit re-renders them too: `whole`
    # more than the edit's own.
    whole = 5
    edits: list[tuple[str, Callable[[], None], int]] = [
        ("topic body", lambda: topic.write_text(topic.read_text() + "\nA new paragraph.\n"), 1 + whole),
        ("topic title", lambda: _edit(topic, 'title: "', 'title: "Renamed '), 3 + whole),
        ("new tag", lambda: _edit(topic, "tags: [", "tags: [Brand new tag, "), total),
        ("domain name", lambda: _edit(domains[2] / "domain.yml", 'name: "', 'name: "Renamed '), total),
        ("diagram", lambda: (domains[0] / "diagram.mmd").write_text("flowchart LR\n  A --> B\n"), 1 + whole),
        ("question", lambda: _edit(question, "question: ", "question: Really, "), 3 + whole),
        ("page body", lambda: page.write_text(page.read_text() + "\nMore.\n"), 1 + whole),
        ("new topic", lambda: (domains[-1] / "99-late-topic.md").write_text(
            "---\ntitle: Late\nsubtitle: Added last\ntags: [Extra]\n---\nBody.\n"), total),
        ("removed topic", lambda: (domains[-1] / "99-late-topic.md").unlink(), total),
        ("template", lambda: _edit(theme.templates / "domain.html", "</section>", "</section><!-- x -->"), total),
        # Assets are hard-linked from the previous site when unchanged: changed ones must not be.
        ("stylesheet", lambda: _append(theme.static / "css" / "site.css", "\n.x-test { color: red; }\n"), total),
        ("vendored file", lambda: _append(theme.static / "vendor" / "ts-fsrs" / "LICENSE", "\nx\n"), total),
    ]
    for what, edit, most in edits:
        inode = (builder.out_dir / "tags" / "index.html").stat().st_ino
        asset_inode = (builder.out_dir / "assets" / "css" / "site.css").stat().st_ino
        edit()
        builder.build()
        full = SiteBuilder(config, tmp_path / "full" / what.replace(" ", "-"), theme=theme, search=False).build()
        assert _digest(builder.out_dir) == _digest(full.out_dir), f"after the {what} edit"
        assert builder.last_rendered <= most, f"{what}: rendered {builder.last_rendered} pages"
        if what == "topic body":  # a reused page is the previous file, hard-linked, not written again
            assert (builder.out_dir / "tags" / "index.html").stat().st_ino == inode
            assert (builder.out_dir / "assets" / "css" / "site.css").stat().st_ino == asset_inode  # so is an asset


def test_the_preview_watches_the_theme_folder_extra_files_and_assets(project, serve) -> None:
    """An edit to an override template, an override stylesheet, an extra_css file or a content
    image shows up without restarting the preview."""
    (project / "studyguide.yml").write_text((project / "studyguide.yml").read_text()
                                            + "theme:\n  dir: my-theme\nextra_css: [extra.css]\n")
    (project / "my-theme/templates").mkdir(parents=True)
    (project / "my-theme/static/css").mkdir(parents=True)
    page_template = project / "my-theme/templates/page.html"
    page_template.write_text('{% extends "base.html" %}{% block main %}<p class="v1">one</p>{% endblock %}')
    (project / "my-theme/static/css/search.css").write_text("/* v1 */\n")
    (project / "extra.css").write_text("/* extra v1 */\n")
    server = serve(project)
    assert 'class="v1"' in fetch(server.url + "answer-structure/")[1]
    start = generation(server.url)

    page_template.write_text('{% extends "base.html" %}{% block main %}<p class="v2">two</p>{% endblock %}')
    wait_for(lambda: 'class="v2"' in fetch(server.url + "answer-structure/")[1], 10, "the template edit")
    (project / "my-theme/static/css/search.css").write_text("/* v2 */\n")
    wait_for(lambda: fetch(server.url + "assets/css/search.css")[1] == "/* v2 */\n", 10, "the CSS edit")
    (project / "extra.css").write_text("/* extra v2 */\n")
    wait_for(lambda: fetch(server.url + "assets/extra/extra.css")[1] == "/* extra v2 */\n", 10, "extra_css")
    image = project / "content/domains/01-retrieval/assets/new.svg"
    image.parent.mkdir()
    image.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="20"/>')
    wait_for(lambda: fetch(server.url + "files/domains/01-retrieval/assets/new.svg")[0] == 200, 10, "a new asset")
    assert generation(server.url) > start


def test_the_preview_registers_no_worker_and_retires_one_left_by_a_built_copy(project, serve, context,
                                                                             tmp_path) -> None:
    """A built copy of the site opened earlier on the same address left its service worker (with
    the pages it cached): the preview's sw.js replaces it, so the preview never shows stale pages."""
    import functools
    import http.server
    import threading

    from playwright.sync_api import expect

    from studyguide.commands.build import build

    built = tmp_path / "built"
    build(project / "studyguide.yml", built, search=False)
    port = free_port()
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(built))
    static = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=static.serve_forever, daemon=True).start()
    page = context.new_page()
    try:
        page.goto(f"http://127.0.0.1:{port}/retrieval/")
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30_000)
    finally:
        static.shutdown()
        static.server_close()

    retitle(project, "Hybrid Search Previewed")
    server = serve(project, port=port)
    status, body, headers = fetch(server.url + "retrieval/")
    assert 'rel="manifest"' not in body and "offline.js" not in body  # preview pages register nothing
    status, worker, headers = fetch(server.url + "sw.js")
    assert status == 200 and "unregister()" in worker and "javascript" in headers["Content-Type"]

    page.goto(server.url + "retrieval/")  # may still come from the old worker's cache, once
    expect(page.locator(".card-title", has_text="Hybrid Search Previewed")).to_be_visible(timeout=30_000)
    page.wait_for_function("() => navigator.serviceWorker.controller === null", timeout=30_000)
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0
    assert page.evaluate("caches.keys()") == []


def test_open_cards_stay_open_when_a_save_reloads_the_tab(project, serve, page, watch_page) -> None:
    from playwright.sync_api import expect

    server = serve(project)
    watch = watch_page(page, server.url)
    page.goto(server.url + "retrieval/")
    page.locator("#hybrid-search > summary").click()
    expect(page.locator("#hybrid-search")).to_have_attribute("open", "")
    retitle(project, "Hybrid Search Revised")
    expect(page.locator(".card-title", has_text="Hybrid Search Revised")).to_be_visible(timeout=5000)
    expect(page.locator("#hybrid-search")).to_have_attribute("open", "")  # the reader's place is kept
    opened = page.locator("details[data-card]").evaluate_all("cs => cs.filter(c => c.open).map(c => c.id)")
    assert opened == ["hybrid-search"]
    assert not watch.console_errors and not watch.page_errors, watch.problems()


def test_a_changed_base_url_prints_the_new_address(project, serve) -> None:
    server = serve(project)
    config = project / "studyguide.yml"
    config.write_text(config.read_text() + "base_url: https://user.github.io/repo/\n")
    wait_for(lambda: f"base_url changed: the preview is now at http://127.0.0.1:{server.port}/repo/"
             in server.output(), 15, "the new address in the output")
    assert fetch(server.url)[2].get("Location") == "/repo/"
    assert fetch(server.url + "repo/retrieval/")[0] == 200


def test_the_preview_deletes_the_replaced_site_on_a_thread_and_close_waits_for_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    import studyguide.site.incremental as incremental_module
    from studyguide.site.incremental import IncrementalBuilder

    project = tmp_path / "guide"
    shutil.copytree(MINI, project)
    deleted_on: list[str] = []
    real_remove = incremental_module.remove_work_folder

    def remove(path: Path) -> None:
        time.sleep(0.2)  # a slow disk: build() must not wait for this
        deleted_on.append(threading.current_thread().name)
        real_remove(path)

    monkeypatch.setattr(incremental_module, "remove_work_folder", remove)
    builder = IncrementalBuilder(project / "studyguide.yml", project / "site", search=False)
    domain = builder.build().guide.domains[0]
    origin = domain.topics[0].origin
    assert origin is not None
    topic = origin.path
    topic.write_text(topic.read_text() + "\nOne more line.\n")
    start = time.perf_counter()
    builder.build()
    assert time.perf_counter() - start < 0.2 or deleted_on == [], "the rebuild waited for the deletion"
    assert "One more line." in (project / "site" / domain.path / "index.html").read_text()
    builder.close()
    assert deleted_on and all(name.startswith("studyguide-dispose") for name in deleted_on)
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".site-")) == []


def test_the_preview_reloads_before_the_search_index_is_rebuilt(tmp_path: Path) -> None:
    """Indexing follows the rebuild on a thread: the page is new at once, the index a little later,
    and between the two the previous, complete index is served."""
    from studyguide.preview.rebuild import PreviewSite
    from studyguide.site.background import ContentStep

    project = tmp_path / "guide"
    shutil.copytree(MINI, project)
    slow = {"seconds": 0.0}

    def index(folder: Path, guide) -> None:  # stands for Pagefind: a bundle of the titles
        time.sleep(slow["seconds"])
        (folder / "pagefind").mkdir()
        (folder / "pagefind" / "titles.txt").write_text("\n".join(t.title for t in guide.topics))

    site = PreviewSite(project / "studyguide.yml", project / "site", post_steps=[ContentStep(index, "pagefind")])
    try:
        first = site.build_once()  # the first build indexes before the preview serves
        assert first is not None and site.search_index is not None
        served = site.search_index.resolve("pagefind/titles.txt")
        assert served is not None and served.read_text().startswith(first.guide.topics[0].title)
        assert site.search_index.resolve("retrieval/index.html") is None  # the site's own files
        assert not (project / "site" / "pagefind").exists()

        slow["seconds"] = 1.0
        retitle(project, "Hybrid Search Renamed")
        start = time.perf_counter()
        assert site.build_once() is not None
        assert time.perf_counter() - start < 1.0, "the rebuild waited for the index"
        assert "Hybrid Search Renamed" in (project / "site" / "retrieval" / "index.html").read_text()
        assert "Hybrid Search Renamed" not in served.read_text()  # still the previous, whole index
        assert site.search_index.wait_idle(20)
        assert "Hybrid Search Renamed" in served.read_text()

        slow["seconds"] = 0.5  # two saves while indexing: one run more, for the newer guide
        retitle(project, "Second Title")
        site.build_once()
        retitle(project, "Third Title")
        site.build_once()
        assert site.search_index.wait_idle(20)
        assert "Third Title" in served.read_text()
        assert sorted(p.name for p in site.search_index.root.iterdir()) == ["current"]
    finally:
        site.stop()
