"""``studyguide deploy``: build with every check and publish to GitHub Pages (like ``mkdocs gh-deploy``).

The site is built into a temporary folder, never into the project, checked with the same checks
as ``studyguide check`` (a failing check publishes nothing), and committed to the Pages
branch with ghp-import, which writes the commit through ``git fast-import``: no checkout, so the
user's working tree, index and current branch are never touched. A build or check failure stops
before git is written to at all.

When the config has no ``base_url``, the public URL derived from the remote (or ``cname``) is used
for this build, so the published site gets canonical URLs, a sitemap and a 404 page whose links
work on a project site (``user.github.io/repo/``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import click

from .. import __version__
from ..check.report import CheckReport
from ..content.config import CONFIG_NAME
from ..content.model import Guide
from ..site.builder import BuildResult, SiteBuilder
from .build import search_steps

log = logging.getLogger(__name__)


class DeployError(Exception):
    """A reason not to publish, worded for the user."""


# --- git -----------------------------------------------------------------------------------------


def git(args: list[str], cwd: Path, *, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run git in `cwd`, capturing output. Raises DeployError when `check` and git fails."""
    try:
        # LC_ALL=C: messages are matched below and must not be translated.
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                              env={**os.environ, "LC_ALL": "C"})
    except OSError as exc:
        raise DeployError(f"cannot run git: {exc}. Install git to deploy.") from exc
    if check and done.returncode != 0:
        detail = done.stderr.strip().removeprefix("fatal: ") or f"exit code {done.returncode}"
        raise DeployError(f"git {args[0]} failed: {detail}")
    return done


@dataclass(frozen=True)
class Repo:
    """The git facts a deploy needs, read once up front (all read-only)."""

    top: Path
    commit: str | None  # short hash of HEAD; None in a repository without commits
    current_branch: str | None
    remote_url: str | None

    @classmethod
    def inspect(cls, project_root: Path, remote: str) -> Repo:
        probe = git(["rev-parse", "--show-toplevel"], project_root, check=False)
        if probe.returncode != 0:
            raise DeployError(
                f"'{project_root}' is not inside a git repository. `studyguide deploy` publishes to "
                f"a branch of the project's repository: run `git init` and add a GitHub remote, or "
                f"use `studyguide build` and upload the site folder yourself.")
        top = Path(probe.stdout.strip())
        head = git(["rev-parse", "--short", "HEAD"], top, check=False)
        branch = git(["symbolic-ref", "--quiet", "--short", "HEAD"], top, check=False)
        url = git(["remote", "get-url", remote], top, check=False)
        return cls(top=top,
                   commit=head.stdout.strip() if head.returncode == 0 else None,
                   current_branch=branch.stdout.strip() if branch.returncode == 0 else None,
                   remote_url=url.stdout.strip() if url.returncode == 0 else None)


    def uncommitted(self, paths: tuple[Path, ...]) -> bool:
        """Whether any of `paths` (the files the build read) differs from HEAD or is untracked."""
        inside = [str(p) for p in paths if p.resolve().is_relative_to(self.top.resolve())]
        if not inside:
            return False
        status = git(["status", "--porcelain", "--untracked-files=all", "--", *inside], self.top)
        return bool(status.stdout.strip())


# A URL inside any text (git's messages quote them): scheme://, then up to a space or quote.
_URL_IN_TEXT = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>`]+")
HIDDEN = "***"


def _redact_url(url: str) -> str:
    scheme, rest = url.split("://", 1)
    ends = [i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0]
    end = min(ends, default=len(rest))
    host, tail = rest[:end].rsplit("@", 1)[-1], rest[end:]  # drop user:password@
    path, mark, query = tail.partition("?")
    if mark:
        query, hash_mark, fragment = query.partition("#")
        params = [f"{p.split('=', 1)[0]}={HIDDEN}" if "=" in p else (HIDDEN if p else p) for p in query.split("&")]
        tail = f"{path}?{'&'.join(params)}{hash_mark}{fragment}"
    return f"{scheme}://{host}{tail}"


def url_secrets(url: str | None) -> list[str]:
    """The credentials in a remote URL (user, password, query values), as written and decoded."""
    if not url or "://" not in url:
        return []
    rest = url.split("://", 1)[1]
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    found = re.split(r"[:@]", authority.rpartition("@")[0]) if "@" in authority else []
    query = rest.partition("?")[2].partition("#")[0]
    found += [p.split("=", 1)[-1] for p in query.split("&")]
    return sorted({v for s in found if len(s) >= 3 for v in (s, unquote(s))}, key=len, reverse=True)


def redact(text: str | None, secrets: list[str] | tuple[str, ...] = ()) -> str | None:
    """`text` fit for printing: every URL in it without user, password or query values, and each
    of `secrets` (see :func:`url_secrets`) hidden wherever it appears (CI logs are often public).
    Never raises, whatever the text (a URL that ``urllib`` refuses included)."""
    if not text:
        return text
    text = _URL_IN_TEXT.sub(lambda match: _redact_url(match.group()), text)
    for secret in secrets:
        text = text.replace(secret, HIDDEN)
    return text


def remote_url_problem(url: str) -> str | None:
    """Why git could never use the remote `url`, said without the credentials it may contain."""
    if "://" not in url:
        return None  # a path or scp-like ``host:path``: git checks those itself
    try:
        urlsplit(url).port  # noqa: B018 - raises for a bad IPv6 host or a port out of 0–65535
    except ValueError as exc:
        return str(exc)
    return None


def pages_url_from_remote(remote_url: str | None) -> str | None:
    """The GitHub Pages address of a GitHub remote, or None for any other host.

    ``git@github.com:user/repo.git`` and ``https://github.com/user/repo`` → ``https://user.github.io/repo/``;
    a repository named ``user.github.io`` is a user site → ``https://user.github.io/``.
    """
    if not remote_url:
        return None
    match = re.fullmatch(r"(?:[\w.-]+@)?github\.com:(?P<path>[^/]+/[^/]+)", remote_url)  # scp-like ssh
    if match:
        path = match["path"]
    else:
        try:
            parts = urlsplit(remote_url)
            hostname = parts.hostname
        except ValueError:  # refused by deploy before it builds; never a Pages address
            return None
        if parts.scheme not in ("https", "http", "ssh", "git") or hostname != "github.com":
            return None
        path = parts.path.strip("/")
    segments = path.removesuffix(".git").strip("/").split("/")
    if len(segments) != 2 or not all(segments):
        return None
    owner, repo = segments[0].lower(), segments[1]
    if repo.lower() == f"{owner}.github.io":
        return f"https://{owner}.github.io/"
    return f"https://{owner}.github.io/{repo}/"


def public_url(guide: Guide, remote_url: str | None) -> str | None:
    """Where the site will be served: ``cname``, then ``base_url``, then derived from the remote."""
    if guide.site.cname:
        return f"https://{guide.site.cname}/"
    return guide.site.base_url or pages_url_from_remote(remote_url)


# --- build ---------------------------------------------------------------------------------------


class _DeployBuilder(SiteBuilder):
    """A full build that fills in a missing ``base_url`` with the address the site will have."""

    def __init__(self, *args, remote_url: str | None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.remote_url = remote_url
        self.derived_base_url: str | None = None

    def load(self) -> Guide:
        guide = super().load()
        if guide.site.base_url:
            return guide
        url = public_url(guide, self.remote_url)
        if url is None:
            return guide
        self.derived_base_url = url
        return dataclasses.replace(guide, site=dataclasses.replace(guide.site, base_url=url))


def check_built_site(site_dir: Path, guide: Guide) -> CheckReport:
    """The checks of ``studyguide check`` on the built folder: content lint, links, anchors, ids,
    CSP hygiene, Mermaid parsing and HTML validity (tool checks say SKIPPED when a tool is missing)."""
    from ..check.builtsite import check_site
    from ..check.lint import lint_guide
    from .check import BUILT_LABEL

    report = lint_guide(guide)
    report.extend(check_site(site_dir, guide, label=BUILT_LABEL))
    return report


def build_for_deploy(config_path: Path, out_dir: Path, remote_url: str | None) -> tuple[BuildResult, str | None]:
    """A full build (search included); returns the result and the base URL used if derived."""
    builder = _DeployBuilder(config_path, out_dir, search=True, post_steps=search_steps(True),
                             remote_url=remote_url)
    return builder.build(), builder.derived_base_url


def site_size(folder: Path) -> tuple[int, int]:
    """Number of files and their total size in bytes (what ghp-import will commit)."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def human_size(size: int) -> str:
    for unit in ("B", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    raise AssertionError("unreachable")


# --- publish -------------------------------------------------------------------------------------


def default_message(repo: Repo, dirty: bool) -> str:
    source = repo.commit or "a repository without commits"
    if dirty:
        source += " plus uncommitted changes"
    return f"Deploy {source} with studyguide {__version__}"


def committer_known(top: Path) -> bool:
    """ghp-import takes the committer from GIT_COMMITTER_* or user.name/user.email, else writes ''."""
    for env, key in (("GIT_COMMITTER_NAME", "user.name"), ("GIT_COMMITTER_EMAIL", "user.email")):
        if not os.environ.get(env) and not git(["config", key], top, check=False).stdout.strip():
            return False
    return True


def fetch_branch(top: Path, remote: str, branch: str) -> None:
    """Update ``remote/branch`` so the new commit goes on top of what is published.

    ghp-import starts from the remote-tracking branch; a stale one would make the push a
    non-fast-forward. A branch the remote does not have yet is the first deploy, not an error.
    """
    done = git(["fetch", "--quiet", remote, f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}"],
               top, check=False)
    if done.returncode != 0 and "couldn't find remote ref" not in done.stderr:
        raise DeployError(f"cannot fetch '{branch}' from '{remote}': {done.stderr.strip()}")


def publish(site_dir: Path, repo: Repo, *, remote: str, branch: str, message: str, force: bool) -> str:
    """Commit `site_dir` as the new tip of `branch` and push it; returns the new commit's hash."""
    import ghp_import

    fetch_branch(repo.top, remote, branch)
    before = git(["rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"], repo.top, check=False).stdout.strip()
    # ghp-import runs git in the current directory and has no cwd parameter.
    with contextlib.chdir(repo.top):
        try:
            ghp_import.ghp_import(str(site_dir), mesg=message, remote=remote, branch=branch,
                                  push=False, nojekyll=True, cname=None)  # the build wrote CNAME
        except ghp_import.GhpError as exc:
            raise DeployError(f"ghp-import failed: {exc.message}") from exc
        except TypeError as exc:  # ghp-import 2.1 reports a failed fast-import by writing bytes to stdout
            raise DeployError("git fast-import failed; see git's message above") from exc
    after = git(["rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"], repo.top, check=False).stdout.strip()
    if not after or after == before:
        raise DeployError(f"no commit was made on '{branch}'; see git's message above")
    push = git(["push", "--quiet", *(["--force"] if force else []), remote, f"refs/heads/{branch}"],
               repo.top, check=False)
    if push.returncode != 0:
        hint = "" if force else " If the branch was rewritten elsewhere, --force replaces it."
        raise DeployError(f"pushing '{branch}' to '{remote}' failed: {push.stderr.strip()}.{hint}")
    return after


def deploy(config_path: Path, *, remote: str = "origin", branch: str = "gh-pages", message: str | None = None,
           force: bool = False, dry_run: bool = False) -> None:
    """The ``deploy`` command: check the repository, build, then publish (or describe, with --dry-run)."""
    from .reporting import fail, run_reporting_errors

    config_path = Path(config_path)
    if os.path.isdir(config_path):
        config_path = config_path / CONFIG_NAME
    project_root = config_path.resolve().parent
    if not project_root.is_dir():
        fail([f"error: config folder '{project_root}' does not exist"])
    secrets = url_secrets(remote)  # `--remote` may be a URL itself

    def say(text: str, **kwargs: object) -> None:  # everything deploy prints goes through redact()
        click.echo(redact(text, secrets), **kwargs)  # type: ignore[arg-type]

    try:
        repo = Repo.inspect(project_root, remote)
        secrets = sorted({*secrets, *url_secrets(repo.remote_url)}, key=len, reverse=True)
        problem = remote_url_problem(repo.remote_url or remote)
        if problem:
            raise DeployError(f"the URL of remote '{remote}' is not valid ({problem}): "
                              f"{repo.remote_url or remote}. Fix it with `git remote set-url {remote} <url>`.")
        if repo.remote_url is None:
            raise DeployError(f"the repository has no remote '{remote}'. Add one with "
                              f"`git remote add {remote} <url>` or choose another with --remote.")
        if repo.current_branch == branch:
            raise DeployError(f"'{branch}' is the branch checked out in '{repo.top}'; publishing would "
                              f"replace your working files. Switch to your source branch first.")
        if not dry_run and not committer_known(repo.top):
            raise DeployError("git does not know who you are: set `git config user.name` and "
                              "`git config user.email` (or GIT_COMMITTER_NAME/GIT_COMMITTER_EMAIL).")
    except DeployError as exc:
        fail([redact(f"error: {exc}", secrets) or ""], "Nothing was published.")
    with tempfile.TemporaryDirectory(prefix="studyguide-deploy-") as tmp:
        site_dir = Path(tmp) / "site"

        result, derived = run_reporting_errors(
            lambda: build_for_deploy(config_path, site_dir, repo.remote_url))
        say(result.summary().replace(str(site_dir), "a temporary folder"))
        if derived:
            say(f"base_url is not set in {CONFIG_NAME}; using {derived} for this build.")
        dirty = repo.uncommitted(result.guide.sources)
        if dirty:
            say(click.style(f"warning: content or config files differ from commit {repo.commit}; "
                            "the published site includes those uncommitted changes.", fg="yellow"), err=True)
        report = check_built_site(site_dir, result.guide)
        for line in report.lines():
            say(line, err=report.failed())
        if report.failed():
            fail([], "The built site failed its checks; nothing was published.")
        url = public_url(result.guide, repo.remote_url)
        files, size = site_size(site_dir)
        commit_message = message or default_message(repo, dirty)
        target = f"branch '{branch}' of remote '{remote}' ({repo.remote_url})"
        if dry_run:
            say(f"Dry run: would publish {files} files ({human_size(size)}) to {target}")
            say(f"  commit message: {commit_message}")
            say(f"  public URL: {url or 'unknown (not a GitHub remote; set base_url or cname)'}")
            say("Nothing was written.")
            return
        try:
            commit = publish(site_dir, repo, remote=remote, branch=branch, message=commit_message, force=force)
        except DeployError as exc:
            fail([redact(f"error: {exc}", secrets) or ""], "Nothing was published.")
    say(f"Published {files} files ({human_size(size)}) to {target} as {commit[:12]}.")
    if url:
        say(f"Your site: {url}")
        say("(GitHub Pages may take a minute to update. In the repository's Settings → Pages, "
            f"the source must be 'Deploy from a branch': {branch}, / (root).)")
    else:
        say("Public URL unknown: the remote is not on github.com; set base_url or cname.")
