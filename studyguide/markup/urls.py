"""Links and images point where the render context says (cross-links, files beside the Markdown).

A core rule, run after inline parsing: every ``href`` / ``src`` written in the text that the
context resolved (:class:`~.context.Target`) is replaced by the target's URL, and images get
``loading="lazy"``, ``decoding="async"`` and, when the file's header gave them, ``width`` and
``height`` (no layout shift while the page loads). Anything the context does not know stays as
written: ``check`` verifies it in the built site.
"""

from __future__ import annotations

from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from .context import Target


def _rewrite(tokens: list[Token], targets: dict[str, Target]) -> None:
    for token in tokens:
        if token.type == "link_open":
            target = targets.get(str(token.attrGet("href") or ""))
            if target:
                token.attrSet("href", target.url)
        elif token.type == "image":
            target = targets.get(str(token.attrGet("src") or ""))
            if target:
                token.attrSet("src", target.url)
                if target.width and target.height:
                    token.attrSet("width", str(target.width))
                    token.attrSet("height", str(target.height))
            token.attrSet("loading", "lazy")
            token.attrSet("decoding", "async")
        if token.children:
            _rewrite(token.children, targets)


def resolve_urls(state: StateCore) -> None:
    """Core rule: apply the context's targets (a plain parse, with no targets, only marks images)."""
    _rewrite(state.tokens, state.env.get("targets") or {})
