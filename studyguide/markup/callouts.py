"""Callouts: MkDocs-style admonitions (``!!! note``) and GitHub alerts (``> [!NOTE]``), one shape.

Parsing is done by the libraries: mdit-py-plugins' ``admon`` (``!!!``, and ``???`` / ``???+`` for
collapsible ones) and markdown-it-py's own ``alerts`` option. A core rule turns alert tokens into
admonition tokens and gives untitled callouts their title from the interface labels
(``callout_note`` → "Note", or "Hinweis" with ``language: de``); the render rules then write

    <div class="callout callout-note" role="note"><p class="callout-title">Note</p>…</div>

or, for ``???``, a ``<details class="callout …">`` with the title as its ``<summary>``. Each kind
maps to one of five colours (``callout-note`` … ``callout-caution``) that the theme styles.
"""

from __future__ import annotations

from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.admon import admon_plugin

#: Every kind an author may write (MkDocs Material's and GitHub's), and the colour it gets.
KINDS: dict[str, str] = {
    "note": "note", "abstract": "note", "info": "note", "example": "note", "quote": "note",
    "tip": "tip", "success": "tip",
    "important": "important", "question": "important",
    "warning": "warning", "bug": "warning",
    "caution": "caution", "danger": "caution", "failure": "caution",
}


def _title_token(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def normalise_callouts(state: StateCore) -> None:
    """Core rule: alerts become admonitions; untitled callouts get their label as title."""
    labels: dict[str, str] = state.env.get("labels") or {}
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type.startswith("alert_"):
            token.type = token.type.replace("alert_", "admonition_", 1)
            if token.type == "admonition_open":
                token.meta = {"tag": str(token.info).lower()}
                token.info = str(token.info).lower()
                token.markup = "!!!"
        if token.type != "admonition_open":
            continue
        kind = token.meta.get("tag", "note")
        explicit = '"' in (token.info or "")
        if not explicit and tokens[i + 1].type in ("admonition_title_open", "alert_title_open"):
            label = labels.get(f"callout_{kind}") or kind.capitalize()
            inline = tokens[i + 2]
            inline.content, inline.children = label, [_title_token(label)]


def _classes(kind: str) -> str:
    colour = KINDS.get(kind, "note")
    return f"callout callout-{colour}" + (f" callout-{kind}" if kind != colour and kind in KINDS else "")


def _collapsible(token: Token) -> bool:
    # The admonition rule marks its open, title and close tokens with the marker (``???`` ...).
    return token.markup.startswith("?")


def render_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    kind = token.meta.get("tag", "note")
    if _collapsible(token):
        is_open = " open" if token.markup.endswith("+") else ""
        return f'<details class="{_classes(kind)}"{is_open}>\n'
    return f'<div class="{_classes(kind)}" role="note">\n'


def render_close(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    return "</details>\n" if _collapsible(tokens[idx]) else "</div>\n"


def render_title_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    return '<summary class="callout-title">' if _collapsible(tokens[idx]) else '<p class="callout-title">'


def render_title_close(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    # The close token carries no marker: its title_open is two tokens back (open, inline, close).
    return "</summary>\n" if _collapsible(tokens[idx - 2]) else "</p>\n"


def callouts_plugin(md: MarkdownIt) -> None:
    md.options["alerts"] = True
    md.use(admon_plugin)
    md.core.ruler.push("callouts", normalise_callouts)
    md.add_render_rule("admonition_open", render_open)
    md.add_render_rule("admonition_close", render_close)
    md.add_render_rule("admonition_title_open", render_title_open)
    md.add_render_rule("admonition_title_close", render_title_close)
