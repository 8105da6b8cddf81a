"""Hostile content and config, round two (issue #12): one test per class of input.

Each class was found as a traceback, a hang or a silent mistake; each test tries several variants
of it and asserts the author gets ``path:line: message`` lines — all of them, exit 1, no traceback —
or, for values that are fine, the text exactly as written.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import require_tool
from helpers import MINI, REPO, page_ids, run_cli

from studyguide.content.errors import ContentErrors
from studyguide.content.loader import load_guide
from studyguide.content.slugs import is_theme_id
from studyguide.site.builder import SiteBuilder
from studyguide.site.search import search_records

TOPIC = "content/domains/01-retrieval/01-hybrid-search.md"
DOMAIN_YML = "content/domains/01-retrieval/domain.yml"
ERROR_LINE = re.compile(r"^\S.*:[1-9][0-9]*: \S.*$")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return Path(shutil.copytree(MINI, tmp_path / "guide"))


def set_line(path: Path, key: str, value: str) -> None:
    """Replace the `key:` line of a YAML file or front matter (or add it after the first line)."""
    text = path.read_text()
    line = f"{key}: {value}"
    if re.search(rf"^{key}:.*$", text, flags=re.M):
        text = re.sub(rf"^{key}:.*$", lambda _: line, text, count=1, flags=re.M)
    else:
        head, _, rest = text.partition("\n")
        text = f"{head}\n{line}\n{rest}" if head == "---" else f"{text.rstrip()}\n{line}\n"
    path.write_text(text)


def cli_errors(project: Path, *args: str) -> list[str]:
    """Run ``build``; assert it failed the way an author's mistake must; return the error lines."""
    result = run_cli("build", "--no-search", *args, cwd=project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "Errno" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines and lines[-1].endswith("nothing was written."), result.stderr
    errors = [line for line in lines[:-1] if not line.startswith("INFO:")]
    for line in errors:
        assert ERROR_LINE.match(line), f"not 'path:line: message': {line!r}"
    return errors


# -- YAML values PyYAML cannot construct --------------------------------------------------------

HUGE = "9" * 5000  # over Python's 4300-digit limit for int(str)


@pytest.mark.parametrize("value", ["2024-13-45", "2024-02-30", "2024-01-01 25:00:00", "2024-01-01T10:61:00Z",
                                   HUGE, "-" + HUGE, "0x" + "F" * 4000, "2024-01-01", "2024-01-01 10:00:00",
                                   "1.10", "1_000", "1e999"])
def test_numbers_and_dates_are_kept_as_the_text_written(project: Path, value: str) -> None:
    """Decision: every field is text, so a YAML date, timestamp or number — valid or not as what
    YAML takes it for — is the text exactly as written (never a traceback, never "got date")."""
    topic = project / TOPIC
    set_line(topic, "title", value)
    set_line(topic, "tags", f"[{value}, plain]")
    guide = load_guide(project / "studyguide.yml")
    loaded = guide.domains[0].topics[0]
    assert loaded.title == value and type(loaded.title) is str
    assert loaded.tags == (value, "plain") and all(type(t) is str for t in loaded.tags)
    result = run_cli("build", "--no-search", cwd=project)
    assert result.returncode == 0, result.stderr
    assert value[:200] in (project / "site/retrieval/index.html").read_text()


# -- alias expansion bombs --------------------------------------------------------------------------


def alias_bomb(kind: str) -> str:
    """Nine levels of nine aliases each: 9**9 (387 million) leaves if anything expands it."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"] if kind == "list" else ["a0: &a0 {k: x}"]
    for n in range(1, 10):
        refs = ", ".join(f"*a{n - 1}" for _ in range(9))
        lines.append(f"a{n}: &a{n} [{refs}]" if kind == "list" else
                     f"a{n}: &a{n} {{{', '.join(f'k{i}: *a{n - 1}' for i in range(9))}}}")
    return "\n".join(lines)


@pytest.mark.parametrize("where", ["key", "complex-key", "mapping-value", "list-value"])
def test_alias_bombs_are_bounded_as_keys_and_values(project: Path, where: str) -> None:
    """As a mapping key (``? *a9 : x``) the bomb used to expand into a MemoryError after half a
    minute; nested mappings used as a value were walked once per alias. Both are refused fast."""
    bomb = alias_bomb("mapping" if where == "mapping-value" else "list")
    use = {"key": "? *a9\n: x", "complex-key": "? [*a9, *a8]\n: x",
           "mapping-value": "diagram: *a9", "list-value": "tags: *a9"}[where]
    (project / DOMAIN_YML).write_text(f"name: R\nicon: x\n{bomb}\n{use}\n")
    # A subprocess with a deadline: a regression hangs and eats memory, it must not take the suite down.
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-m", "studyguide", "build", "--no-search"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert f"{DOMAIN_YML}:" in done.stderr and len(done.stderr) < 20_000


# -- impossible paths -------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["diagram", "content_dir"])
@pytest.mark.parametrize("value", ['"diagram.mmd\\0"', '"sub/\\0/x"', "d" * 300 + ".mmd", "a/" * 2100 + "x"])
def test_nul_bytes_and_over_long_names_in_paths_are_errors(project: Path, where: str, value: str) -> None:
    path = project / (DOMAIN_YML if where == "diagram" else "studyguide.yml")
    if where == "diagram":
        path.write_text(path.read_text().replace("file: diagram.mmd", f"file: {value}"))
    else:
        set_line(path, "content_dir", value)
    errors = cli_errors(project)
    expected = re.compile(rf"^{re.escape(path.relative_to(project).as_posix())}:\d+: .*"
                          r"(NUL character|longer than \d+ bytes)")
    assert any(expected.match(e) for e in errors), errors


def test_an_over_long_config_path_on_the_command_line_is_an_error(project: Path) -> None:
    result = run_cli("build", "-f", "x" * 300 + ".yml", cwd=project)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "Errno" not in result.stderr and "File name too long" in result.stderr, result.stderr


# -- URLs, host names -------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "value", "why"), [
    ("repo_url", "https://[::1/x", "Invalid IPv6 URL"),
    ("repo_url", "https://exa mple.com/", "spaces or control characters"),
    ("base_url", "https://example.com:99999/", "Port out of range"),
    ("base_url", "https://example.com:-1/", "Port"),
    ("base_url", "https://example.com:abc/", "Port could not be cast"),
    ("base_url", "https://user:secret@example.com/", "user name or password"),
    ("base_url", "https:///path-only", "absolute http"),
    ("repo_url", "ftp://example.com/x", "absolute http"),
])
def test_urls_that_urllib_refuses_are_errors(project: Path, key: str, value: str, why: str) -> None:
    set_line(project / "studyguide.yml", key, json.dumps(value))
    errors = cli_errors(project)
    assert any(e.startswith("studyguide.yml:4: ") and f"'{key}'" in e and why in e for e in errors), errors


@pytest.mark.parametrize("value", ['"a.example\\nb.example"', "-bad-.example", "docs_site.example", "bare",
                                   "docs.example.com/path", '"a..b.example"', "x" * 64 + ".example", "1.2.3.4:80"])
def test_cname_must_be_a_host_name(project: Path, value: str) -> None:
    set_line(project / "studyguide.yml", "cname", value)
    errors = cli_errors(project)
    assert any(e.startswith("studyguide.yml:4: 'cname' ") for e in errors), errors
    assert not (project / "site").exists()


def test_a_valid_cname_is_written_on_one_line(project: Path) -> None:
    set_line(project / "studyguide.yml", "cname", "Docs.Example-1.com")
    assert run_cli("build", "--no-search", cwd=project).returncode == 0
    assert (project / "site/CNAME").read_text().splitlines() == ["Docs.Example-1.com"]


# -- files that are not regular files ----------------------------------------------------------------


@pytest.mark.parametrize("which", ["studyguide.yml", TOPIC, DOMAIN_YML])
def test_a_fifo_or_other_special_file_is_an_error_not_a_hang(project: Path, which: str) -> None:
    path = project / which
    path.unlink()
    os.mkfifo(path)  # reading it would wait forever for a writer
    errors = cli_errors(project)  # run_cli has a timeout: a hang fails the test
    said = ("named pipe", "missing domain.yml", "unexpected file here")  # read, looked up, or listed
    assert any(e.startswith(f"{which}:1: ") and any(s in e for s in said) for e in errors), errors


# -- permission errors ----------------------------------------------------------------------------


@pytest.fixture
def shared_project() -> Iterator[Path]:
    """A copy of the mini guide that another user can reach (pytest's tmp_path is root-only)."""
    top = Path(tempfile.mkdtemp(prefix="sg-perm-"))
    os.chmod(top, 0o755)
    project = Path(shutil.copytree(MINI, top / "guide"))
    for path in [project, *project.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    yield project
    for path in [project, *project.rglob("*")]:
        os.chmod(path, 0o755, follow_symlinks=False) if path.is_dir() and not path.is_symlink() else None
    shutil.rmtree(top)


def as_unprivileged(args: list[str]) -> list[str]:
    """`args` run as `nobody` when we are root (root reads everything; the test would prove nothing)."""
    if os.geteuid() != 0:
        return args
    setpriv = shutil.which("setpriv")
    require_tool(setpriv is not None, "setpriv not found (util-linux): needed to test as a non-root user")
    return [str(setpriv), "--reuid=65534", "--regid=65534", "--clear-groups", *args]


def test_permission_errors_are_reported_with_the_other_errors(shared_project: Path, tmp_path: Path) -> None:
    content = shared_project / "content"
    os.chmod(content / "domains/02-agents", 0o000)  # cannot even look inside
    os.chmod(content / "interview/01-rag/01-q1.md", 0o000)  # cannot read
    os.chmod(content / "pages", 0o311)  # cannot list
    (content / "interview/01-rag/02-q2.md").write_text("---\nid: [\n---\n")  # an ordinary mistake too
    out = Path(tempfile.mkdtemp(prefix="sg-perm-out-"))
    os.chmod(out, 0o777)
    env = dict(os.environ, PYTHONPATH=str(REPO), HOME=str(out))
    cmd = as_unprivileged([sys.executable, "-m", "studyguide", "build", "--no-search", "-o", str(out / "site")])
    try:
        done = subprocess.run(cmd, cwd=shared_project, env=env, capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(out)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "Errno" not in done.stderr, done.stderr
    lines = done.stderr.splitlines()
    for where in ["content/domains/02-agents/domain.yml:1: cannot read", "content/interview/01-rag/01-q1.md:1: cannot read",
                  "content/pages:1: cannot read folder"]:
        assert any(line.startswith(where) and line.endswith("Permission denied") for line in lines), (where, done.stderr)
    assert any(line.startswith("content/interview/01-rag/02-q2.md:") and "invalid YAML" in line for line in lines), done.stderr


# -- ids the theme uses ------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["main", "site-nav", "search-input", "search-results", "topics-heading",
                                  "search-option-3", "sg-diagram-1"])
def test_topic_slugs_may_not_take_an_id_the_theme_uses(project: Path, slug: str) -> None:
    source = project / TOPIC
    target = source.with_name(f"05-{slug}.md")
    shutil.copy(source, target)
    errors = cli_errors(project)
    assert any(e.startswith(f"{target.relative_to(project).as_posix()}:1: topic slug '{slug}' is an id the theme")
               for e in errors), errors


def test_group_slugs_may_not_make_an_id_the_theme_uses(project: Path) -> None:
    (project / "content/interview/01-rag").rename(project / "content/interview/01-filter")
    errors = cli_errors(project)
    assert any(e.startswith("content/interview/01-filter:1: group slug 'filter' gives the id 'group-filter'")
               for e in errors), errors


def test_the_reserved_ids_are_every_id_the_theme_writes(project: Path) -> None:
    """Keeps the list honest: every id in a built page that no content file names is the theme's,
    and must be reserved; so must the numbered ids the scripts make."""
    SiteBuilder(project / "studyguide.yml", project / "site", search=False).build()
    guide = load_guide(project / "studyguide.yml")
    content_ids = {t.anchor for t in guide.topics} | {q.anchor for q in guide.questions}
    content_ids |= {a for g in guide.groups for a in (g.anchor, f"{g.anchor}-title")}
    # The one-page edition's sections are named after their domain or page (domain-<slug>, page-<slug>).
    content_ids |= {a for d in guide.domains for a in (f"domain-{d.slug}", f"domain-{d.slug}-title")}
    content_ids |= {a for p in guide.pages for a in (f"page-{p.slug}", f"page-{p.slug}-title")}
    theme_ids: set[str] = set()
    for page in (project / "site").rglob("*.html"):
        # Tag anchors and heading ids ("card--heading": a slug never has "--") come from content.
        theme_ids |= {i for i in page_ids(page.read_text())
                      if i not in content_ids and not i.startswith("tag-") and "--" not in i}
    assert {"main", "site-nav", "search-input"} <= theme_ids
    unreserved = sorted(i for i in theme_ids if not is_theme_id(i))
    assert not unreserved, f"ids the theme writes but the loader does not reserve: {unreserved}"
    scripts = " ".join(p.read_text() for p in (REPO / "static/js").glob("*.js"))
    made = set(re.findall(r"""["']([a-z][a-z-]*-)["']\s*\+""", scripts))  # "search-option-" + index
    made -= {"studyguide-progress-"}  # study-backup.js: the exported file's name, not an id
    assert made, "no numbered ids found in the scripts: update this test"
    for prefix in made:
        assert is_theme_id(prefix + "1") or is_theme_id("d" + prefix + "1"), prefix


# -- inline Markdown in section headings ------------------------------------------------------------


def test_section_headings_render_inline_markdown_everywhere(project: Path) -> None:
    question = project / "content/interview/01-rag/01-q1.md"
    text = question.read_text()
    heading = re.search(r"^## (.+)$", text, flags=re.M)
    assert heading, "fixture changed: the question needs a section"
    question.write_text(text.replace(heading.group(0), "## `top_k` and **recall** <b>x</b> [ref](https://e.example/)", 1))
    SiteBuilder(project / "studyguide.yml", project / "site", search=False).build()
    page = (project / "site/interview/index.html").read_text()
    assert ('<h3><code>top_k</code> and <strong>recall</strong> &lt;b&gt;x&lt;/b&gt; '
            '<a href="https://e.example/" rel="noopener noreferrer">ref</a></h3>') in page
    guide = load_guide(project / "studyguide.yml")
    record = next(r for r in search_records(guide) if r.url.endswith("#q1"))
    assert "<h2><code>top_k</code> and <strong>recall</strong> &lt;b&gt;x&lt;/b&gt;" in record.html
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, flags=re.S)
    faq = next(json.loads(b) for b in blocks if '"FAQPage"' in b)
    answer = next(q for q in faq["mainEntity"] if q["name"] == guide.questions[0].question)["acceptedAnswer"]["text"]
    assert answer.startswith("top_k and recall <b>x</b> ref\n"), answer
    assert "`" not in answer and "**" not in answer


def test_errors_of_every_class_come_together_in_one_run(project: Path) -> None:
    """One broken file of each kind: all reported at once, sorted, exit 1."""
    set_line(project / "studyguide.yml", "cname", '"x\\ny"')
    set_line(project / "studyguide.yml", "repo_url", '"https://[::1/x"')
    (project / DOMAIN_YML).write_text((project / DOMAIN_YML).read_text().replace("file: diagram.mmd", 'file: "a\\0"'))
    shutil.copy(project / TOPIC, project / "content/domains/01-retrieval/07-main.md")
    with pytest.raises(ContentErrors) as caught:
        load_guide(project / "studyguide.yml")
    messages = [e.message for e in caught.value.errors]
    assert len(messages) == 2, messages  # the config's errors stop the load before content
    errors = cli_errors(project)
    assert len(errors) == 2
    set_line(project / "studyguide.yml", "cname", "ok.example")
    set_line(project / "studyguide.yml", "repo_url", "https://ok.example/")
    errors = cli_errors(project)
    assert len(errors) == 2 and any("NUL" in e for e in errors) and any("07-main.md" in e for e in errors), errors
