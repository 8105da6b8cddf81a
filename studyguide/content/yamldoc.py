"""YAML mappings that remember the line of every key, and a small schema check on top.

PyYAML's ``safe_load`` forgets where things were; authors need ``path:line``. We compose the node
tree (which keeps marks), construct plain values from it, and keep each key's line. The schema check
reports unknown keys, missing or empty required keys and wrong types — all of them, never just the
first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ErrorList

# libyaml is ~10x faster and keeps the same marks; fall back to pure Python where it is missing.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Scalar(str):
    """A YAML number, date or timestamp, kept as the text the author wrote.

    Every field of a guide is text, so ``title: 2024-01-01`` or ``title: 1.10`` means that text.
    Constructing the value first loses it (``1.10`` → ``1.1``) or fails: PyYAML raises a bare
    ``ValueError`` for an impossible date (``2024-13-45``) and for an integer longer than Python's
    digit limit (4300). `value` is the constructed value, None when it cannot be built.
    """

    kind: str  # "number" or "date"
    value: object

    def __new__(cls, text: str, kind: str, value: object) -> "Scalar":
        self = super().__new__(cls, text)
        self.kind, self.value = kind, value
        return self


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The safe loader, with numbers, dates and timestamps read as :class:`Scalar` text."""


def _verbatim(kind: str, build: Any) -> Any:
    def construct(loader: Any, node: yaml.ScalarNode) -> Scalar:
        try:
            value = build(loader, node)
        except (ValueError, OverflowError):  # an impossible date, too many digits
            value = None
        return Scalar(node.value, kind, value)

    return construct


for _tag, _kind, _build in (("int", "number", yaml.constructor.SafeConstructor.construct_yaml_int),
                            ("float", "number", yaml.constructor.SafeConstructor.construct_yaml_float),
                            ("timestamp", "date", yaml.constructor.SafeConstructor.construct_yaml_timestamp)):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _verbatim(_kind, _build))


@dataclass
class LinedMap:
    """A YAML mapping with the 1-based line of each key."""

    values: dict[str, Any]
    lines: dict[str, int]
    line: int  # where the mapping starts
    children: dict[str, "LinedMap"] = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


def _to_lined(node: yaml.Node, loader: Any, path: Path, offset: int,
              errors: ErrorList, done: dict[int, LinedMap] | None = None) -> LinedMap:
    """The mapping `node` as a :class:`LinedMap`. `done` holds mappings already converted: an
    alias makes many keys share one node, and converting it again each time is exponential."""
    done = {} if done is None else done
    if id(node) in done:
        return done[id(node)]
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    children: dict[str, LinedMap] = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1 + offset
        if not isinstance(key_node, yaml.ScalarNode):
            # Never construct or print it: an alias bomb used as a key expands to gigabytes.
            what = "a list" if isinstance(key_node, yaml.SequenceNode) else "a mapping"
            errors.add(path, line, f"keys must be text, got {what}")
            continue
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            errors.add(path, line, f"keys must be text, got {_describe(key)}")
            continue
        if key in values:
            errors.add(path, line, f"duplicate key '{key}' (first at line {lines[key]})")
            continue
        values[key] = loader.construct_object(value_node, deep=True)
        lines[key] = line
        if isinstance(value_node, yaml.MappingNode):
            children[key] = _to_lined(value_node, loader, path, offset, errors, done)
    done[id(node)] = LinedMap(values, lines, node.start_mark.line + 1 + offset, children)
    return done[id(node)]


MAX_DEPTH = 50  # a guide's YAML is two levels deep; constructing 500+ levels overflows the stack


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _too_deep(root: yaml.MappingNode) -> yaml.Node | None:
    """The top-level key whose value nests deeper than MAX_DEPTH or contains itself, else None.

    Iterative, and each node is measured once: aliases share nodes, so a naive walk of
    ``a: &a [x, x]`` / ``b: &b [*a, *a]`` / ... would take exponential time.
    """
    heights: dict[int, float] = {}
    on_path: set[int] = set()  # the nodes being measured: their descendants so far
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        if finished:
            on_path.discard(id(node))
            heights[id(node)] = 1 + max((heights[id(c)] for c in _children(node)), default=0)
            continue
        if id(node) in heights:
            continue
        on_path.add(id(node))
        stack.append((node, True))
        for child in _children(node):
            if id(child) in on_path:  # an alias inside its own anchor
                heights[id(child)] = float("inf")
            elif id(child) not in heights:
                stack.append((child, False))
    for key, value in root.value:
        if heights.get(id(value), 0) > MAX_DEPTH - 1:
            return key
    return None


def parse_mapping(text: str, path: Path, errors: ErrorList, *, offset: int = 0) -> LinedMap | None:
    """Parse YAML text that must be a mapping. `offset` is added to lines (front matter).

    Returns None (after recording the error) when the text is not valid YAML or not a mapping.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return LinedMap({}, {}, 1 + offset)
        if not isinstance(node, yaml.MappingNode):
            errors.add(path, node.start_mark.line + 1 + offset,
                       "expected a mapping of 'key: value' lines")
            return None
        deep = _too_deep(node)
        if deep is not None:
            errors.add(path, deep.start_mark.line + 1 + offset,
                       f"invalid YAML: nested more than {MAX_DEPTH} levels deep (or an alias contains itself)")
            return None
        return _to_lined(node, loader, path, offset, errors)
    except RecursionError:  # a backstop: aliases can still make construction recurse deeply
        errors.add(path, 1 + offset, "invalid YAML: nested too deeply")
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 if mark else 1) + offset
        problem = exc.problem or exc.context or "invalid YAML"
        errors.add(path, line, f"invalid YAML: {problem}")
        return None
    except yaml.YAMLError as exc:  # e.g. a reader error on a control character
        errors.add(path, 1 + offset, f"invalid YAML: {exc}")
        return None
    finally:
        loader.dispose()


# A field type: `str`, `int`, `list` (of non-empty strings) or `dict` (a nested mapping).
Schema = dict[str, tuple[type, bool]]  # key -> (type, required)

_TYPE_NAMES = {str: "text", bool: "true or false", int: "a whole number", list: "a list of text items", dict: "a mapping"}


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, Scalar):
        return "a number" if value.kind == "number" else "a date"
    return {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list",
            dict: "a mapping"}.get(type(value), type(value).__name__)


def check_schema(mapping: LinedMap, schema: Schema, path: Path, errors: ErrorList) -> dict[str, Any]:
    """Validate `mapping` against `schema`; return only the valid values.

    Strings are stripped; a required key that is empty (blank text, empty list) is an error.
    Numbers, dates and timestamps are accepted as text exactly as written (YAML reads
    ``title: 2024-01-01`` as a date and ``title: 1.10`` as a number; an author meant the text),
    also when they are not valid as what YAML took them for (``2024-13-45``, 5,000 digits).
    A whole-number field takes a YAML integer only.
    """
    clean: dict[str, Any] = {}
    expected = ", ".join(schema)
    for key in mapping.values:
        if key not in schema:
            errors.add(path, mapping.line_of(key), f"unknown key '{key}' (expected one of: {expected})")
    for key, (kind, required) in schema.items():
        line = mapping.line_of(key)
        if key not in mapping.values or mapping.values[key] is None:
            if required:
                where = mapping.line if key not in mapping.values else line
                errors.add(path, where, f"missing required key '{key}'")
            continue
        value = mapping.values[key]
        if isinstance(value, Scalar):
            value = value.value if kind is int and isinstance(value.value, int) else str(value)
        if kind is list and isinstance(value, list):
            bad = [v for v in value if not isinstance(v, (str, int, float)) or isinstance(v, bool)]
            if bad:
                errors.add(path, line, f"'{key}' must be {_TYPE_NAMES[list]}, got {_describe(bad[0])} in the list")
                continue
            value = [str(v).strip() for v in value]
            if any(not v for v in value):
                errors.add(path, line, f"'{key}' must not contain empty items")
                continue
        elif not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            errors.add(path, line, f"'{key}' must be {_TYPE_NAMES[kind]}, got {_describe(value)}")
            continue
        if isinstance(value, str):
            value = value.strip()
        if required and not value and value != 0:
            errors.add(path, line, f"'{key}' must not be empty")
            continue
        clean[key] = value
    return clean
