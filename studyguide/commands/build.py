"""``studyguide build``: build the site once."""

from __future__ import annotations

from pathlib import Path

from ..site.builder import BuildResult, PostStep, SiteBuilder


def search_steps(search: bool) -> list[PostStep]:
    """The post-steps a full build runs: search indexing unless switched off."""
    if not search:
        return []
    from ..site.background import ContentStep
    from ..site.search import INDEX_DIR, index_site  # imported only when indexing runs

    return [ContentStep(index_site, INDEX_DIR)]  # from the content model: runs while pages render


def build(config_path: Path, out_dir: Path | None = None, *, search: bool = True) -> BuildResult:
    """Build the guide described by `config_path` into `out_dir` (default: ``site/`` beside it)."""
    builder = SiteBuilder(config_path, out_dir, search=search, post_steps=search_steps(search))
    try:
        return builder.build()
    finally:
        builder.close()  # the diagram renderer's browser, if one was started
