"""Parse the plain-text extraction of the flagship guide (``../shared/seed/``) into plain data.

Used only by the fidelity tests: an independent reading of the author's source, so that the built
site can be compared with it word for word. The layout rules: a domain is an optional icon line, a
two-digit number, its name, a diagram title and the diagram flattened onto one line; a topic is a
title line, a subtitle line, paragraphs separated by blank lines and a tag line directly after the
last paragraph; a question is an id line, the question, an optional badge line, then sections (a
heading line directly followed by paragraphs).
"""
import re

ID_RE = re.compile(r"^[QB]\d+$")
NUM_RE = re.compile(r"^\d\d$")
BADGES = ("Critical", "Important", "Bonus")
LABELS = ("INTERVIEW", "META", "PRO TIP")
PARA_MIN = 100  # topic paragraphs are long; titles/subtitles are short


def is_icon(s):
    s = s.strip()
    return bool(s) and len(s) <= 4 and not re.search(r"[A-Za-z0-9]", s)


def parse(path):
    L = open(path, encoding="utf-8").read().split("\n")
    n = len(L)
    def get(i):
        return L[i] if 0 <= i < n else None
    i = 0
    doc = {}
    assert L[0] == L[2] and L[1] == "" and L[3] == ""
    doc["title"] = L[0]
    doc["subtitle"] = L[4]
    i = 6
    stats = []
    while not is_icon(L[i]) and not NUM_RE.match(L[i]):
        stats.append(L[i]); i += 1
    doc["stats"] = stats
    domains = []
    while True:
        # ---- domain header
        icon = None
        if is_icon(L[i]):
            icon = L[i]; i += 1
        assert NUM_RE.match(L[i]), (i, L[i])
        num = L[i]; i += 1
        assert L[i] == "", i; i += 1
        name = L[i]; i += 1
        assert L[i] == "", i; i += 1
        dtitle = L[i]; i += 1
        dline = L[i]; i += 1
        assert dline.startswith(("flowchart", "sequenceDiagram")), (i, dline)
        cont = []
        # lines that belong to the diagram (split by the extraction) before the first topic
        while not (get(i + 2) and len(L[i + 2]) >= PARA_MIN and L[i] and L[i + 1]):
            cont.append(L[i]); i += 1
        dom = {"icon": icon, "num": num, "name": name, "diagram_title": dtitle, "diagram": dline,
                   "diagram_cont": cont, "topics": [], "line": i}
        domains.append(dom)
        # ---- topics
        while True:
            t = {"title": L[i], "subtitle": L[i + 1], "paragraphs": [], "line": i + 1}
            assert L[i] and L[i + 1]
            i += 2
            while True:
                assert L[i], i
                t["paragraphs"].append(L[i]); i += 1
                if L[i] == "":
                    i += 1
                    continue
                t["tagline"] = L[i]; i += 1
                break
            dom["topics"].append(t)
            nxt = L[i]
            if nxt == "" or is_icon(nxt) or NUM_RE.match(nxt):
                break
        if nxt == "":
            break
    doc["domains"] = domains
    # ---- interview
    while L[i] == "":
        i += 1
    doc["interview_title"] = L[i]; i += 1
    assert L[i] == ""; i += 1
    doc["interview_intro"] = L[i]; i += 1
    assert L[i] == ""; i += 1
    groups = []
    group = None
    pages = []

    def group_header(i):
        """Return (icon, label, name, next_i) if a group/closing-block header starts at i."""
        icon = label = None
        j = i
        if is_icon(L[j]) and get(j + 1) in LABELS:
            icon = L[j]; j += 1
        if L[j] in LABELS:
            label = L[j]; j += 1
            assert L[j] == "", j; j += 1
        return icon, label, j

    while True:
        icon, label, j = group_header(i)
        if label in ("META", "PRO TIP"):
            break
        i = j
        name = L[i]; i += 1
        assert L[i] == ""; i += 1
        group = {"icon": icon, "label": label, "name": name, "questions": [], "line": i}
        groups.append(group)
        # questions
        while True:
            assert ID_RE.match(L[i]), (i, L[i])
            q = {"id": L[i], "question": L[i + 1], "badge": None, "sections": [], "line": i + 1}
            i += 2
            if L[i] in BADGES:
                q["badge"] = L[i]; i += 1
            group["questions"].append(q)
            end = None
            while end is None:
                sec = {"heading": L[i], "paragraphs": []}
                assert L[i] and L[i + 1], i
                q["sections"].append(sec)
                i += 1
                while True:
                    sec["paragraphs"].append(L[i]); i += 1
                    if i >= n:
                        raise AssertionError("unexpected EOF")
                    if L[i] == "":
                        # blank: a further paragraph, or a group name (name, blank, id)
                        if get(i + 2) == "" and get(i + 3) and ID_RE.match(L[i + 3]):
                            end = "group"; i += 1; break
                        if get(i + 1) in LABELS:
                            end = "label"; i += 1; break
                        i += 1
                        continue
                    if ID_RE.match(L[i]):
                        end = "question"; break
                    if is_icon(L[i]) and get(i + 1) in LABELS:
                        end = "label"; break
                    break  # a heading line: new section
            if end != "question":
                break
    # closing blocks
    while i < n:
        icon, label, i = group_header(i)
        assert label, (i, L[i])
        title = L[i]; i += 1
        assert L[i] == ""; i += 1
        paras = []
        while i < n and L[i] not in LABELS and not (is_icon(L[i]) and get(i + 1) in LABELS):
            if L[i] != "":
                paras.append(L[i])
            i += 1
        pages.append({"icon": icon, "label": label, "title": title, "paragraphs": paras})
    doc["groups"] = groups
    doc["pages"] = pages
    return doc

