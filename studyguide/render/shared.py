"""What many pages share, rendered once per link depth instead of once per page.

Every page carries a sidebar that lists every domain, and a search box whose filters list them
again; rendered in Jinja on every page that is O(domains²) template work (2.4 million sidebar
entries for a 1,500-domain guide). Their HTML differs between pages only in the relative link
prefix (``root``: ``""`` on the home page, ``"../"`` one folder down, an absolute path on 404.html)
and in the current page's own entry. So each piece is rendered once per ``root`` and reused, and
only the current domain's entry is rendered for its page.

The templates keep the markup: ``partials/sidebar-domain.html`` holds the ``entry`` macro, and
``{% call shared("partials/x.html") %}{% endcall %}`` renders a partial once per depth. Both may
use only what is the same for every page at one depth (the guide, ``url``, ``root``, ``asset``,
``search_enabled``) — never ``page_spec`` or the page's own objects.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

SIDEBAR_ENTRY_TEMPLATE = "partials/sidebar-domain.html"


class SharedParts:
    """Per-depth caches for one renderer (a new renderer, as every build makes, starts empty)."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        self._entries: dict[str, tuple[Any, list[str]]] = {}  # root → (macro module, entry per domain)
        self._index: dict[str, int] = {}  # domain slug → position
        self._partials: dict[tuple[str, str], Markup] = {}  # (template, root) → HTML

    def install(self) -> None:
        """Make ``sidebar_domains(current)`` and ``shared(name)`` template globals."""
        # pass_context marks a function (not a bound method) to receive the template context.
        self.env.globals["sidebar_domains"] = pass_context(
            lambda context, current=None: self.sidebar_domains(context, current))
        self.env.globals["shared"] = pass_context(
            lambda context, name, caller=None: self.partial(context, name))

    def sidebar_domains(self, context: Context, current: Any = None) -> Markup:
        """Every domain's sidebar entry in order; `current` (the page's own domain) expanded."""
        domains = context["guide"].domains
        root = context["root"]
        cached = self._entries.get(root)
        if cached is None:
            module: Any = self.env.get_template(SIDEBAR_ENTRY_TEMPLATE).make_module(context.get_all())
            cached = self._entries[root] = (module, [str(module.entry(d, False)) for d in domains])
            self._index = {d.slug: i for i, d in enumerate(domains)}
        module, entries = cached
        if current is None:
            return Markup("".join(entries))
        i = self._index[current.slug]
        return Markup("".join(entries[:i]) + str(module.entry(domains[i], True)) + "".join(entries[i + 1:]))

    def partial(self, context: Context, name: str) -> Markup:
        """The partial `name`, rendered with the first page's context at this depth."""
        key = (name, context["root"])
        html = self._partials.get(key)
        if html is None:
            html = self._partials[key] = Markup(self.env.get_template(name).render(context.get_all()))
        return html
