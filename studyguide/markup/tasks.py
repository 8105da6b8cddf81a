"""Task lists (``- [ ]`` / ``- [x]``): markdown-it-py parses them (its ``tasklists`` option).

The checkbox is shown, not used: it is disabled, and it is named by its own list item
(``aria-labelledby``) so assistive technology reads "checkbox, checked, Write the tests" instead of
an unlabelled control.
"""

from __future__ import annotations

from typing import Any

from markdown_it.token import Token


def render_task_item(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    if not (token.meta and "checked" in token.meta):
        return str(self.renderToken(tokens, idx, options, env))
    checked = ' checked=""' if token.meta["checked"] else ""
    return (str(self.renderToken(tokens, idx, options, env))
            + f'<input class="task-list-item-checkbox" type="checkbox" disabled=""{checked}> ')
