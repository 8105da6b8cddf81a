"""Diagrams drawn at build time: cache keys, SVG ids, offline cached builds, the browser fallback,
errors, ``studyguide diagrams``, and the two real renderers (Chromium; mermaid-py against a local
mermaid.ink-compatible server).

The fixture guide ships its cache (``tests/fixtures/mini/.studyguide/diagrams``), as the bundled
guide does, so most builds here render nothing; the tests that need a renderer say so.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import require_tool
from helpers import BUNDLED_CONFIG, MINI, REPO, copy_mini, page_ids
from inkserver import ink_server

from studyguide.content.loader import Loader
from studyguide.render.diagramsvg import TOKEN, labels, normalise, place
from studyguide.render.diagramtheme import THEMES, DiagramTheme
from studyguide.render.theme import default_theme
from studyguide.site.diagram_cache import CACHE_DIR, DiagramCache, cache_key
from studyguide.site.diagram_renderers import ChromiumRenderer, Job
from studyguide.site.diagrams import DiagramStage, wanted_diagrams
from studyguide.site.mermaid_browser import browser_available

STATIC = default_theme().static
DOMAIN = "retrieval/index.html"  # the fixture's first domain page
NO_BROWSER = {"STUDYGUIDE_CHROMIUM": "/nonexistent/chromium"}


def require_renderer() -> None:
    require_tool(browser_available(), "Chromium and Playwright are needed to render diagrams")


def cli(project: Path, *args: str, env: dict[str, str] | None = None,
        pythonpath: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    paths = [*(pythonpath or []), str(REPO), os.environ.get("PYTHONPATH", "")]
    full = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in paths if p), **(env or {}))
    return subprocess.run([sys.executable, "-m", "studyguide", *args], cwd=project, env=full,
                          capture_output=True, text=True, timeout=300)


# ---- Pure parts ----------------------------------------------------------------------------------


def test_cache_key_changes_with_source_theme_palette_and_renderer_version() -> None:
    base = cache_key("flowchart LR\n  A --> B", "dark", "palette1", "chromium/mermaid-11.17.2/svg2")
    assert base == cache_key("\nflowchart LR\n  A --> B\n\n", "dark", "palette1", "chromium/mermaid-11.17.2/svg2")
    variants = [
        cache_key("flowchart LR\n  A --> C", "dark", "palette1", "chromium/mermaid-11.17.2/svg2"),
        cache_key("flowchart LR\n  A --> B", "light", "palette1", "chromium/mermaid-11.17.2/svg2"),
        cache_key("flowchart LR\n  A --> B", "dark", "palette2", "chromium/mermaid-11.17.2/svg2"),
        cache_key("flowchart LR\n  A --> B", "dark", "palette1", "chromium/mermaid-11.18.0/svg2"),
        cache_key("flowchart LR\n  A --> B", "dark", "palette1", "mermaid-ink/svg2"),
    ]
    assert len({base, *variants}) == 6


def test_stage_keys_follow_the_theme_file(tmp_path: Path) -> None:
    static = tmp_path / "static"
    shutil.copytree(STATIC, static)
    settings = Loader().load(MINI / "studyguide.yml").site.diagrams
    before = DiagramStage(tmp_path, settings, static).keys("flowchart LR\n A --> B")
    theme_file = static / "diagrams/theme.json"
    theme_file.write_text(theme_file.read_text().replace("#6c63ff", "#6c63fe"))
    after = DiagramStage(tmp_path, settings, static).keys("flowchart LR\n A --> B")
    assert set(before) == set(after) == set(THEMES)
    assert not set(before.values()) & set(after.values())


SAMPLE = ('<svg id="mermaid-svg" width="100%" style="max-width: 320.5px;" viewBox="0 0 320.5 99.123456">'
          '<style>#mermaid-svg .node rect{fill:#fff;}</style>'
          '<marker id="mermaid-svg_flowchart-v2-pointEnd"></marker>'
          '<g id="L_A_B_0"><path d="M 1.23456,2 L 3,4" marker-end="url(#mermaid-svg_flowchart-v2-pointEnd)"'
          ' data-points="WzEsMl0="></path></g><g id="L_A_B_0"></g><use href="#L_A_B_0"></use>'
          '<foreignObject><div><span><p>Query<br>Rewriting</p></span></div></foreignObject>'
          '<text>mermaid-svg &amp; friends</text></svg>')


def test_normalise_puts_every_id_under_the_token_uniquely() -> None:
    svg = normalise(SAMPLE)
    ids = re.findall(r'\sid="([^"]*)"', svg)
    assert ids == [TOKEN, f"{TOKEN}-flowchart-v2-pointend", f"{TOKEN}-l-a-b-0", f"{TOKEN}-l-a-b-0-2"]
    assert f"#{TOKEN} .node rect" in svg and f"url(#{TOKEN}-flowchart-v2-pointend)" in svg
    assert f'href="#{TOKEN}-l-a-b-0"' in svg  # references follow their target
    assert "data-points" not in svg and "M 1.23,2" in svg and 'viewBox="0 0 320.5 99.12"' in svg
    assert "mermaid-svg &amp; friends" in svg  # label text is never touched


def test_place_gives_page_ids_and_names_the_svg() -> None:
    placed = place(normalise(SAMPLE), "sgd2l", 'aria-labelledby="sgd2-title"', "sgd2-desc")
    assert TOKEN not in placed
    assert placed.startswith('<svg id="sgd2l" role="img" aria-labelledby="sgd2-title" aria-describedby="sgd2-desc"')
    assert placed.count(' id="sgd2l"') == 1
    assert labels(placed) == ["Query Rewriting", "mermaid-svg & friends"]


def test_one_theme_definition_shared_by_every_renderer() -> None:
    """The palette lives in diagrams/theme.json only: no copy in diagrams.js or in Python."""
    theme = DiagramTheme.load(STATIC)
    palette_hexes = {v for t in THEMES for v in theme.data["palette"][t].values() if isinstance(v, str)
                     and v.startswith("#")} | set(theme.data["light_colours"])
    package = REPO / "studyguide"
    copies = [STATIC / "js/diagrams.js", STATIC / "js/diagram-zoom.js", package / "check/mermaid.py",
              *package.glob("*/diagram*.py"), *package.glob("*/mermaid*.py")]
    assert len(copies) >= 8
    for path in copies:
        text = path.read_text(encoding="utf-8").lower()
        assert not [h for h in palette_hexes if h in text], path
    assert theme.adapt("style A fill:#2D2B55,color:#e2e4eb", "light") == "style A fill:#ecebff,color:#1b1d2a"
    assert theme.adapt("style A fill:#2d2b55", "dark") == "style A fill:#2d2b55"
    assert theme.config("light")["themeVariables"]["primaryColor"] == theme.data["palette"]["light"]["primaryColor"]
    assert "browser" in (STATIC / "js/diagrams.js").read_text() and "theme.json" in (STATIC / "js/diagrams.js").read_text()


# ---- Builds from the cache, and without it ----------------------------------------------------------


# Imported first by the child Python (PYTHONPATH): no Playwright, and no socket may leave the machine.
OFFLINE_SITECUSTOMIZE = '''
import socket, sys
sys.modules["playwright"] = None  # "import playwright" raises ImportError
def _refuse(*args, **kwargs):
    raise OSError("network is off in this test")
socket.socket.connect = _refuse
socket.create_connection = _refuse
'''


def test_cached_build_needs_neither_chromium_nor_network(tmp_path: Path) -> None:
    project = copy_mini(tmp_path / "guide")
    offline = tmp_path / "offline"
    offline.mkdir()
    (offline / "sitecustomize.py").write_text(OFFLINE_SITECUSTOMIZE)
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                           if not (Path(p) / "chromium").exists())
    result = cli(project, "build", "--no-search", env={**NO_BROWSER, "PATH": path}, pythonpath=[str(offline)])
    assert result.returncode == 0, result.stderr
    assert "not in the cache" not in result.stderr
    html = (project / "site" / DOMAIN).read_text(encoding="utf-8")
    assert html.count('class="diagram is-drawn"') == 2  # the domain diagram and a fenced one
    assert "diagrams.js" not in html and "mermaid.min.js" not in html
    # One SVG per figure whose colours follow the theme (diagrammerge), not a copy per theme.
    assert html.count("<svg") == 2 and "diagram-light" not in html
    assert html.count(":root[data-theme=light] #sgd") == 2
    ids = page_ids(html)
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1][:5]
    assert "Query Rewriting" in html or "Query" in html  # label text is in the page


def test_missing_from_cache_without_renderer_falls_back_to_the_browser_and_says_so_once(tmp_path: Path) -> None:
    project = copy_mini(tmp_path / "guide")
    shutil.rmtree(project / CACHE_DIR)
    result = cli(project, "build", "--no-search", env=NO_BROWSER)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("not in the cache") == 1, result.stderr
    assert "3 diagrams are not in the cache" in result.stderr
    html = (project / "site" / DOMAIN).read_text(encoding="utf-8")
    assert "is-drawn" not in html
    assert html.count('<pre class="mermaid" data-diagram>') == 2  # the client-side shape
    assert "js/diagrams.js" in html and "theme.json" in html
    home = (project / "site/index.html").read_text(encoding="utf-8")
    assert "diagrams.js" not in home and "diagram-zoom.js" not in home


def test_partly_cached_page_draws_what_it_has(tmp_path: Path) -> None:
    project = copy_mini(tmp_path / "guide")
    guide = Loader().load(project / "studyguide.yml")
    stage = DiagramStage(project, guide.site.diagrams, STATIC)
    fenced = next(w.source for w in wanted_diagrams(guide) if w.in_markdown)
    for key in stage.keys(fenced).values():
        (project / CACHE_DIR / f"{key}.svg").unlink()
    result = cli(project, "build", "--no-search", env=NO_BROWSER)
    assert result.returncode == 0 and "1 diagram is not in the cache" in result.stderr, result.stderr
    html = (project / "site" / DOMAIN).read_text(encoding="utf-8")
    assert html.count('class="diagram is-drawn"') == 1 and html.count('<pre class="mermaid" data-diagram>') == 1
    assert "diagrams.js" in html and "diagram-zoom.js" in html


def test_browser_renderer_draws_nothing_at_build_time(tmp_path: Path) -> None:
    project = copy_mini(tmp_path / "guide")
    (project / "studyguide.yml").write_text((project / "studyguide.yml").read_text()
                                            + "diagrams:\n  renderer: browser\n")
    result = cli(project, "build", "--no-search")
    assert result.returncode == 0 and "not in the cache" not in result.stderr, result.stderr
    html = (project / "site" / DOMAIN).read_text(encoding="utf-8")
    assert "is-drawn" not in html and "js/diagrams.js" in html


def test_unavailable_renderer_is_one_clear_message(tmp_path: Path) -> None:
    project = copy_mini(tmp_path / "guide")
    shutil.rmtree(project / CACHE_DIR)
    config = project / "studyguide.yml"
    original = config.read_text()
    config.write_text(original + "diagrams:\n  renderer: chromium\n")
    result = cli(project, "build", "--no-search", env=NO_BROWSER)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "the chromium diagram renderer cannot run: Chromium not found" in result.stderr, result.stderr
    assert not (project / "site").exists()

    config.write_text(original + "diagrams:\n  renderer: mermaid-ink\n")
    result = cli(project, "build", "--no-search", env={"MERMAID_INK_SERVER": ""})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "the mermaid-ink renderer needs a server: set diagrams: ink_server:" in result.stderr, result.stderr

    config.write_text(original + "diagrams:\n  renderer: mermaid-ink\n  ink_server: http://127.0.0.1:9\n")
    result = cli(project, "build", "--no-search")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "the mermaid.ink server at http://127.0.0.1:9 is unreachable" in result.stderr, result.stderr
    assert len([line for line in result.stderr.splitlines() if line.strip()]) <= 2, result.stderr


def test_bad_diagrams_config_is_reported_at_its_line(tmp_path: Path) -> None:
    project = copy_mini(tmp_path / "guide")
    config = project / "studyguide.yml"
    lines = config.read_text().count("\n")
    config.write_text(config.read_text() + "diagrams:\n  renderer: graphviz\n  ink_server: mermaid.ink\n")
    result = cli(project, "build", "--no-search")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"studyguide.yml:{lines + 2}: 'renderer' must be one of chromium, mermaid-ink, browser" in result.stderr
    assert f"studyguide.yml:{lines + 3}: 'ink_server' must be an absolute http(s) URL" in result.stderr


def test_diagrams_command_prunes_stale_entries(tmp_path: Path) -> None:
    project = copy_mini(tmp_path / "guide")
    cache = DiagramCache(project / CACHE_DIR)
    used = cache.entries()
    cache.put("0" * 24, "<svg></svg>")
    result = cli(project, "diagrams", "--prune", env=NO_BROWSER)
    assert result.returncode == 0, result.stderr
    assert "3 diagrams × 2 themes: 0 rendered, 3 from the cache" in result.stdout
    assert "pruned 1 stale entry" in result.stdout
    assert cache.entries() == used and len(used) == 6

    shutil.rmtree(project / CACHE_DIR)
    result = cli(project, "diagrams", env=NO_BROWSER)
    assert result.returncode == 1 and "3 diagrams not drawn: no renderer is available" in result.stderr


# ---- Real renderers ----------------------------------------------------------------------------------


def test_chromium_renderer_draws_every_bundled_diagram() -> None:
    require_renderer()
    guide = Loader().load(BUNDLED_CONFIG)
    sources = [d.diagram.source for d in guide.domains]
    assert len(sources) == 15
    renderer = ChromiumRenderer(STATIC, DiagramTheme.load(STATIC))
    try:
        drawn = renderer.render([Job(s, t) for s in sources for t in THEMES])
    finally:
        renderer.close()
    assert all(d.svg and not d.error for d in drawn), [d.error for d in drawn if d.error]
    for source, (dark, light) in zip(sources, zip(drawn[::2], drawn[1::2], strict=True), strict=True):
        assert dark.svg != light.svg
        assert labels(dark.svg or "") == labels(light.svg or "")  # the same drawing in two palettes
        assert 'aria-roledescription="' in (dark.svg or "")
        quoted = re.findall(r'\["([^"]+)"\]', source)
        shown = " ".join(labels(dark.svg or ""))
        assert all(q.split("\\n")[0] in shown for q in quoted), source.splitlines()[0]
    # The committed cache is exactly what this renderer makes (same keys, same bytes).
    stage = DiagramStage(BUNDLED_CONFIG.parent, guide.site.diagrams, STATIC)
    cached = [stage.cache.svg(stage.keys(s)[t]) for s in sources for t in THEMES]
    assert cached == [d.svg for d in drawn]


def test_render_error_is_a_content_error_at_the_mmd_line(tmp_path: Path) -> None:
    require_renderer()
    project = copy_mini(tmp_path / "guide")
    (project / "content/domains/01-retrieval/diagram.mmd").write_text("flowchart LR\n  A --> B\n  B --> (\n")
    (project / "content/domains/02-agents/loop.mmd").write_text("sequenceDiagram\n  A->>B: hi\n  B-->>: x\n")
    result = cli(project, "build", "--no-search")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "content/domains/01-retrieval/diagram.mmd:3: Mermaid diagram does not render: Parse error on line 3" \
        in result.stderr, result.stderr
    assert "content/domains/02-agents/loop.mmd:3: Mermaid diagram does not render" in result.stderr
    assert "2 errors; nothing was written." in result.stderr
    assert not (project / "site").exists()


def test_mermaid_ink_renderer_through_mermaid_py(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """mermaid-py against a mermaid.ink-compatible server on 127.0.0.1 (found by MERMAID_INK_SERVER);
    the PNG becomes the domain page's Open Graph image."""
    require_renderer()
    project = copy_mini(tmp_path / "guide")
    shutil.rmtree(project / CACHE_DIR)
    config = project / "studyguide.yml"
    config.write_text(config.read_text() + "base_url: https://example.org/guide/\n"
                      "diagrams:\n  renderer: mermaid-ink\n")
    with ink_server(STATIC) as (server, requests):
        result = cli(project, "build", "--no-search", env={"MERMAID_INK_SERVER": server})
        assert result.returncode == 0, result.stderr
        assert {r.split("/")[1] for r in requests} == {"svg", "img"}
        assert len([r for r in requests if r.startswith("/svg/")]) == 6  # 3 diagrams × 2 themes
        html = (project / "site" / DOMAIN).read_text(encoding="utf-8")
        assert html.count('class="diagram is-drawn"') == 2 and "diagrams.js" not in html
        image = re.search(r'<meta property="og:image" content="https://example\.org/guide/(assets/diagrams/\w+\.png)">',
                          html)
        assert image, "no Open Graph image on the domain page"
        assert (project / "site" / image.group(1)).read_bytes().startswith(b"\x89PNG")
        assert len(list((project / CACHE_DIR).glob("*.png"))) == 3  # one per diagram (its dark drawing)

        # Cached now: a second build asks the server nothing.
        requests.clear()
        assert cli(project, "build", "--no-search", env={"MERMAID_INK_SERVER": server}).returncode == 0
        assert requests == []

        # A diagram the server rejects (HTTP 400) is a content error at its line.
        (project / "content/domains/02-agents/loop.mmd").write_text("flowchart LR\n  A --> B\n  B --> (\n")
        result = cli(project, "build", "--no-search", env={"MERMAID_INK_SERVER": server})
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert "content/domains/02-agents/loop.mmd:3: Mermaid diagram does not render: Parse error on line 3" \
            in result.stderr, result.stderr


def test_preview_rerenders_only_the_edited_diagram_in_one_chromium(tmp_path: Path) -> None:
    """What ``serve`` does on a .mmd edit: one builder for the session; the edited diagram is the
    only cache miss, rendered in the Chromium the session already started; the page shows it."""
    require_renderer()
    from studyguide.site.incremental import IncrementalBuilder

    project = copy_mini(tmp_path / "guide")
    builder = IncrementalBuilder(project / "studyguide.yml", project / "site", search=False)
    try:
        builder.build()
        stage = builder._stage
        assert stage is not None and stage.rendered == 0  # all from the committed cache: no browser
        diagram = project / "content/domains/01-retrieval/diagram.mmd"
        pages = []
        for n in (1, 2):
            diagram.write_text(f'flowchart LR\n  A["Edited label {n}"] --> B["Retriever"]\n')
            builder.build()
            assert builder._stage is stage and stage.rendered == 1
            renderer = stage.renderer
            assert isinstance(renderer, ChromiumRenderer)
            pages.append(renderer.browser._page)
            html = (project / "site" / DOMAIN).read_text(encoding="utf-8")
            assert f"Edited label {n}" in html and html.count('class="diagram is-drawn"') == 2
        assert pages[0] is not None and pages[0] is pages[1]  # one Chromium for the session
    finally:
        builder.close()
    assert stage.renderer is not None and stage.renderer.browser._page is None  # closed with the builder
