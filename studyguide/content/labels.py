"""Interface labels: the words of the default theme ("Overview", "Domain", "Interview prep" ...).

Label sets ship as YAML files beside this module (``labels/en.yml``, ``labels/de.yml``). A guide's
``language`` picks the set by its primary subtag (``de-AT`` → ``de``; an unknown language gets
English), and ``labels:`` in ``studyguide.yml`` overrides single keys. Templates read them as
``labels.overview``; plurals (``one`` / ``other``) through the ``count`` filter:
``n | count("topics")`` → "10 topics".
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

LABELS_DIR = Path(__file__).resolve().parent / "labels"
DEFAULT_LANGUAGE = "en"

Labels = dict[str, Any]


@functools.lru_cache(maxsize=8)
def _read(language: str) -> dict[str, Any]:
    path = LABELS_DIR / f"{language}.yml"
    return dict(yaml.safe_load(path.read_text(encoding="utf-8")) or {})


def languages() -> list[str]:
    """The languages that have a label set."""
    return sorted(p.stem for p in LABELS_DIR.glob("*.yml"))


def label_keys() -> list[str]:
    return list(_read(DEFAULT_LANGUAGE))


def plural_keys() -> list[str]:
    """Labels with ``one`` / ``other`` forms."""
    return [k for k, v in _read(DEFAULT_LANGUAGE).items() if isinstance(v, dict)]


def label_set(language: str, overrides: tuple[tuple[str, Any], ...] = ()) -> Labels:
    """The labels for `language` (English for any key the set lacks), with `overrides` on top
    (plurals given as ``(one, other)``)."""
    primary = language.split("-")[0].lower()
    labels = dict(_read(DEFAULT_LANGUAGE))
    if primary != DEFAULT_LANGUAGE and primary in languages():
        labels.update(_read(primary))
    for key, value in overrides:
        labels[key] = {"one": value[0], "other": value[1]} if isinstance(value, tuple) else value
    return labels


def plural(labels: Labels, n: int, key: str) -> str:
    """``"10 topics"``: the number and the label's ``one`` or ``other`` form."""
    forms = labels[key]
    word = forms["one"] if n == 1 else forms["other"]
    return f"{n} {word}"


def markup_labels(labels: Labels) -> tuple[tuple[str, str], ...]:
    """The labels Markdown rendering uses (callout titles, heading links), for its context."""
    return tuple(sorted((k, str(v)) for k, v in labels.items()
                        if k.startswith("callout_") or k == "heading_link"))
