"""How diagrams look: the theme's ``diagrams/theme.json``, read once, used by every renderer.

That JSON file is the one definition of the diagram palette (Mermaid ``themeVariables`` for the
dark and the light site theme) and of the light theme's adaptation of the guide's own colours (the
dark hexes authors write in ``style``/``classDef`` lines, mapped to light equivalents). The
browser renderer (``diagrams.js``) fetches the same file; the build-time renderers get it from
here, so a colour is changed in one place.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

THEMES = ("dark", "light")
THEME_FILE = Path("diagrams/theme.json")
_HEX = re.compile(r"#[0-9a-fA-F]{6}\b")


@dataclass(frozen=True)
class DiagramTheme:
    """The parsed theme file and its digest (part of every cache key)."""

    data: dict[str, Any]
    digest: str

    @classmethod
    def load(cls, static_dir: Path) -> DiagramTheme:
        raw = (static_dir / THEME_FILE).read_bytes()
        return cls(json.loads(raw), hashlib.sha256(raw).hexdigest()[:16])

    def config(self, theme: str) -> dict[str, Any]:
        """Mermaid's configuration for one site theme (``mermaid.initialize`` or an init directive)."""
        config = dict(self.data["mermaid"])
        config["themeVariables"] = dict(self.data["palette"][theme], fontFamily=config.get("fontFamily"))
        return config

    def adapt(self, source: str, theme: str) -> str:
        """The source as drawn in `theme`: in light, the guide's dark colours become light ones."""
        if theme != "light":
            return source
        colours: dict[str, str] = self.data["light_colours"]
        return _HEX.sub(lambda m: colours.get(m.group(0).lower(), m.group(0)), source)

    def directive(self, source: str, theme: str) -> str:
        """The adapted source with its configuration as an init directive (for mermaid.ink)."""
        return "%%{init: " + json.dumps(self.config(theme)) + "}%%\n" + self.adapt(source, theme)
