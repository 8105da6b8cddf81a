"""Offline reading: the web app manifest, its icons and the service worker, written after the rest.

This is the build's last post-step (after search indexing), because the worker's precache list and
its cache name come from the finished site: every file a reader needs offline — pages, CSS, JS,
the search bundle, Mermaid for the diagrams — and a content hash over exactly those files. The hash
goes into ``sw.js`` itself, so a deploy that changes any of them is a new worker for the browser
(that is how it notices updates), while rebuilding the same files gives the same worker, byte for
byte. The worker's code is :file:`sw.js` beside this module; the page side is the theme's
``static/js/offline.js``.

Left out of the precache, because no page needs them offline: the worker itself, ``404.html``
(served by the host for missing URLs only), ``sitemap.xml``, ``robots.txt``, ``CNAME``, dot files,
licence/version notes of vendored code, the Anki deck (a download for Anki, not a page), the app
icons (the browser fetches those itself when the site is installed), Pagefind's WebAssembly for
languages the index does not use, and the in-browser diagram renderer (Mermaid, 3.5 MB, with
``diagrams.js`` and its theme file) when every diagram was drawn at build time: no page loads it
then. It is still published, since a diagram that later fails to draw falls back to it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ..content.model import Guide
from ..render.themefiles import DEFAULT_FAVICON, ThemeFiles
from .icons import ICON_SPECS, draw_icons

log = logging.getLogger(__name__)

WORKER = "sw.js"
MANIFEST = "manifest.webmanifest"
ICONS_DIR = "assets/icons"
_WORKER_SOURCE = Path(__file__).with_name("sw.js")

#: Site files no page needs offline (see the module docstring).
_NOT_PRECACHED_NAMES = frozenset({WORKER, "404.html", "sitemap.xml", "robots.txt", "CNAME"})
_NOT_PRECACHED_SUFFIXES = (".txt", ".md", ".map", ".apkg")  # .apkg: a download for Anki, not a page
_NOTES = ("LICENSE", "LICENCE", "VERSION", "NOTICE", "COPYING")
#: What only a diagram left to the reader's browser loads (templates/base.html, has_diagrams).
_BROWSER_DIAGRAM_FILES = ("assets/vendor/mermaid/", "assets/js/diagrams.js", "assets/diagrams/theme.json")

#: Dark background of the default palette (static/css/site.css ``--bg``): the splash screen and
#: the title bar of the installed app; pages set their own theme-color per colour scheme.
BACKGROUND = "#11121a"


@dataclass(frozen=True)
class Precache:
    files: tuple[str, ...]  # site-relative file paths, sorted
    version: str  # content hash of those files
    size: int  # bytes

    def urls(self) -> list[str]:
        """The files as the worker requests them: relative to its scope, folders as ``folder/``."""
        urls = []
        for path in self.files:
            if path == "index.html":
                urls.append("./")
            elif path.endswith("/index.html"):
                urls.append(quote(path[: -len("index.html")]))
            else:
                urls.append(quote(path))
        return urls


def _unused_wasm(site_dir: Path) -> set[str]:
    """Pagefind's ``wasm.LANG.pagefind`` files for languages its index does not load."""
    entry = site_dir / "pagefind" / "pagefind-entry.json"
    if not entry.is_file():
        return set()
    languages = json.loads(entry.read_text(encoding="utf-8")).get("languages", {})
    used = {f"wasm.{lang.get('wasm')}.pagefind" for lang in languages.values()}
    return {p.name for p in entry.parent.glob("wasm.*.pagefind")} - used


def needed_offline(path: str, unused_wasm: set[str], browser_diagrams: bool = True) -> bool:
    """Whether the site file at `path` (site-relative) goes into the precache. `browser_diagrams`:
    whether any page draws a diagram in the browser (else Mermaid stays out)."""
    name = path.rsplit("/", 1)[-1]
    if name.startswith(".") or (path in _NOT_PRECACHED_NAMES) or path.startswith(ICONS_DIR + "/"):
        return False
    if not browser_diagrams and path.startswith(_BROWSER_DIAGRAM_FILES):
        return False
    if name.endswith(_NOT_PRECACHED_SUFFIXES) or name.split(".")[0].upper() in _NOTES:
        return False
    return not (path.startswith("pagefind/") and name in unused_wasm)


def precache_list(site_dir: Path, known: Mapping[str, str] | None = None, *,
                  browser_diagrams: bool = True) -> Precache:
    """The files the worker precaches, their content hash and their total size.

    `known`: site path → SHA-256 (hex) of files whose hash was taken as they were written (the
    pages); those are not read again. Post-steps must not change pages in place (see
    :func:`~studyguide.site.builder.write_site`), so those hashes still hold here.
    `browser_diagrams`: see :func:`needed_offline`."""
    known = known or {}
    unused = _unused_wasm(site_dir)
    digest = hashlib.sha256()
    files, size = [], 0
    for file in sorted(site_dir.rglob("*")):
        path = file.relative_to(site_dir).as_posix()
        if not file.is_file() or not needed_offline(path, unused, browser_diagrams):
            continue
        if path in known:
            file_digest, file_size = bytes.fromhex(known[path]), file.stat().st_size
        else:
            data = file.read_bytes()
            file_digest, file_size = hashlib.sha256(data).digest(), len(data)
        digest.update(path.encode() + b"\0" + file_digest)
        files.append(path)
        size += file_size
    return Precache(tuple(files), digest.hexdigest()[:16], size)


def short_name(title: str) -> str:
    """A launcher label: the title up to its first separator ("AI Engineering — Study Topics" →
    "AI Engineering"), else the whole title."""
    for separator in (" — ", " – ", " - ", ": ", " | "):
        if separator in title:
            return title.split(separator, 1)[0].strip()
    return title


def manifest(guide: Guide) -> dict[str, object]:
    """The web app manifest. URLs are relative to the manifest, which sits at the site's root, so
    ``start_url`` and ``scope`` are the base path wherever the site is served (``/repo/``)."""
    site = guide.site
    icons = [{"src": f"{ICONS_DIR}/{name}", "sizes": f"{size}x{size}", "type": "image/png", "purpose": purpose}
             for name, size, purpose in ICON_SPECS]
    return {
        "name": site.title,
        "short_name": site.short_name or short_name(site.title),
        "description": site.description,
        "lang": site.language,
        "id": "./",
        "start_url": "./",
        "scope": "./",
        "display": "standalone",
        "background_color": BACKGROUND,
        "theme_color": BACKGROUND,
        "categories": ["education"],
        "icons": icons,
    }


def mark_source(assets: ThemeFiles) -> Path:
    """The mark the icons are drawn from: the guide's favicon when it is an SVG, else the theme's
    (a raster favicon cannot be read as shapes)."""
    if assets.favicon.endswith(".svg") and assets.favicon in assets.files:
        return assets.files[assets.favicon]
    return assets.files[DEFAULT_FAVICON]


def write_offline_files(site_dir: Path, guide: Guide, mark: Path,
                        known: Mapping[str, str] | None = None, *, browser_diagrams: bool = True) -> Precache:
    """Build step: icons (drawn from `mark`, see :func:`mark_source`) and the manifest first,
    since the manifest is precached, then the worker. `known`, `browser_diagrams`: see
    :func:`precache_list`."""
    site_dir = Path(site_dir)
    icons = draw_icons(mark)
    icons_dir = site_dir / ICONS_DIR
    icons_dir.mkdir(parents=True, exist_ok=True)
    for icon in icons:
        (icons_dir / icon.name).write_bytes(icon.png)
    (site_dir / MANIFEST).write_text(json.dumps(manifest(guide), ensure_ascii=False, indent=2) + "\n",
                                     encoding="utf-8")
    precache = precache_list(site_dir, known, browser_diagrams=browser_diagrams)
    build = json.dumps({"version": precache.version, "files": precache.urls()}, separators=(",", ":"))
    source = _WORKER_SOURCE.read_text(encoding="utf-8")
    (site_dir / WORKER).write_text(f"var BUILD = {build};\n{source}", encoding="utf-8")
    log.debug("offline: %d files, %.1f MB precached (cache %s)", len(precache.files),
              precache.size / 1e6, precache.version)
    return precache
