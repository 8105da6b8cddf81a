"""Shared test helpers: copies of the fixture guide and running the CLI in a subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"
BUNDLED_CONFIG = REPO / "studyguide.yml"

#: Built files the service worker must leave out (the spec, written out independently of
#: site/offline.py's rules; pagefind's unused-language WebAssembly is added where it applies).
NOT_PRECACHED = {"sw.js", "404.html", "robots.txt", "sitemap.xml", ".nojekyll", "CNAME",
                 *(f"assets/vendor/{lib}/{note}" for lib in ("mermaid", "ts-fsrs") for note in ("LICENSE", "VERSION")),
                 "assets/icons/icon-192.png", "assets/icons/icon-512.png",
                 "assets/icons/icon-maskable-512.png"}
#: What only a diagram drawn in the reader's browser needs: precached only when a page loads it.
BROWSER_DIAGRAM_FILES = {"assets/vendor/mermaid/mermaid.min.js", "assets/js/diagrams.js", "assets/diagrams/theme.json"}


def copy_mini(dest: Path) -> Path:
    """A writable copy of the mini fixture guide; returns its project folder."""
    shutil.copytree(MINI, dest)
    return dest


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m studyguide`` the way a user would, capturing its output."""
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "studyguide", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def tree_digest(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes: compare two of these to prove nothing changed."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids += [v for k, v in attrs if k == "id" and v]


def page_ids(html: str) -> list[str]:
    """Every id attribute in an HTML text, in order (repeats included)."""
    parser = _Ids()
    parser.feed(html)
    return parser.ids
