"""A copy of the mini fixture guide with everything the richer content features offer.

One topic (``retrieval/rich-content``) shows an image from an ``assets/`` folder, a highlighted
code block, a table, callouts of both syntaxes, a footnote, a task list, strikethrough, headings
and cross-links; a page links a PDF in the guide's own ``content/assets/``. Images are written as
real PNG files (``png_bytes``), so their sizes come from real headers.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from helpers import copy_mini

RICH_TOPIC = "content/domains/01-retrieval/03-rich-content.md"
IMAGE = "content/domains/01-retrieval/assets/pipeline.png"
IMAGE_SIZE = (240, 120)

RICH_BODY = """\
Retrieval runs in three stages:

![The retrieval pipeline: query, search, rerank](assets/pipeline.png)

### Scoring

```python
def rrf(ranks: list[int], k: int = 60) -> float:
    # Reciprocal rank fusion
    return sum(1 / (k + r) for r in ranks)
```

| Stage  | Cost |
|--------|------|
| BM25   | low  |
| Rerank | high |

!!! warning "Mind the cost"
    Reranking every candidate is ~~cheap~~ expensive.

> [!TIP]
> Cache the embeddings.

- [x] Index the documents
- [ ] Tune k

See [hybrid search](topic:hybrid-search), [question Q1](question:q1), [the ReAct card](../02-agents/01-react-pattern.md)
and [the answer page](page:answer-structure) for more.[^rrf]

[^rrf]: Cormack et al., 2009.
"""


def png_bytes(width: int, height: int, rgb: tuple[int, int, int] = (77, 201, 246)) -> bytes:
    """A valid PNG of one colour with a dark band (so a screenshot shows it)."""
    rows = []
    for y in range(height):
        colour = (20, 22, 40) if height // 3 <= y < 2 * height // 3 else rgb
        rows.append(b"\x00" + bytes(colour) * width)
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows)))
            + chunk(b"IEND", b""))


def write(project: Path, rel: str, text: str) -> Path:
    path = project / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def make_rich_guide(dest: Path) -> Path:
    """The mini guide plus the rich topic, its image and a PDF; returns the project folder."""
    project = copy_mini(dest)
    write(project, RICH_TOPIC, "---\ntitle: Rich Content\nsubtitle: Images, code and callouts\n"
                               "tags: [Images, Code]\n---\n" + RICH_BODY)
    image = project / IMAGE
    image.parent.mkdir(parents=True, exist_ok=True)
    image.write_bytes(png_bytes(*IMAGE_SIZE))
    (project / "content/assets").mkdir()
    (project / "content/assets/cheatsheet.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    page = project / "content/pages/01-answer-structure.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nPrint the [cheat sheet](../assets/cheatsheet.pdf).\n",
                    encoding="utf-8")
    return project
