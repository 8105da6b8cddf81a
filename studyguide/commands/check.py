"""``studyguide check``: validate content, build into a temporary folder, check the built site.

One command for authors and CI before publishing. It reports, grouped by file:

1. content errors from the loader (``path:line: message``) — nothing else can run without a guide;
2. lint warnings on the content (:mod:`studyguide.lint`);
3. problems in the built site (:func:`studyguide.sitecheck.check_site`): links and anchors, ids,
   alt text, titles and descriptions, CSP hygiene, Mermaid parsing, HTML validity.

Exit code 1 on any error (and on warnings with ``--strict``). Checks that need a missing tool are
listed as SKIPPED, never as passed. The real output folder (``site/``) is never touched.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click

from ..check.builtsite import check_site
from ..check.lint import lint_guide
from ..check.report import CheckReport, issue_from_content_error
from ..content.config import CONFIG_NAME
from ..content.errors import ContentErrors, display_path
from ..render.pages import TemplateRenderError
from ..site.builder import OutputDirError, SiteBuilder
from ..site.diagram_renderers import RendererUnavailable
from .build import search_steps

BUILT_LABEL = "<built>"  # how pages of the temporary build are named in the report


def _search_available(report: CheckReport) -> bool:
    """Search indexing runs when its module is present; otherwise say it was left out."""
    try:
        search_steps(True)
    except ImportError as exc:
        report.skip("search", f"search index not built ({exc})")
        return False
    return True


def _is_search_failure(exc: BaseException) -> bool:
    try:
        from ..site.search import SearchIndexError
    except ImportError:
        return False
    return isinstance(exc, SearchIndexError)


def check_project(config_path: Path, *, search: bool | None = None, html: bool = True,
                  diagrams: bool = True) -> CheckReport:
    """Run every check on the project of `config_path`; never raises for an author's mistake."""
    config_path = Path(config_path)
    if os.path.isdir(config_path):
        config_path = config_path / CONFIG_NAME
    report = CheckReport()
    auto_search = search is None
    if search is None:
        search = _search_available(report)
    with tempfile.TemporaryDirectory(prefix="studyguide-check-") as tmp:
        builder = SiteBuilder(config_path, Path(tmp) / "site", search=search,
                              post_steps=search_steps(search))
        try:
            try:
                result = builder.build()
            finally:
                builder.close()  # the diagram renderer's browser, if one was started
        except ContentErrors as exc:
            report.issues.extend(issue_from_content_error(e) for e in exc.errors)
            for note in exc.notes:  # a diagram renderer that cannot run
                report.error(display_path(config_path), None, note, "diagrams")
            n = len(exc.errors) + len(exc.notes)
            report.ran.append(f"content: {n} error{'s' if n != 1 else ''}; the site was not built or checked")
            return report
        except TemplateRenderError as exc:
            template = exc.path or builder.theme.templates / exc.template
            report.error(template, exc.line, exc.message, "build")
            return report
        except RendererUnavailable as exc:
            report.error(display_path(config_path), None, str(exc), "diagrams")
            return report
        except (OutputDirError, OSError) as exc:
            if auto_search and search and _is_search_failure(exc):
                # Pagefind is not usable here: check everything else, and say search was left out.
                report.skip("search", f"search index not built ({exc})")
                report.extend(check_project(config_path, search=False, html=html, diagrams=diagrams))
                return report
            report.error(display_path(config_path), None, f"build failed: {exc}", "build")
            return report
        report.ran.append(f"content: {result.summary().split(' → ')[0]} (into a temporary folder)")
        report.extend(lint_guide(result.guide))
        report.extend(check_site(result.out_dir, result.guide, html=html, diagrams=diagrams, label=BUILT_LABEL))
    return report


def check(config_path: Path, *, strict: bool = False, require_tools: bool = False) -> CheckReport:
    """The CLI command: print the report; exit 1 when it failed (or, with `require_tools`, when a
    check was skipped for want of its tool)."""
    report = check_project(config_path)
    if require_tools:
        report.require_tools()
    failed = report.failed(strict=strict)
    for line in report.lines(strict=strict):
        click.echo(line)
    if report.skipped and not require_tools and not failed:
        click.echo("  (a skipped check is not a pass: install the tool it names, "
                   "or use --require-tools to fail instead)")
    if failed:
        sys.exit(1)
    return report
