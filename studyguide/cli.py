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

CONFIG_HELP = "Config file (default: ./studyguide.yml)."


def _setup_logging(verbose: int, quiet: int) -> None:
    level = logging.INFO - 10 * verbose + 10 * quiet
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s: %(message)s", stream=sys.stderr)


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
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind. Anything but loopback exposes the preview to your network.")
@click.option("--port", "-p", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a web browser.")
@click.option("--no-search", is_flag=True, help="Skip the search index (faster rebuilds).")
def serve(config: Path, host: str, port: int, open_browser: bool, no_search: bool) -> None:
    """Preview the site with live reload while you edit."""
    from .commands.serve import serve as run_serve

    run_serve(config, host=host, port=port, open_browser=open_browser, search=not no_search)


@main.command()
@config_option
@click.option("--remote", default="origin", show_default=True, help="Git remote to push to.")
@click.option("--branch", default="gh-pages", show_default=True, help="Branch to publish to.")
@click.option("--message", "-m", default=None, help="Commit message (default names the source commit).")
@click.option("--force", is_flag=True, help="Force-push the branch.")
@click.option("--dry-run", is_flag=True, help="Build and show what would be published; touch nothing.")
def deploy(config: Path, remote: str, branch: str, message: str | None, force: bool, dry_run: bool) -> None:
    """Build with all checks and publish to GitHub Pages (the gh-pages branch)."""
    from .commands.deploy import deploy as run_deploy

    run_deploy(config, remote=remote, branch=branch, message=message, force=force, dry_run=dry_run)


@main.command()
@config_option
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def check(config: Path, strict: bool) -> None:
    """Validate content, build into a temporary folder and check the built site."""
    from .commands.check import check as run_check

    run_check(config, strict=strict)


if __name__ == "__main__":
    main()
