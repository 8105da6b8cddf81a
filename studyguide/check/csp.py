"""What the site's own Content-Security-Policy lets a page load from another origin.

The default theme's CSP (``templates/base.html``) allows images, scripts, styles and media from
the site itself only (``img-src 'self' data:`` ...). An external image in content, or a theme
override that loads a script from a CDN, would be blocked in every browser — silently, for the
reader. :func:`blocked_by` answers, for one element and URL, which directive blocks it, so
``check`` can report it at the line that wrote it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

#: The fetch directive that governs what each element loads (CSP level 3), before default-src.
DIRECTIVE_OF = {"img": "img-src", "script": "script-src", "iframe": "frame-src", "video": "media-src",
                "audio": "media-src", "source": "media-src", "track": "media-src",
                "embed": "object-src", "object": "object-src"}


def parse_policy(policy: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives.setdefault(words[0].lower(), list(words[1:]))
    return directives


def _allows(sources: list[str], url: str) -> bool:
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    for source in sources:
        source = source.lower()
        if source == "*" and scheme in ("http", "https"):
            return True
        if source == f"{scheme}:":
            return True
        if source.startswith("'"):
            continue  # 'self', 'none', nonces: none of them allows another origin
        spec = source.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        if (spec.startswith("*.") and host.endswith(spec[1:])) or spec == host:
            return True
    return False


def blocked_by(policy: str | None, tag: str, url: str) -> str | None:
    """The directive of `policy` that blocks `tag` loading `url` (another origin), or None."""
    if not policy or tag not in DIRECTIVE_OF:
        return None
    directives = parse_policy(policy)
    name = DIRECTIVE_OF[tag]
    if name == "frame-src" and name not in directives:
        name = "child-src"
    sources = directives.get(name, directives.get("default-src"))
    if sources is None:
        return None
    return None if _allows(sources, url) else (name if name in directives else "default-src")
