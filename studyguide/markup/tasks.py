"""Task lists (``- [ ]`` / ``- [x]``): markdown-it-py parses them (its ``tasklists`` option).

The checkbox is shown, not used: it is disabled. It is named by its item's text
(``aria-label``), so assistive technology reads "checkbox, checked, Index the documents" instead
of an unlabelled control (axe: *label*). A ``<label>`` around the item cannot do it: an item may
hold paragraphs and nested lists, which a label may not contain.
"""

from __future__ import annotations

from html import escape
from typing import Any

from markdown_it.token import Token


def _item_text(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    inline = next((t for t in tokens[idx + 1:idx + 4] if t.type == "inline"), None)
    if inline is None or not inline.children:
        return ""
    return " ".join(str(self.renderInlineAsText(inline.children, options, env)).split())


def render_task_item(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    if not (token.meta and "checked" in token.meta):
        return str(self.renderToken(tokens, idx, options, env))
    checked = ' checked=""' if token.meta["checked"] else ""
    label = escape(_item_text(self, tokens, idx, options, env))
    return (str(self.renderToken(tokens, idx, options, env))
            + f'<input class="task-list-item-checkbox" type="checkbox" disabled=""{checked} aria-label="{label}"> ')
