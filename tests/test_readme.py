"""The README's "Writing content" examples are a working guide: assembled, they load and build."""

from __future__ import annotations

import re
from pathlib import Path

from helpers import REPO

from studyguide.commands.build import build

# README heading of each example → where that file goes in a project.
EXAMPLE_FILES = {
    "`studyguide.yml`": "studyguide.yml",
    "`domain.yml`": "content/domains/01-llm-fundamentals/domain.yml",
    "Topic file (`NN-slug.md`)": "content/domains/01-llm-fundamentals/01-encoder-decoder-vs-decoder-only.md",
    "`interview.yml`": "content/interview/interview.yml",
    "`group.yml`": "content/interview/01-llm-ai-fundamentals/group.yml",
    "Question file (`NN-slug.md`)": "content/interview/01-llm-ai-fundamentals/01-q1.md",
    "Page file (`NN-slug.md`)": "content/pages/01-what-theyre-actually-testing.md",
}


def readme_examples() -> dict[str, str]:
    """The first fenced block under each ``### heading`` of the README."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    found = {}
    for match in re.finditer(r"^### (.+?)\n.*?^```\w*\n(.*?)^```", text, re.M | re.S):
        found.setdefault(match[1].strip(), match[2])
    return found


def test_readme_examples_build_a_guide(tmp_path: Path) -> None:
    examples = readme_examples()
    for heading, target in EXAMPLE_FILES.items():
        path = tmp_path / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(examples[heading], encoding="utf-8")
    (tmp_path / "content/domains/01-llm-fundamentals/diagram.mmd").write_text("flowchart LR\n  A --> B\n")
    result = build(tmp_path / "studyguide.yml", tmp_path / "site", search=False)
    assert result.guide.stats == {"domains": 1, "topics": 1, "diagrams": 1, "questions": 1, "groups": 1}
    assert [s.heading for s in result.guide.questions[0].sections] == ["Problem", "Approach"]
    assert result.guide.site.cname == "guide.example.com"
    assert (tmp_path / "site/llm-fundamentals/index.html").is_file()
    assert (tmp_path / "site/what-theyre-actually-testing/index.html").is_file()
