"""A synthetic study guide of any size, for benchmarks (and scale tests).

`make_guide(root, n_topics)` writes a complete project (``studyguide.yml`` + ``content/``) with
prose of realistic length and variety, one diagram per domain, ~0.4·N questions in groups, and a
free page. The text is generated from a fixed seed, so every run builds the same guide.
"""

from __future__ import annotations

import random
from pathlib import Path

WORDS = ["retrieval", "embedding", "vector", "index", "latency", "throughput", "token", "context", "window", "prompt", "model", "agent", "tool", "memory", "planner", "evaluation", "metric", "benchmark", "dataset", "pipeline", "cache", "shard", "replica", "queue", "stream", "batch", "gradient", "adapter", "quantization", "inference", "serving", "cluster", "tenant", "policy", "guardrail", "hallucination", "grounding", "citation", "reranker", "chunk", "overlap", "recall", "precision", "drift", "monitoring", "alert", "budget", "cost", "router", "fallback", "timeout", "retry", "schema", "contract", "observability", "trace", "span", "feedback", "rollout", "canary", "shadow", "registry", "artifact", "lineage", "governance", "audit"]
TAGS = [f"{w.capitalize()} {v}" for w in WORDS[:40] for v in ("design", "tuning", "limits")]
HEADINGS = ["Problem", "Approach", "Architecture", "Trade-offs", "Production Concerns"]
BADGES = ["Critical", "Important", "Bonus", None, None]


def domain_count(n_topics: int) -> int:
    """Domains grow with the square root of topics (100 → 5, 1,000 → 16, 10,000 → 50): a big guide
    has more domains *and* longer ones, as real guides do. (One domain per 8 topics would give
    1,250 domains, whose every page lists 1,250 sidebar links: quadratic output by construction.)"""
    return max(1, round(n_topics ** 0.5 / 2))


def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(10, 24))
    words[0] = words[0].capitalize()
    if rng.random() < 0.3:
        words.insert(rng.randint(1, len(words) - 1), f"**{rng.choice(WORDS)}**")
    if rng.random() < 0.2:
        words.insert(rng.randint(1, len(words) - 1), f"`{rng.choice(WORDS)}_{rng.randint(1, 99)}`")
    return " ".join(words) + rng.choice([".", ".", ".", "?", " (e.g. 512 tokens)."])


def _paragraphs(rng: random.Random, low: int, high: int) -> str:
    return "\n\n".join(" ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))
                       for _ in range(rng.randint(low, high)))


def _diagram(rng: random.Random, domain: int) -> str:
    nodes = [f'    N{i}["{rng.choice(WORDS).capitalize()}\\n{rng.choice(WORDS)}"]' for i in range(8)]
    edges = [f"    N{i} --> N{i + 1}" for i in range(7)]
    return "\n".join(["flowchart LR", *nodes, *edges, "    classDef violet fill:#2d2b55,stroke:#6c63ff",
                      "    class N0,N1 violet", ""])


def make_guide(root: Path, n_topics: int, *, seed: int = 7) -> Path:
    """Write a synthetic guide with `n_topics` topics under `root`; returns the config path."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    config = root / "studyguide.yml"
    config.write_text(f"title: Synthetic Guide ({n_topics} topics)\nsubtitle: Generated for benchmarks.\n",
                      encoding="utf-8")
    content = root / "content"
    n_domains = domain_count(n_topics)
    per_domain = -(-n_topics // n_domains)
    made = 0
    for d in range(1, n_domains + 1):
        folder = content / "domains" / f"{d:03d}-domain-{d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "domain.yml").write_text(
            f'name: "Domain {d}: {rng.choice(WORDS)}"\nicon: "🧠"\n'
            f"diagram:\n  title: Flow {d}\n  file: diagram.mmd\n", encoding="utf-8")
        (folder / "diagram.mmd").write_text(_diagram(rng, d), encoding="utf-8")
        for t in range(1, per_domain + 1):
            if made == n_topics:
                break
            made += 1
            tags = rng.sample(TAGS, rng.randint(3, 6))
            (folder / f"{t:03d}-topic-{made}.md").write_text(
                "---\n"
                f'title: "Topic {made}: {rng.choice(WORDS)} {rng.choice(WORDS)}"\n'
                f"subtitle: {rng.choice(WORDS)}, {rng.choice(WORDS)} and {rng.choice(WORDS)}\n"
                f"tags: [{', '.join(tags)}]\n"
                "---\n" + _paragraphs(rng, 3, 5) + "\n", encoding="utf-8")
    interview = content / "interview"
    interview.mkdir(parents=True, exist_ok=True)
    (interview / "interview.yml").write_text("title: Interview Questions\nintro: Generated questions.\n",
                                             encoding="utf-8")
    n_questions = max(1, int(0.4 * n_topics))
    per_group = 10
    for q in range(1, n_questions + 1):
        g = (q - 1) // per_group + 1
        group = interview / f"{g:03d}-group-{g}"
        if not group.exists():
            group.mkdir()
            (group / "group.yml").write_text(f"name: Group {g}\nicon: \"🔍\"\n", encoding="utf-8")
        badge = rng.choice(BADGES)
        sections = "\n\n".join(f"## {h}\n{_paragraphs(rng, 1, 2)}" for h in rng.sample(HEADINGS, 3))
        (group / f"{(q - 1) % per_group + 1:02d}-q{q}.md").write_text(
            f"---\nid: Q{q}\nquestion: How would you handle {rng.choice(WORDS)} at scale?\n"
            + (f"badge: {badge}\n" if badge else "") + f"---\n{sections}\n", encoding="utf-8")
    pages = content / "pages"
    pages.mkdir(parents=True, exist_ok=True)
    (pages / "01-answer-structure.md").write_text(
        "---\ntitle: Answer Structure\nlabel: PRO TIP\n---\n" + _paragraphs(rng, 2, 3) + "\n", encoding="utf-8")
    return config
