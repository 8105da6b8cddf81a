"""Syntax highlighting of code blocks at build time, with Pygments: no JavaScript in the browser.

Every fenced or indented code block becomes ``<pre class="highlight" tabindex="0"><code>`` with
Pygments' token classes (``.k`` keyword, ``.s`` string, ...). ``tabindex="0"`` lets a keyboard user
focus a block that scrolls sideways (axe: *scrollable-region-focusable*). A fence without a
language, or with one Pygments does not know, is shown as plain text in the same frame.

:func:`stylesheet` writes the colours for the light and the dark theme from two Pygments styles,
scoped the way the theme's own CSS is (``html[data-theme]``, and ``prefers-color-scheme`` without
JavaScript). The defaults are the WCAG-AA styles of *accessible-pygments*.
"""

from __future__ import annotations

import functools
import importlib
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markdown_it.token import Token

if TYPE_CHECKING:
    from pygments.formatters import HtmlFormatter
    from pygments.lexer import Lexer

# Pygments is imported where it is used: most guides have no code block, and a build whose
# stylesheet comes from the build cache then never loads it (a tenth of a small build's imports).

DEFAULT_LIGHT = "a11y-light"
DEFAULT_DARK = "a11y-dark"
CSS_CLASS = "highlight"


@functools.lru_cache(maxsize=1)
def _formatter() -> HtmlFormatter:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(nowrap=True)


@functools.lru_cache(maxsize=256)
def _lexer(language: str) -> Lexer | None:
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def known_language(language: str) -> bool:
    return _lexer(language) is not None


def code_html(code: str, language: str) -> str:
    """The one HTML shape of a code block."""
    lexer = _lexer(language) if language else None
    if lexer:
        from pygments import highlight

        body = highlight(code, lexer, _formatter())
    else:
        body = escape(code, quote=False)
    lang = f' class="language-{escape(language)}"' if language else ""
    return f'<pre class="{CSS_CLASS}" tabindex="0"><code{lang}>{body}</code></pre>\n'


def fence_language(token: Token) -> str:
    return token.info.strip().split(maxsplit=1)[0] if token.info.strip() else ""


def render_code(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    """``fence`` and ``code_block`` render rule (diagrams.render_fence hands other fences here)."""
    token = tokens[idx]
    return code_html(token.content, fence_language(token) if token.type == "fence" else "")


def style_names() -> list[str]:
    from pygments.styles import get_all_styles

    return sorted(get_all_styles())


def _style(name: str) -> Any:
    """The style class for `name`. Pygments finds plugin styles (accessible-pygments' ``a11y-*``,
    the defaults) by scanning every installed package's entry points, which costs more than the
    rest of a small build's highlighting; import those directly, and let Pygments look up the rest."""
    from pygments.styles import STYLE_MAP

    if name not in STYLE_MAP:
        try:
            return importlib.import_module(f"a11y_pygments.{name.replace('-', '_')}.style").Theme
        except (ImportError, AttributeError):
            pass
    return name


def _rules(style: str, scopes: list[str]) -> str:
    # `pre.highlight`, not `.highlight`: as specific as the theme's `.prose pre`, and linked after it.
    from pygments.formatters import HtmlFormatter

    selectors = [f"{scope} pre.{CSS_CLASS}" for scope in scopes]
    lines = HtmlFormatter(style=_style(style)).get_style_defs(selectors).splitlines()
    # Pygments also emits unscoped rules for line numbers (``pre``, ``td.linenos``): not ours.
    return "\n".join(line for line in lines if line.startswith(selectors[0]))


def style_sources(*names: str) -> list[bytes]:
    """What the stylesheet for these styles is made from, as bytes to key a cache by: this
    module, Pygments' version, and the source of each style that accessible-pygments provides
    (found without importing Pygments' style registry)."""
    import importlib.util

    import pygments  # its __init__ alone: a version string

    parts = [Path(__file__).read_bytes(), pygments.__version__.encode(), "\0".join(names).encode()]
    for name in names:
        spec = importlib.util.find_spec("a11y_pygments")
        if spec and spec.submodule_search_locations:
            style = Path(next(iter(spec.submodule_search_locations))) / name.replace("-", "_") / "style.py"
            parts.append(style.read_bytes() if style.is_file() else b"")
    return parts


def stylesheet(light: str = DEFAULT_LIGHT, dark: str = DEFAULT_DARK) -> str:
    """CSS for code blocks in both themes (the default is dark, like the theme's own CSS)."""
    return "\n".join([
        f"/* Code highlighting: Pygments styles '{light}' (light) and '{dark}' (dark). Generated. */",
        _rules(dark, [":root", ':root[data-theme="dark"]']),
        _rules(light, [':root[data-theme="light"]']),
        "@media (prefers-color-scheme: light) {",
        _rules(light, [":root:not([data-theme])"]),
        "}",
        "",
    ])
