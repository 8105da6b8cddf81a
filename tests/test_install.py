"""A non-editable install (the wheel) carries the default theme and builds a guide anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from helpers import REPO, copy_mini

pytest.importorskip("hatchling", reason="building the wheel offline needs hatchling (pip install -e '.[test]')")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(dist), str(REPO)], check=True, capture_output=True, timeout=300)
    (found,) = dist.glob("studyguide-*.whl")
    return found


def test_wheel_contains_package_theme_and_entry_point(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("studyguide/cli.py", "studyguide/theme/templates/base.html",
                     "studyguide/theme/static/css/site.css",
                     "studyguide/theme/static/vendor/mermaid/mermaid.min.js",
                     "studyguide/theme/static/vendor/mermaid/LICENSE"):
        assert required in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "studyguide = studyguide.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_wheel_builds_a_guide_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site-packages"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
                    str(wheel)], check=True, capture_output=True, timeout=300)
    project = copy_mini(tmp_path / "elsewhere")
    # Only the installed copy is importable: not the repository checkout.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(target)
    probe = subprocess.run([sys.executable, "-c", "import studyguide, studyguide.render.theme as t; "
                            "print(studyguide.__file__); print(t.default_theme().templates)"],
                           cwd=project, env=env, capture_output=True, text=True, check=True)
    assert all(line.startswith(str(target)) for line in probe.stdout.split())
    result = subprocess.run([sys.executable, "-m", "studyguide", "build", "--no-search"], cwd=project,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (project / "site/retrieval/index.html").is_file()
    assert (project / "site/assets/vendor/mermaid/mermaid.min.js").is_file()
