"""The ``studyguide`` command line.

Each command's module is imported only when that command runs, so ``studyguide --help`` stays
fast and a command's heavy dependencies (livereload, ghp-import, pagefind) load only when needed.
Every known failure (content errors, a broken template, a refused output folder) is printed as
plain messages with exit code 1 — never a traceback.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path

import click

from . import __version__
from .content.model import BADGES  # pure data: cheap to import

CONFIG_HELP = "Config file (default: ./studyguide.yml)."


def _setup_logging(verbose: int, quiet: int) -> None:
    level = logging.INFO - 10 * verbose + 10 * quiet
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s: %(message)s", stream=sys.stderr)


def _adjust_logging(ctx: click.Context, param: click.Parameter, value: int) -> None:
    """``-v``/``-q`` after the command name (``studyguide build -q``) add to the ones before it."""
    if value:
        root = logging.getLogger()
        step = -10 if param.name == "verbose" else 10
        root.setLevel(min(max(root.level + step * value, logging.DEBUG), logging.CRITICAL))


def verbosity_options(func: Callable) -> Callable:
    func = click.option("-q", "--quiet", count=True, expose_value=False, callback=_adjust_logging,
                        help="Less output.")(func)
    return click.option("-v", "--verbose", count=True, expose_value=False, callback=_adjust_logging,
                        help="More output (repeat for debug).")(func)


def config_option(func: Callable) -> Callable:
    return click.option("--config", "-f", "config", type=click.Path(path_type=Path),
                        default=Path("studyguide.yml"), show_default=True, help=CONFIG_HELP)(func)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="studyguide")
@click.option("-v", "--verbose", count=True, help="More output (repeat for debug).")
@click.option("-q", "--quiet", count=True, help="Less output.")
def main(verbose: int, quiet: int) -> None:
    """Build, preview and publish study guides written as YAML and Markdown."""
    _setup_logging(verbose, quiet)


@main.command()
@config_option
@verbosity_options
@click.option("--out", "-o", "out", type=click.Path(path_type=Path), default=None,
              help="Output folder (default: site/ beside the config file).")
@click.option("--no-search", is_flag=True, help="Skip the search index (faster drafts).")
def build(config: Path, out: Path | None, no_search: bool) -> None:
    """Build the site into a folder, replacing the previous build only on success."""
    from .commands.build import build as run_build
    from .commands.reporting import run_reporting_errors

    result = run_reporting_errors(lambda: run_build(config, out, search=not no_search))
    click.echo(result.summary())



@main.command()
@config_option
@verbosity_options
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind. Anything but loopback exposes the preview to your network.")
@click.option("--port", "-p", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a web browser.")
@click.option("--no-search", is_flag=True, help="Skip the search index (faster rebuilds).")
@click.option("--poll", is_flag=True,
              help="Poll the sources instead of waiting for file-system events (network shares, VM folders).")
def serve(config: Path, host: str, port: int, open_browser: bool, no_search: bool, poll: bool) -> None:
    """Preview the site with live reload while you edit."""
    from .commands.serve import serve as run_serve

    run_serve(config, host=host, port=port, open_browser=open_browser, search=not no_search, poll=poll)


@main.command()
@config_option
@verbosity_options
@click.option("--remote", default="origin", show_default=True, help="Git remote to push to.")
@click.option("--branch", default="gh-pages", show_default=True, help="Branch to publish to.")
@click.option("--message", "-m", default=None, help="Commit message (default names the source commit).")
@click.option("--force", is_flag=True, help="Force-push the branch.")
@click.option("--dry-run", is_flag=True, help="Build and show what would be published; touch nothing.")
def deploy(config: Path, remote: str, branch: str, message: str | None, force: bool, dry_run: bool) -> None:
    """Build with all checks and publish to GitHub Pages (the gh-pages branch)."""
    from .commands.deploy import deploy as run_deploy

    run_deploy(config, remote=remote, branch=branch, message=message, force=force, dry_run=dry_run)


@main.group()
def export() -> None:
    """Export the guide to other formats (an Anki deck)."""


@export.command("anki")
@config_option
@click.option("--output", "-o", "output", type=click.Path(path_type=Path), default=None,
              help="Deck file, or a folder for it (default: TITLE.apkg in the current folder).")
def export_anki(config: Path, output: Path | None) -> None:
    """Write the guide as an Anki deck (.apkg): one subdeck per domain and one for the interview.

    Importing a newer deck into Anki updates the notes it already has (matched by card id) and
    keeps their review history.
    """
    from .commands.export import export_anki as run_export
    from .commands.reporting import run_reporting_errors

    summary = run_reporting_errors(lambda: run_export(config, output))
    click.echo(summary.describe())


@main.command()
@config_option
@verbosity_options
@click.option("--renderer", "-r", type=click.Choice(["chromium", "mermaid-ink"]), default=None,
              help="Render with this renderer instead of the config's diagrams: renderer.")
@click.option("--prune", is_flag=True, help="Also remove cache entries no diagram uses any more.")
def diagrams(config: Path, renderer: str | None, prune: bool) -> None:
    """Render missing diagrams into the project's cache (.studyguide/diagrams/, meant to be committed)."""
    from .commands.diagrams import diagrams as run_diagrams
    from .commands.reporting import run_reporting_errors

    run_reporting_errors(lambda: run_diagrams(config, renderer=renderer, prune=prune))


@main.command()
@config_option
@verbosity_options
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--require-tools", is_flag=True,
              help="Fail when a check is skipped because its tool (Chromium, Java, vnu.jar) is missing.")
def check(config: Path, strict: bool, require_tools: bool) -> None:
    """Validate content, build into a temporary folder and check the built site."""
    from .commands.check import check as run_check

    run_check(config, strict=strict, require_tools=require_tools)


@main.command()
@click.argument("directory", type=click.Path(path_type=Path), default=Path("."), required=False)
@click.option("--title", default=None, help="The guide's title (default: made from the folder name).")
@verbosity_options
def init(directory: Path, title: str | None) -> None:
    """Start a new guide in DIRECTORY (default: here). Never overwrites a file."""
    from .commands.init import init as run_init

    run_init(directory, title=title)


@main.group()
def new() -> None:
    """Add the next domain, topic, group, question or page; prints the path it wrote."""


def _slug_option(func: Callable) -> Callable:
    return click.option("--slug", default=None, help="The slug (default: made from the title).")(func)


@new.command("domain")
@config_option
@verbosity_options
@click.argument("title")
@click.option("--icon", default="📘", show_default=True, help="An emoji or short text.")
@_slug_option
@click.option("--no-diagram", is_flag=True, help="Leave the diagram out (a domain may have none).")
def new_domain(config: Path, title: str, icon: str, slug: str | None, no_diagram: bool) -> None:
    """A domain folder: domain.yml and a diagram.mmd to replace."""
    from .commands import new as cmd

    cmd.report(cmd.new_domain(cmd.load_project(config), title, icon=icon, slug=slug, diagram=not no_diagram))


@new.command("topic")
@config_option
@verbosity_options
@click.argument("title")
@click.option("--domain", "-d", default=None, help="Domain slug, folder name or number (default: the last).")
@click.option("--subtitle", default=None, help="The card's subtitle.")
@click.option("--tag", "tags", multiple=True, help="A tag (repeat for more; default: the title).")
@_slug_option
def new_topic(config: Path, title: str, domain: str | None, subtitle: str | None, tags: tuple[str, ...],
              slug: str | None) -> None:
    """A topic card at the end of a domain."""
    from .commands import new as cmd

    cmd.report(cmd.new_topic(cmd.load_project(config), title, domain=domain, subtitle=subtitle, tags=tags,
                             slug=slug))


@new.command("group")
@config_option
@verbosity_options
@click.argument("name")
@click.option("--icon", default="💬", show_default=True, help="An emoji or short text.")
@_slug_option
def new_group(config: Path, name: str, icon: str, slug: str | None) -> None:
    """A question group in the interview section (and interview.yml if it is missing)."""
    from .commands import new as cmd

    cmd.report(cmd.new_group(cmd.load_project(config), name, icon=icon, slug=slug))


@new.command("question")
@config_option
@verbosity_options
@click.argument("question")
@click.option("--group", "-g", default=None, help="Group slug, folder name or number (default: the last).")
@click.option("--id", "qid", default=None, help="The id, like Q5 (default: the next free one).")
@click.option("--badge", type=click.Choice(BADGES, case_sensitive=False),
              default=None, help="Priority badge.")
def new_question(config: Path, question: str, group: str | None, qid: str | None, badge: str | None) -> None:
    """An interview question at the end of a group, with the next free id."""
    from .commands import new as cmd

    cmd.report(cmd.new_question(cmd.load_project(config), question, group=group, qid=qid, badge=badge))


@new.command("page")
@config_option
@verbosity_options
@click.argument("title")
@click.option("--label", default=None, help="A kicker shown above the title.")
@_slug_option
def new_page(config: Path, title: str, label: str | None, slug: str | None) -> None:
    """A free page."""
    from .commands import new as cmd

    cmd.report(cmd.new_page(cmd.load_project(config), title, label=label, slug=slug))


if __name__ == "__main__":
    main()
