"""The preview server, round two (issue #12): it answers only its own host names and origins,
says 400 in one log line to paths no file can have, survives malformed socket messages, and its
watcher sees what the loader reads — symbolic link loops included — without ever looping.
"""

from __future__ import annotations

import asyncio
import http.client
import os
import threading
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from test_serve import Server, free_port, project, serve, wait_for  # noqa: F401 - fixtures reused
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

from studyguide.content.errors import ContentErrors
from studyguide.content.loader import Loader
from studyguide.preview.hosts import HostPolicy
from studyguide.preview.watcher import SourceWatcher

T = TypeVar("T")


def request(server: Server, path: str, host: str | None = None) -> tuple[int, str]:
    """A raw GET (http.client sends the path as given, with the Host header we choose)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_host=host is not None)
        if host is not None:
            conn.putheader("Host", host)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        conn.close()


def socket_status(server: Server, origin: str | None, host: str | None = None) -> int | str:
    """Open the reload WebSocket with the given Origin (and Host); 101 when it is accepted."""
    headers = {"Origin": origin} if origin is not None else {}
    if host:
        headers["Host"] = host

    async def connect() -> int | str:
        req = HTTPRequest(f"ws://127.0.0.1:{server.port}/livereload", headers=headers, request_timeout=10)
        try:
            conn = await websocket_connect(req)
        except HTTPClientError as exc:
            return exc.code
        conn.close()
        return 101

    return run_async(connect())


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine` in a thread of its own: Playwright's sync API may hold this thread's loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def log_lines_since(server: Server, mark: int) -> list[str]:
    return [line for line in server.output()[mark:].splitlines() if line.strip()]


@pytest.mark.parametrize("bind", ["127.0.0.1", "0.0.0.0"])
def test_only_its_own_host_names_and_origins_are_answered(project: Path, serve, bind: str) -> None:  # noqa: F811
    server = serve(project, "--host", bind)
    port = server.port
    own = [f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST.:{port}", f"[::1]:{port}", f"app.localhost:{port}"]
    foreign = [f"evil.example:{port}", "evil.example", f"127.0.0.1.nip.io:{port}", "[::1", ""]
    for host in own:
        assert request(server, "/", host)[0] == 200, host
        assert request(server, "/livereload.js", host)[0] == 200, host
    for host in foreign:
        status, body = request(server, "/", host)
        if bind == "0.0.0.0" and host not in ("[::1", ""):
            assert status == 200, host  # listening everywhere was asked for: every name is answered
        else:
            assert status == 403 and "not allowed" in body, (host, status)
            assert request(server, "/livereload.js", host)[0] == 403
    assert socket_status(server, f"http://127.0.0.1:{port}") == 101
    assert socket_status(server, f"http://localhost:{port}", host=f"localhost:{port}") == 101
    for origin in ["http://evil.example", f"http://evil.example:{port}", "null", f"http://127.0.0.1:{port + 1}"]:
        assert socket_status(server, origin) == 403, origin
    assert socket_status(server, f"http://evil.example:{port}", host=f"evil.example:{port}") == \
        (101 if bind == "0.0.0.0" else 403)
    assert "Traceback" not in server.output()


def test_a_named_host_is_answered_under_that_name() -> None:
    policy = HostPolicy("studybox.lan")
    assert policy.allows("studybox.lan:8000") and policy.allows("StudyBox.LAN.") and policy.allows("127.0.0.2")
    assert not policy.allows("other.lan:8000") and not policy.allows("studybox.lan.evil.example")


def test_impossible_paths_answer_400_in_one_log_line(project: Path, serve) -> None:  # noqa: F811
    server = serve(project, verbose=False)
    for path in ["/%00", "/retrieval/%00/index.html", "/" + "a" * 5000, "/" + "a/" * 2500, "/x%00.css"]:
        mark = len(server.output())
        status, _ = request(server, path)
        assert status == 400, path
        wait_for(lambda m=mark: log_lines_since(server, m), 5, "the log line")
        time.sleep(0.2)
        lines = log_lines_since(server, mark)
        assert len(lines) == 1 and lines[0].startswith("WARNING: 400 for a request path"), lines
    assert "Traceback" not in server.output()
    assert request(server, "/retrieval/")[0] == 200  # and it still serves


def test_malformed_socket_messages_log_one_line_each(project: Path, serve) -> None:  # noqa: F811
    server = serve(project)
    messages = ["not json", "[1, 2]", '{"command": 5}', "{}", '"hello"', b"\xff\xfe binary", '{"command": "hello"}']

    async def talk() -> None:
        req = HTTPRequest(f"ws://127.0.0.1:{server.port}/livereload",
                          headers={"Origin": f"http://127.0.0.1:{server.port}"})
        conn = await websocket_connect(req)
        for message in messages:
            await conn.write_message(message, binary=isinstance(message, bytes))
        reply = await asyncio.wait_for(conn.read_message(), 10)  # the good hello still gets its answer
        assert reply is not None and '"hello"' in str(reply)
        conn.close()

    mark = len(server.output())
    run_async(talk())
    wait_for(lambda: len(log_lines_since(server, mark)) >= 6, 5, "six log lines")
    time.sleep(0.2)
    lines = log_lines_since(server, mark)
    assert len(lines) == 6 and all(line.startswith("WARNING: ignored a malformed reload message") for line in lines), lines
    assert "Traceback" not in server.output()


# -- the watcher and symbolic links -----------------------------------------------------------------


def make_links(content: Path, outside: Path) -> None:
    domain = content / "domains/01-retrieval"
    os.symlink(".", domain / "_a")  # the loop of the issue
    os.symlink(".", domain / "03-self")
    os.symlink("..", domain / "04-up")
    os.symlink("../../..", content / "domains/02-agents/05-project")
    os.symlink("loop", domain / "loop")  # a link to itself
    outside.mkdir()
    (outside / "secret.md").write_text("---\ntitle: x\n---\n")
    os.symlink(outside, domain / "06-outside")
    os.symlink(domain / "01-hybrid-search.md", content / "domains/02-agents/07-alias.md")  # inside: fine


def test_the_watcher_sees_what_the_loader_reads_and_never_loops(project: Path, tmp_path: Path) -> None:  # noqa: F811
    content = project / "content"
    make_links(content, tmp_path / "outside")
    found: dict[str, object] = {}
    scan = threading.Thread(target=lambda: found.update(SourceWatcher([content], content=content).state))
    scan.start()
    scan.join(20)
    assert not scan.is_alive(), "the scan did not finish: it loops"
    watched = set(found)
    assert len(watched) < 200, "the scan followed links into copies of the content"
    assert not any("outside" in p and p.endswith("secret.md") for p in watched), "followed a link out of content"
    assert str(content / "domains/01-retrieval/06-outside") in watched, "the link itself must be watched"
    loader = Loader()
    with pytest.raises(ContentErrors):  # the odd links are errors; what matters is which files it read
        loader.load(project / "studyguide.yml")
    read = {os.path.realpath(p) for p in loader._cache}
    seen_real = {os.path.realpath(p) for p in watched}
    missing = sorted(p for p in read if p not in seen_real)
    assert not missing, f"the loader reads files the watcher does not watch: {missing}"


def test_serve_with_a_symlink_loop_answers_and_rebuilds(project: Path, serve, tmp_path: Path) -> None:  # noqa: F811
    make_links(project / "content", tmp_path / "outside")
    server = serve(project)
    status, body = request(server, "/")
    assert status == 500 and "symbolic link" in body  # the loader's errors, shown in the browser
    for name in ["03-self", "04-up", "loop", "06-outside"]:
        (project / "content/domains/01-retrieval" / name).unlink()
    (project / "content/domains/02-agents/05-project").unlink()
    wait_for(lambda: request(server, "/retrieval/")[0] == 200, 20, "the fixed build")
    assert "Traceback" not in server.output()
