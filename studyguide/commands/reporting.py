"""What the commands share: failures an author can fix become messages and exit code 1.

Every known failure (content errors, a broken template, a refused output folder, a disk error) is
printed as plain ``path:line: message`` lines — never a traceback. The CLI and the commands both
use this module; it lives below the CLI so no command imports the CLI back.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import NoReturn, TypeVar

import click

from ..content.errors import ContentErrors
from ..render.theme import default_theme
from ..site.failures import KNOWN_FAILURES, problems_from

T = TypeVar("T")


def fail(lines: list[str], summary: str | None = None) -> NoReturn:
    for line in lines:
        click.echo(line, err=True)
    if summary:
        click.secho(summary, err=True, fg="red")
    sys.exit(1)


def run_reporting_errors(action: Callable[[], T]) -> T:
    """Run `action`; turn the failures an author can fix into messages and exit code 1.

    The messages are the same :class:`~studyguide.site.failures.Problem` lines the preview's error page
    shows: ``path:line: message`` for content, the template file and line for a template crash.
    """

    try:
        return action()
    except KNOWN_FAILURES as exc:
        problems = problems_from(exc, default_theme().templates)
        if isinstance(exc, ContentErrors):
            n = len(problems)
            summary: str | None = f"{n} error{'s' if n != 1 else ''}; nothing was written."
        elif problems[0].kind == "template":
            summary = "Build failed in a template; nothing was written."
        elif isinstance(exc, OSError):
            summary = "Build failed; the previous site is unchanged."
        else:
            summary = None  # a refused output folder: the message says it all
        fail([str(p) for p in problems], summary)
