"""Offline reading, on disk: the manifest, its icons, the worker's precache list and the switch.

The browser side (the worker installing, serving offline, updating) is in test_offline_browser.py.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pytest
from helpers import BROWSER_DIAGRAM_FILES, BUNDLED_CONFIG, MINI, NOT_PRECACHED, copy_mini, run_cli
from PIL import Image

from studyguide.commands.build import build
from studyguide.render.theme import Theme, default_theme
from studyguide.site.builder import SiteBuilder
from studyguide.site.icons import IconError, read_mark
from studyguide.site.offline import short_name


def worker_build(site: Path) -> dict:
    """The BUILD object on the first line of sw.js."""
    first = (site / "sw.js").read_text(encoding="utf-8").split("\n", 1)[0]
    match = re.fullmatch(r"var BUILD = (\{.*\});", first)
    assert match, first
    return json.loads(match.group(1))


def as_files(urls: list[str]) -> set[str]:
    return {"index.html" if u == "./" else u + "index.html" if u.endswith("/") else u for u in urls}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("offline") / "site"
    project = copy_mini(tmp_path_factory.mktemp("offline-src") / "mini")
    config = project / "studyguide.yml"
    config.write_text(config.read_text() + "base_url: https://example.github.io/repo/\n")
    build(config, out, search=True)
    return out


def test_manifest_names_the_guide_and_stays_under_the_base_path(site: Path) -> None:
    manifest = json.loads((site / "manifest.webmanifest").read_text(encoding="utf-8"))
    assert manifest["name"] == "Mini Guide" and manifest["short_name"] == "Mini Guide"
    # Relative to the manifest at the site's root: the base path wherever the site is served.
    assert manifest["start_url"] == manifest["scope"] == manifest["id"] == "./"
    assert manifest["display"] == "standalone"
    css = (site / "assets/css/site.css").read_text(encoding="utf-8")
    assert f"--bg:{manifest['background_color']};" in css  # published minified and manifest["theme_color"] == manifest["background_color"]
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<link rel="manifest" href="manifest.webmanifest">' in home
    assert 'data-sw="../sw.js"' in (site / "retrieval/index.html").read_text(encoding="utf-8")


def test_icons_are_pngs_of_the_declared_sizes_drawn_from_the_mark(site: Path) -> None:
    manifest = json.loads((site / "manifest.webmanifest").read_text(encoding="utf-8"))
    purposes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= purposes
    tile, bars = (0x2D, 0x2B, 0x55), {(0x6C, 0x63, 0xFF), (0x4D, 0xC9, 0xF6), (0x00, 0xD4, 0xAA)}
    for icon in manifest["icons"]:
        image = Image.open(io.BytesIO((site / icon["src"]).read_bytes()))
        size = int(icon["sizes"].split("x")[0])
        assert image.format == "PNG" and image.size == (size, size)
        rgba = image.convert("RGBA")
        colours = {rgba.getpixel((x, y))[:3] for x in range(0, size, 4) for y in range(0, size, 4)}
        assert bars | {tile} <= colours, f"{icon['src']}: the mark's tile and three bars are not all drawn"
        if icon["purpose"] == "maskable":
            # Full bleed, and every bar inside the safe zone (the centred circle of radius 40 %).
            for x in range(0, size, 2):
                for y in range(0, size, 2):
                    if (x - size / 2) ** 2 + (y - size / 2) ** 2 > (0.4 * size) ** 2:
                        assert rgba.getpixel((x, y)) == (*tile, 255), f"{icon['src']}: ({x}, {y}) outside the safe zone"
        else:
            assert rgba.getpixel((0, 0))[3] == 0  # the mark's rounded corner stays transparent


def test_precache_holds_every_file_a_reader_needs_and_nothing_else(site: Path) -> None:
    files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    entry = json.loads((site / "pagefind/pagefind-entry.json").read_text(encoding="utf-8"))
    used_wasm = {f"pagefind/wasm.{lang['wasm']}.pagefind" for lang in entry["languages"].values()}
    unused_wasm = {f for f in files if re.fullmatch(r"pagefind/wasm\..+\.pagefind", f)} - used_wasm
    # The mini guide's diagrams are drawn from its cache: the browser renderer is not needed offline.
    assert not any("js/diagrams.js" in p.read_text(encoding="utf-8") for p in site.rglob("*.html"))
    expected = files - NOT_PRECACHED - unused_wasm - BROWSER_DIAGRAM_FILES
    listed = as_files(worker_build(site)["files"])
    assert listed == expected
    assert {"index.html", "interview/index.html", "manifest.webmanifest", "pagefind/pagefind.js"} <= listed


def test_cache_name_is_a_content_hash_and_rebuilding_the_same_files_gives_the_same_worker(tmp_path: Path) -> None:
    build(MINI / "studyguide.yml", tmp_path / "a", search=False)
    build(MINI / "studyguide.yml", tmp_path / "b", search=False)
    assert (tmp_path / "a/sw.js").read_bytes() == (tmp_path / "b/sw.js").read_bytes()
    assert (tmp_path / "a/assets/icons/icon-512.png").read_bytes() == (tmp_path / "b/assets/icons/icon-512.png").read_bytes()
    project = copy_mini(tmp_path / "mini")
    topic = project / "content/domains/01-retrieval/01-hybrid-search.md"
    topic.write_text(topic.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    build(project / "studyguide.yml", tmp_path / "c", search=False)
    assert re.fullmatch(r"[0-9a-f]{16}", worker_build(tmp_path / "a")["version"])
    assert worker_build(tmp_path / "c")["version"] != worker_build(tmp_path / "a")["version"]


def test_mermaid_is_precached_only_when_a_page_draws_a_diagram_in_the_browser(tmp_path: Path) -> None:
    # The bundled guide's diagrams all come from its committed cache: no page loads Mermaid, so the
    # worker leaves its 3.5 MB out (it is still published, for a diagram that later falls back).
    build(BUNDLED_CONFIG, tmp_path / "drawn", search=False)
    pages = [p.read_text(encoding="utf-8") for p in (tmp_path / "drawn").rglob("*.html")]
    assert not [p for p in pages if "js/diagrams.js" in p], "a page still loads the browser renderer"
    listed = as_files(worker_build(tmp_path / "drawn")["files"])
    assert (tmp_path / "drawn/assets/vendor/mermaid/mermaid.min.js").is_file()
    assert not listed & BROWSER_DIAGRAM_FILES and "llm-fundamentals/index.html" in listed
    # Drawn in the browser (the `browser` renderer): the pages load it, so it is precached.
    project = copy_mini(tmp_path / "mini")
    config = project / "studyguide.yml"
    config.write_text(config.read_text() + "diagrams:\n  renderer: browser\n")
    build(config, tmp_path / "browser", search=False)
    assert "js/diagrams.js" in (tmp_path / "browser/retrieval/index.html").read_text(encoding="utf-8")
    assert as_files(worker_build(tmp_path / "browser")["files"]) >= BROWSER_DIAGRAM_FILES


def test_the_anki_deck_is_a_download_not_part_of_the_precache(tmp_path: Path) -> None:
    project = copy_mini(tmp_path / "mini")
    config = project / "studyguide.yml"
    config.write_text(config.read_text() + "anki_deck: true\n")
    build(config, tmp_path / "out", search=False)
    decks = [p.name for p in (tmp_path / "out").rglob("*.apkg")]
    assert decks, "the deck was not published"
    assert not [u for u in worker_build(tmp_path / "out")["files"] if u.endswith(".apkg")]


def test_offline_false_builds_a_plain_website(tmp_path: Path) -> None:
    project = copy_mini(tmp_path / "mini")
    config = project / "studyguide.yml"
    config.write_text(config.read_text() + "offline: false\n")
    build(config, tmp_path / "out", search=False)
    out = tmp_path / "out"
    assert not (out / "sw.js").exists() and not (out / "manifest.webmanifest").exists()
    assert not (out / "assets/icons").exists()
    home = (out / "index.html").read_text(encoding="utf-8")
    assert 'rel="manifest"' not in home and "offline.js" not in home and "data-update-prompt" not in home


def test_offline_must_be_true_or_false(tmp_path: Path) -> None:
    project = copy_mini(tmp_path / "mini")
    config = project / "studyguide.yml"
    lines = config.read_text().count("\n")
    config.write_text(config.read_text() + "offline: sometimes\n")
    result = run_cli("build", cwd=project)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"studyguide.yml:{lines + 1}: 'offline' must be true or false, got text" in result.stderr


def test_short_name_is_the_title_up_to_its_separator() -> None:
    assert short_name("AI Engineering — Study Topics") == "AI Engineering"
    assert short_name("Kubernetes: the hard parts") == "Kubernetes"
    assert short_name("Mini Guide") == "Mini Guide"


def test_a_mark_the_icon_generator_cannot_draw_is_named_with_its_line(tmp_path: Path) -> None:
    mark = tmp_path / "favicon.svg"
    mark.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">\n'
                    '<rect width="64" height="64" fill="#2d2b55"/>\n<path d="M0 0L64 64"/>\n</svg>\n')
    with pytest.raises(IconError, match=r"favicon\.svg:3: cannot draw <path>"):
        read_mark(mark)
    mark.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8">\n<circle r="4" fill="red"/></svg>')
    with pytest.raises(IconError, match=r"favicon\.svg:2: fill 'red'"):
        read_mark(mark)


def test_theme_mark_gives_a_clear_build_error(tmp_path: Path) -> None:
    """A theme whose mark cannot be drawn: exit 1, the mark's path and line, no half-written site."""
    project = copy_mini(tmp_path / "mini")
    static = tmp_path / "static"
    shutil.copytree(default_theme().static, static)
    (static / "favicon.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4">\n'
                                        '<polygon points="0,0 4,0 4,4"/></svg>')
    builder = SiteBuilder(project / "studyguide.yml", tmp_path / "out",
                          theme=Theme(templates=default_theme().templates, static=static), search=False)
    with pytest.raises(IconError, match=r"favicon\.svg:2: cannot draw <polygon>"):
        builder.build()
    assert not (tmp_path / "out").exists()


def test_the_worker_version_from_hashes_taken_while_writing_equals_one_from_reading_the_site(site: Path) -> None:
    """The build hashes pages as it writes them instead of reading the site back: the cache name
    must be the one a full read of the finished folder gives."""
    from studyguide.site.offline import precache_list

    read_back = precache_list(site, browser_diagrams=False)  # the mini guide's diagrams are drawn
    assert worker_build(site)["version"] == read_back.version
    wrong = {"index.html": "00" * 32}  # a stale hash must show in the version: it is really used
    assert precache_list(site, wrong, browser_diagrams=False).version != read_back.version
