"""Property test: malformed input never crashes the build and never leaves a partial site.

Hypothesis takes the mini fixture guide and applies 1–3 random mutations — one value set in an
otherwise valid file (dates and timestamps, most of them impossible; integers past Python's digit
limit; URLs urllib refuses; paths with NUL bytes or over-long names), new YAML front matter or
YAML files (wrong types, tags, anchors, aliases, merge keys, control characters, multi-documents),
new Markdown bodies (unclosed fences, stray ``---``, deep nesting, NULs, template syntax), byte-level
damage, other encodings (UTF-16/32, Latin-1, BOMs), and new, renamed or deleted files and folders
with awkward names (non-UTF-8 bytes, dots, spaces, upper case, emoji).

For every example the full builder must either succeed — and then the output folder holds a whole
new site — or raise :class:`ContentErrors` whose every entry reads ``path:line: message`` — and then
the previous site is byte-for-byte unchanged and no temporary folder is left behind. Any other
exception is a bug.

Deterministic (``derandomize=True``): CI runs the same examples every time. For a longer local hunt
set ``STUDYGUIDE_FUZZ_EXAMPLES=5000`` and ``STUDYGUIDE_FUZZ_RANDOM=1`` (new examples each run).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from studyguide.content.errors import ContentErrors
from studyguide.site.builder import SiteBuilder

MINI = Path(__file__).resolve().parent / "fixtures" / "mini"
EXAMPLES = int(os.environ.get("STUDYGUIDE_FUZZ_EXAMPLES", "300"))
ERROR_LINE = re.compile(r"^(?P<path>.+):(?P<line>[1-9][0-9]*): (?P<message>\S.*)$", re.S)

MARKDOWN_FILES = [
    "content/domains/01-retrieval/01-hybrid-search.md",
    "content/domains/01-retrieval/02-query-rewriting.md",
    "content/domains/02-agents/01-react-pattern.md",
    "content/interview/01-rag/01-q1.md",
    "content/interview/01-rag/02-q2.md",
    "content/interview/02-behavioral/01-b1.md",
    "content/pages/01-answer-structure.md",
]
YAML_FILES = [
    "studyguide.yml",
    "content/domains/01-retrieval/domain.yml",
    "content/domains/02-agents/domain.yml",
    "content/interview/interview.yml",
    "content/interview/01-rag/group.yml",
]
OTHER_FILES = ["content/domains/01-retrieval/diagram.mmd", "content/domains/02-agents/loop.mmd"]
ALL_FILES = MARKDOWN_FILES + YAML_FILES + OTHER_FILES
FOLDERS = ["content", "content/domains", "content/domains/01-retrieval", "content/interview",
           "content/interview/01-rag", "content/pages"]

KEYS = ["title", "subtitle", "tags", "id", "question", "badge", "label", "name", "icon", "diagram",
        "file", "intro", "description", "base_url", "repo_url", "cname", "language", "highlight",
        "content_dir", "Title", "tags ", "unknown", "", "? [a, b]", "0", "<<", "&a key", "*a"]
# Scalars and fragments that have tripped YAML loaders and schema checks elsewhere.
YAML_ATOMS = ["", "~", "null", "true", "no", "0", "-1", "1e999", ".nan", "0x1F", "2024-01-01",
              "2024-01-01T10:00:00Z", "'quoted'", '"esc \\x41 \\u263A"', "|", ">-", "[]", "{}",
              "[a, [b, [c]]]", "{a: {b: c}}", "!!binary aGVsbG8=", "!!python/object/apply:os.system ['true']",
              "!!set {a, b}", "!!omap [a: 1]", "!custom x", "&a value", "*a", "*undefined", "<<: *a",
              "- item", "  - nested", "'unterminated", '"unterminated', "{unclosed", "[unclosed", "\t tab",
              "key: value: other", "%YAML 1.1", "---", "...", "\x07bell", "\x85nel", "\u2028ls", "\ufeffbom",
              "Q5", "Critical", "Bonus", "diagram.mmd", "../../outside.mmd", "/etc/passwd", "💥", "a" * 300,
              "{a: " * 600 + "x" + "}" * 600, "[" * 700 + "]" * 700, "[" * 1200 + "]" * 1200,  # deep nesting
              "&x [a, b]\nl1: &y [*x, *x, *x]\nl2: [*y, *y, *y]\nl3: [*l2]"]  # aliases
MARKDOWN_ATOMS = ["# H1", "## Section", "### Sub", "####### seven", "## ", "---", "...", "```", "```mermaid",
                  "~~~", "| a | b |\n|---|\n| 1 |", "[link](../agents/)", "[bad](javascript:alert(1))",
                  "![img](x.png)", "<script>alert(1)</script>", "<!--", "{{ 7*7 }}", "{% for %}", "> " * 60,
                  "- " * 60, "1. item", "\x00", "\r", "\r\n", "\u2028", "\ufeff", "\t", "\\", "*" * 50, "`" * 7,
                  "word " * 40, "$500K", "&amp; &#0; &#x110000;", "[^1]", "<T>", "\u202e rtl"]
NAME_CHARS = st.sampled_from(list("0123456789-abcxyzABC._ é💥~#%"))
ENCODINGS = ["utf-16", "utf-16-be", "utf-32", "latin-1", "cp1252", "utf-8-sig", "utf-7"]


def date_like() -> st.SearchStrategy[str]:
    """Dates and timestamps YAML resolves by their shape, most of them impossible (month 13, 25:00)."""
    day = st.tuples(st.integers(0, 9999), st.integers(0, 19), st.integers(0, 39)).map(
        lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}")
    time = st.tuples(st.integers(0, 29), st.integers(0, 69), st.integers(0, 69), st.sampled_from(["", "Z", ".5", "+25:00"])).map(
        lambda t: f"{t[0]:02d}:{t[1]:02d}:{t[2]:02d}{t[3]}")
    return st.one_of(day, st.tuples(day, st.sampled_from(["T", " ", "t"]), time).map("".join))


def huge_number() -> st.SearchStrategy[str]:
    """Integers past Python's 4300-digit limit for int(str), in YAML's other notations too."""
    return st.tuples(st.sampled_from(["", "-", "+", "0x", "0o", "0b"]), st.integers(4290, 6000)).map(
        lambda t: t[0] + ("1" if t[0] in ("0b",) else "7") * t[1])


def odd_url() -> st.SearchStrategy[str]:
    """URLs urllib refuses or misreads: unclosed IPv6 hosts, ports out of range, credentials, spaces."""
    return st.tuples(st.sampled_from(["https://", "http://", "ftp://", "//", "https:", ""]),
                     st.sampled_from(["", "user:pw@", "tok@", ":@"]),
                     st.sampled_from(["example.com", "[::1", "[::1]", "[v1.x]", "exa mple.com", "", "a\nb.example"]),
                     st.sampled_from(["", ":0", ":65535", ":65536", ":99999", ":-1", ":abc", ":"]),
                     st.sampled_from(["/", "/x?access_token=T", "#f", "/\0", ""])).map("".join)


def path_value() -> st.SearchStrategy[str]:
    """Paths with NUL bytes, 300-character names or 5 kB in all."""
    return st.one_of(st.sampled_from(["diagram.mmd\0", "\0", "content\0", "d" * 300 + ".mmd", "a/" * 2100 + "x",
                                      "../" * 40 + "etc", "diagram.mmd/", ".", "", "\ud800"]),
                     st.tuples(st.text(max_size=5), st.sampled_from(["\0", "\x00"]), st.text(max_size=5)).map("".join))


def quoted(value: str) -> str:
    """`value` as a double-quoted YAML scalar; its backslash escapes (\0, \n) are YAML's."""
    return '"' + value.replace('"', '\\"') + '"'


HOSTILE_VALUE = st.one_of(date_like(), huge_number(), odd_url().map(quoted), path_value().map(quoted),
                          st.sampled_from(YAML_ATOMS))
# Keys whose values reach a validator only when the rest of the file is fine: set them alone.
VALUE_TARGETS = [("studyguide.yml", k) for k in ("title", "base_url", "repo_url", "cname", "content_dir", "language")]
VALUE_TARGETS += [("content/domains/01-retrieval/domain.yml", "  file"), ("content/domains/01-retrieval/domain.yml", "name"),
                  (MARKDOWN_FILES[0], "title"), (MARKDOWN_FILES[0], "tags"), (MARKDOWN_FILES[3], "id"),
                  (MARKDOWN_FILES[3], "question"), (MARKDOWN_FILES[6], "label")]


def yaml_text() -> st.SearchStrategy[str]:
    value = st.one_of(st.sampled_from(YAML_ATOMS), st.text(max_size=30),
                      st.integers().map(str), st.floats().map(str), date_like(), huge_number(),
                      odd_url().map(quoted), path_value().map(quoted))
    line = st.one_of(
        st.tuples(st.sampled_from(KEYS), value).map(lambda kv: f"{kv[0]}: {kv[1]}"),
        st.tuples(st.sampled_from(KEYS), st.lists(value, max_size=4)).map(
            lambda kv: f"{kv[0]}:\n" + "".join(f"  - {v}\n" for v in kv[1])),
        value,
        st.text(max_size=40),
    )
    return st.lists(line, max_size=8).map(lambda lines: "\n".join(lines))


def markdown_text() -> st.SearchStrategy[str]:
    part = st.one_of(st.sampled_from(MARKDOWN_ATOMS), st.text(max_size=60))
    return st.lists(part, max_size=10).map(lambda parts: "\n".join(parts))


def file_name() -> st.SearchStrategy[bytes]:
    text_name = st.tuples(st.sampled_from(["", "01-", "1-", "00-", "99-", "01", "-"]),
                          st.text(NAME_CHARS, max_size=20),
                          st.sampled_from([".md", ".yml", ".mmd", "", ".MD", ".md.md", "/"]))
    return st.one_of(
        text_name.map(lambda t: (t[0] + t[1] + t[2]).encode("utf-8")),
        st.sampled_from([b"01-\xff\xfe.md", b"02-caf\xe9.md", b"03-a\x01b.md", b"04-a\nb.md", b"..md", b"01-..md"]),
    )


MUTATION = st.one_of(
    st.tuples(st.just("front_matter"), st.sampled_from(MARKDOWN_FILES), yaml_text()),
    st.tuples(st.just("body"), st.sampled_from(MARKDOWN_FILES), markdown_text()),
    st.tuples(st.just("yaml_file"), st.sampled_from(YAML_FILES), yaml_text()),
    st.tuples(st.just("bytes"), st.sampled_from(ALL_FILES),
              st.tuples(st.integers(0, 400), st.integers(0, 8), st.binary(max_size=8))),
    st.tuples(st.just("encoding"), st.sampled_from(ALL_FILES), st.sampled_from(ENCODINGS)),
    st.tuples(st.just("new_file"), st.sampled_from(FOLDERS),
              st.tuples(file_name(), st.one_of(markdown_text(), yaml_text()), st.booleans())),
    st.tuples(st.just("rename"), st.sampled_from(ALL_FILES + FOLDERS[2:]), file_name()),
    st.tuples(st.just("delete"), st.sampled_from(ALL_FILES + FOLDERS), st.none()),
    st.tuples(st.just("value"), st.sampled_from(VALUE_TARGETS), HOSTILE_VALUE),
    st.tuples(st.just("value"), st.sampled_from(VALUE_TARGETS), HOSTILE_VALUE),  # twice as likely
)


def set_value(path: Path, key: str, value: str) -> None:
    """Set one `key:` line (indented keys stay indented) to `value`, or add it; the rest stays valid."""
    lines = path.read_text(encoding="utf-8").split("\n")
    for n, line in enumerate(lines):
        if line.startswith(f"{key}:"):
            lines[n] = f"{key}: {value}"
            break
    else:
        lines.insert(1 if lines[0] == "---" else len(lines), f"{key}: {value}")
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass"))


def apply(project: Path, mutation: tuple) -> None:
    kind, rel, arg = mutation
    if kind == "value":
        (file, key), value = rel, arg
        if (project / file).is_file():
            with contextlib.suppress(UnicodeDecodeError):  # an earlier mutation re-encoded the file
                set_value(project / file, key, value)
        return
    target = project / rel
    if not target.exists():
        return  # an earlier mutation deleted or renamed it
    if kind == "front_matter" and target.is_file():
        text = target.read_bytes().decode("utf-8", "replace")
        body = text.split("\n---\n", 1)[1] if "\n---\n" in text else text
        target.write_bytes(f"---\n{arg}\n---\n{body}".encode("utf-8", "surrogatepass"))
    elif kind == "body" and target.is_file():
        text = target.read_bytes().decode("utf-8", "replace")
        head = text.split("\n---\n", 1)[0] if "\n---\n" in text else "---\ntitle: x"
        target.write_bytes(f"{head}\n---\n{arg}".encode("utf-8", "surrogatepass"))
    elif kind == "yaml_file" and target.is_file():
        target.write_bytes(arg.encode("utf-8", "surrogatepass"))
    elif kind == "bytes" and target.is_file():
        data = bytearray(target.read_bytes())
        at, cut, insert = arg
        at = min(at, len(data))
        data[at:at + cut] = insert
        target.write_bytes(bytes(data))
    elif kind == "encoding" and target.is_file():
        text = target.read_text(encoding="utf-8", errors="replace")
        target.write_bytes(text.encode(arg, errors="replace"))
    elif kind == "new_file" and target.is_dir():
        name, content, as_folder = arg
        if name.endswith(b"/"):
            name, as_folder = name[:-1], True
        if name in (b"", b".", b".."):
            return
        path = Path(os.fsdecode(os.path.join(os.fsencode(target), name)))
        try:
            if as_folder:
                path.mkdir(exist_ok=True)
                (path / "01-x.md").write_bytes(content.encode("utf-8", "surrogatepass"))
            elif not path.exists():
                path.write_bytes(content.encode("utf-8", "surrogatepass"))
        except OSError:
            return  # a name the file system refuses is not the loader's problem
    elif kind == "rename":
        name = arg.rstrip(b"/")
        if name in (b"", b".", b".."):
            return
        new = Path(os.fsdecode(os.path.join(os.fsencode(target.parent), name)))
        if not new.exists():
            try:
                target.rename(new)
            except OSError:
                return
    elif kind == "delete":
        shutil.rmtree(target) if target.is_dir() else target.unlink()


def digest(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@settings(max_examples=EXAMPLES, derandomize=os.environ.get("STUDYGUIDE_FUZZ_RANDOM") != "1", deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(MUTATION, min_size=1, max_size=3))
def test_malformed_input_builds_or_reports_errors(mutations: list[tuple]) -> None:
    with tempfile.TemporaryDirectory(prefix="sg-fuzz-") as tmp:
        project = Path(tmp) / "guide"
        shutil.copytree(MINI, project)
        out = Path(tmp) / "out" / "site"
        out.mkdir(parents=True)
        (out / "index.html").write_text("previous site")
        (out / ".nojekyll").write_text("")  # marks it as an earlier build, which a build may replace
        (out / "keep" ).mkdir()
        (out / "keep" / "asset.bin").write_bytes(bytes(range(256)))
        before = digest(out)
        for mutation in mutations:
            apply(project, mutation)

        builder = SiteBuilder(project / "studyguide.yml", out, search=False)
        try:
            result = builder.build()
        except ContentErrors as exc:
            first = sorted(re.sub(r"'[^']*'", "'…'", e.message)[:50] for e in exc.errors)[0]
            event("error: " + first.encode("ascii", "replace").decode())
            assert exc.errors, "ContentErrors without any error"
            for error in exc.errors:
                text = str(error)
                assert "Traceback" not in text
                assert ERROR_LINE.match(text), f"not 'path:line: message': {text!r}"
                assert error.line >= 1 and error.message.strip()
                text.encode("utf-8", "backslashreplace")  # printable on any terminal
            assert digest(out) == before, "a failed build changed the previous site"
        else:
            event("built")
            assert result.pages >= 3
            built = digest(out)
            assert built.get("index.html") != b"previous site" and "keep/asset.bin" not in built
            assert "404.html" in built and "assets/css/site.css" in built
            for domain in result.guide.domains:
                assert f"{domain.slug}/index.html" in built, "a domain page is missing: partial site"
        leftovers = [p.name for p in out.parent.iterdir() if p.name != "site"]
        assert not leftovers, f"temporary folders left behind: {leftovers}"
