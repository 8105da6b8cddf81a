"""Smoke tests: vendored Mermaid renders in real Chromium, fixtures behave.

The browser test is skipped when /usr/bin/chromium is missing, and fails
instead when STUDYGUIDE_REQUIRE_TOOLS=1 (see tests/conftest.py).
"""

from __future__ import annotations

import hashlib
import re
import shutil
import textwrap
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import CHROMIUM_MISSING_REASON, REQUIRE_TOOLS_ENV, require_tool

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parents[1]
MERMAID_DIR = REPO / "static" / "vendor" / "mermaid"
MERMAID_JS = MERMAID_DIR / "mermaid.min.js"
CONFTEST = Path(__file__).with_name("conftest.py")
MISSING_REASON = CHROMIUM_MISSING_REASON.replace(
    "/usr/bin/chromium", "/nonexistent/chromium"
)

FLOWCHART = """\
flowchart LR
  A[Content model] --> B{Jinja templates}
  B -->|render| C[Static HTML]
  B --> D[Mermaid diagrams]
"""

SEQUENCE = """\
sequenceDiagram
  participant S as Student
  participant G as Study guide
  S->>G: open chapter
  G-->>S: rendered page
"""

PAGE = """\
<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>mermaid smoke</title>
  <link rel="icon" href="data:,">
  <script src="vendor/mermaid.min.js"></script>
</head>
<body>
  <pre class="mermaid" id="flow">{flow}</pre>
  <pre class="mermaid" id="seq">{seq}</pre>
</body>
</html>
"""


def _version_fields() -> dict[str, str]:
    fields = {}
    for line in (MERMAID_DIR / "VERSION").read_text().splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    return fields


# --- vendored bundle ---------------------------------------------------------


def test_vendored_mermaid_matches_version_file():
    text = (MERMAID_DIR / "VERSION").read_text()
    assert re.match(r"mermaid 11\.\d+\.\d+\n", text), text
    fields = _version_fields()
    digest = hashlib.sha256(MERMAID_JS.read_bytes()).hexdigest()
    assert fields["mermaid.min.js-sha256"] == digest
    assert fields["npm-integrity"].startswith("sha512-")
    assert "MIT License" in (MERMAID_DIR / "LICENSE").read_text()


def test_vendored_mermaid_is_self_contained():
    js = MERMAID_JS.read_text(encoding="utf-8")
    # Browser global build, not ESM.
    assert 'globalThis["mermaid"]' in js
    assert not re.search(r"^\s*(import|export)\s", js, re.M)
    # No lazy chunks, workers or source maps to fetch at runtime.
    assert "import(" not in js
    assert "importScripts" not in js
    assert "sourceMappingURL" not in js
    for host in ("googleapis", "gstatic", "jsdelivr", "unpkg", "cdnjs"):
        assert host not in js, host


# --- serve_dir ---------------------------------------------------------------


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def test_serve_dir_prefix_and_404(serve_dir, tmp_path):
    (tmp_path / "index.html").write_text("home")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "b.txt").write_text("bee")
    base = serve_dir(tmp_path, prefix="some/sub/path")
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/some/sub/path/", base)
    origin = base[: -len("some/sub/path/")]

    assert _get(base) == (200, "home")
    assert _get(base + "a/b.txt?x=1") == (200, "bee")
    assert _get(base + "missing.html")[0] == 404
    assert _get(origin + "a/b.txt")[0] == 404  # outside the prefix
    assert _get(origin + "some/sub/path") == (200, "home")  # 301 followed

    (tmp_path / "404.html").write_text("custom not found")
    assert _get(base + "missing.html") == (404, "custom not found")
    assert _get(origin + "index.html") == (404, "custom not found")


# --- Mermaid in Chromium -----------------------------------------------------


def test_mermaid_renders_in_chromium(page, serve_dir, watch_page, tmp_path):
    (tmp_path / "vendor").mkdir()
    shutil.copyfile(MERMAID_JS, tmp_path / "vendor" / "mermaid.min.js")
    (tmp_path / "index.html").write_text(
        PAGE.format(flow=FLOWCHART, seq=SEQUENCE), encoding="utf-8"
    )
    base = serve_dir(tmp_path, prefix="/studyguide/smoke/")
    watch = watch_page(page, base)

    page.goto(base)
    assert page.evaluate("typeof window.mermaid") == "object"
    error = page.evaluate(
        """async () => {
            try {
                mermaid.initialize({startOnLoad: false, securityLevel: 'strict'});
                await mermaid.run();
                return null;
            } catch (e) {
                return String(e && e.stack || e);
            }
        }"""
    )
    assert error is None

    diagrams = page.evaluate(
        """() => [...document.querySelectorAll('pre.mermaid')].map(pre => {
            const svg = pre.querySelector('svg');
            if (!svg) return {id: pre.id, svg: false};
            const r = svg.getBoundingClientRect();
            return {
                id: pre.id, svg: true, width: r.width, height: r.height,
                role: svg.getAttribute('aria-roledescription'),
                viewBox: svg.getAttribute('viewBox'),
                text: svg.textContent,
            };
        })"""
    )
    by_id = {d["id"]: d for d in diagrams}
    assert set(by_id) == {"flow", "seq"}
    for d in diagrams:
        assert d["svg"], f"no <svg> rendered for #{d['id']}"
        assert d["width"] > 0 and d["height"] > 0, d
        vb = [float(x) for x in d["viewBox"].split()]
        assert vb[2] > 0 and vb[3] > 0, d
    assert by_id["flow"]["role"].startswith("flowchart")
    assert "Static HTML" in by_id["flow"]["text"]
    assert by_id["seq"]["role"] == "sequence"
    assert "open chapter" in by_id["seq"]["text"]

    watch.assert_clean()


# --- require_tool: skip, or fail under STUDYGUIDE_REQUIRE_TOOLS=1 ------------


def test_require_tool_passes_when_available(monkeypatch):
    monkeypatch.setenv(REQUIRE_TOOLS_ENV, "1")
    require_tool(True, "never raised")


def test_require_tool_skips_when_missing(monkeypatch):
    monkeypatch.delenv(REQUIRE_TOOLS_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="frobnicator missing"):
        require_tool(False, "frobnicator missing")


def test_require_tool_fails_when_required(monkeypatch):
    monkeypatch.setenv(REQUIRE_TOOLS_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="frobnicator missing"):
        require_tool(False, "frobnicator missing")


def test_require_executable(require_executable, monkeypatch):
    monkeypatch.delenv(REQUIRE_TOOLS_ENV, raising=False)
    assert Path(require_executable("sh")).is_file()
    with pytest.raises(pytest.skip.Exception, match="apt-get install nope"):
        require_executable("no-such-tool-xyz", hint="apt-get install nope")


@pytest.fixture
def missing_chromium_project(pytester):
    """A pytester project with our conftest, pointed at a missing Chromium."""
    conftest = CONFTEST.read_text(encoding="utf-8")
    marker = 'CHROMIUM_PATH = Path("/usr/bin/chromium")'
    assert marker in conftest
    pytester.makeconftest(
        conftest.replace(marker, 'CHROMIUM_PATH = Path("/nonexistent/chromium")')
    )
    pytester.makepyfile(
        test_uses_page=textwrap.dedent(
            """
            def test_needs_browser(page):
                raise AssertionError("must not run without Chromium")

            def test_plain():
                pass
            """
        )
    )
    return pytester


def test_browser_tests_skip_without_chromium(missing_chromium_project, monkeypatch):
    monkeypatch.delenv(REQUIRE_TOOLS_ENV, raising=False)
    result = missing_chromium_project.runpytest_subprocess(
        "-rs", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines([f"*SKIPPED*{MISSING_REASON}*"])


def test_browser_tests_fail_without_chromium_when_required(
    missing_chromium_project, monkeypatch
):
    monkeypatch.setenv(REQUIRE_TOOLS_ENV, "1")
    result = missing_chromium_project.runpytest_subprocess(
        "-p", "no:cacheprovider"
    )
    # Raised in setup, so pytest reports it as an error (non-zero exit).
    result.assert_outcomes(passed=1, errors=1)
    assert result.ret != 0
    result.stdout.fnmatch_lines([f"{MISSING_REASON} [[]{REQUIRE_TOOLS_ENV}=1]"])


def test_watch_page_catches_foreign_requests_and_errors(
    page, serve_dir, watch_page, tmp_path
):
    (tmp_path / "index.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<title>t</title><link rel="icon" href="data:,"></head><body>'
        '<img alt="" src="https://cdn.example.invalid/x.png">'
        '<img alt="" src="missing.png">'
        "<script>console.error('boom'); setTimeout(() => { throw new Error('kaput') });"
        "</script></body></html>"
    )
    base = serve_dir(tmp_path)
    watch = watch_page(page, base)
    page.goto(base)
    page.wait_for_load_state("load")
    page.wait_for_timeout(100)

    assert watch.foreign_requests == ["https://cdn.example.invalid/x.png"]
    assert any("boom" in e for e in watch.console_errors)
    assert any("kaput" in e for e in watch.page_errors)
    assert watch.http_errors == [f"404 {base}missing.png"]
    with pytest.raises(AssertionError, match="foreign_requests"):
        watch.assert_clean()


def test_browser_is_debian_chromium(browser, browser_type_launch_args):
    assert browser_type_launch_args["executable_path"] == "/usr/bin/chromium"
    assert browser_type_launch_args["headless"] is True
    assert "--no-sandbox" in browser_type_launch_args["args"]
    assert int(browser.version.split(".")[0]) >= 100
