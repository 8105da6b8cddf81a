"""Study features in real Chromium: marks, progress bars, practice with FSRS, backup, storage failures.

The fixture guide is built once per module (``--no-search``) and served on 127.0.0.1. Expected
figures come from the content model (Loader), never from copies of the content.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from helpers import MINI
from playwright.sync_api import Page, expect

from studyguide.commands.build import build
from studyguide.content.loader import Loader
from studyguide.content.model import Guide
from studyguide.render.study import guide_id

START = datetime(2026, 12, 2, 9, 0, 0)  # a fixed local time for every scheduling test


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Guide]:
    out = tmp_path_factory.mktemp("study") / "site"
    build(MINI / "studyguide.yml", out, search=False)
    return out, Loader().load(MINI / "studyguide.yml")


def stored(page: Page) -> dict:
    """The guide's progress entry in localStorage (there must be exactly one)."""
    entries = page.evaluate("""() => Object.keys(localStorage).filter(k => k.startsWith('studyguide:progress:'))
        .map(k => [k, localStorage.getItem(k)])""")
    assert len(entries) == 1, entries
    return json.loads(entries[0][1])


def progress_label(page: Page, selector: str) -> str:
    bar = page.locator(f"{selector} progress").first
    expect(bar).to_be_visible()
    return bar.get_attribute("aria-label") or ""


def open_card(card) -> None:  # card: a Locator
    """Open a card (a reload may already have reopened it: keep-open.js)."""
    if not card.evaluate("d => d.open"):
        card.locator("summary").click()
    expect(card.locator(".card-body")).to_be_visible()


def open_practice(page: Page, base: str) -> None:
    page.goto(base + "practice/")
    expect(page.locator("[data-practice]")).to_be_visible()


def shown_card(page: Page) -> str:
    return page.locator("[data-practice-card]:not([hidden])").get_attribute("data-practice-card") or ""


# ---- Marks and progress ---------------------------------------------------------------------------


def test_mark_reload_still_marked_and_progress_updates(mini, page, serve_dir, watch_page):
    site, guide = mini
    base = serve_dir(site)
    watch = watch_page(page, base)
    domain = guide.domains[0]
    topic = domain.topics[0]
    n = len(domain.topics)
    page.goto(base + domain.path)
    assert progress_label(page, ".domain-header") == f"{domain.name}: 0 of {n} known"
    expect(page.locator("[data-study-notice]")).to_be_hidden()  # storage works: no notice
    card = page.locator(f"#{topic.anchor}")
    open_card(card)
    known = card.get_by_role("button", name="Mark as known")
    learning = card.get_by_role("button", name="Mark as learning")
    expect(known).to_have_attribute("aria-pressed", "false")
    known.click()
    expect(known).to_have_attribute("aria-pressed", "true")
    expect(learning).to_have_attribute("aria-pressed", "false")
    expect(card.locator("[data-study-state]")).to_have_text("Known")
    assert progress_label(page, ".domain-header") == f"{domain.name}: 1 of {n} known"
    sidebar = page.locator(f".sidebar [data-study-progress='domain:{domain.slug}'] progress")
    expect(sidebar).to_have_attribute("aria-label", f"{domain.name}: 1 of {n} known")
    assert stored(page)["marks"][topic.anchor]["s"] == "known"

    page.reload()
    card = page.locator(f"#{topic.anchor}")
    open_card(card)
    expect(card.get_by_role("button", name="Mark as known")).to_have_attribute("aria-pressed", "true")
    assert progress_label(page, ".domain-header") == f"{domain.name}: 1 of {n} known"
    # Learning replaces known; pressing the active button again clears the mark.
    card.get_by_role("button", name="Mark as learning").click()
    expect(card.get_by_role("button", name="Mark as learning")).to_have_attribute("aria-pressed", "true")
    expect(card.get_by_role("button", name="Mark as known")).to_have_attribute("aria-pressed", "false")
    assert progress_label(page, ".domain-header") == f"{domain.name}: 0 of {n} known"
    card.get_by_role("button", name="Mark as learning").click()
    expect(card.get_by_role("button", name="Mark as learning")).to_have_attribute("aria-pressed", "false")
    assert topic.anchor not in stored(page)["marks"]
    card.get_by_role("button", name="Mark as known").click()

    page.goto(base)
    total = len(guide.topics) + len(guide.questions)
    tile = page.locator(f".domain-tile [data-study-progress='domain:{domain.slug}'] progress")
    expect(tile).to_have_attribute("aria-label", f"{domain.name}: 1 of {n} known")
    assert progress_label(page, ".progress-overall") == f"All cards: 1 of {total} known"

    group = guide.groups[0]
    page.goto(base + guide.interview.path)
    assert progress_label(page, f"#{group.anchor}") == f"{group.name}: 0 of {len(group.questions)} known"
    q = page.locator(f"#{group.questions[0].anchor}")
    q.locator("summary").focus()
    page.keyboard.press("k")  # the shortcut on the focused (closed) card
    expect(q.locator("[data-study-mark='known']")).to_have_attribute("aria-pressed", "true")
    expect(q.locator("[data-study-state]")).to_have_text("Known")
    assert progress_label(page, f"#{group.anchor}") == f"{group.name}: 1 of {len(group.questions)} known"
    assert progress_label(page, ".page-header") == \
        f"{guide.interview.title}: 1 of {len(guide.questions)} known"
    watch.assert_clean()


def test_marked_event_for_other_scripts(mini, page, serve_dir):
    site, guide = mini
    base = serve_dir(site)
    page.goto(base + guide.domains[0].path)
    page.evaluate("""() => { window.__marked = [];
        document.addEventListener('studyguide:marked', e => window.__marked.push(e.detail)); }""")
    card = page.locator("details[data-card]").first
    open_card(card)
    card.get_by_role("button", name="Mark as learning").click()
    assert page.evaluate("window.__marked") == [{"id": guide.domains[0].topics[0].anchor, "state": "learning"}]


def test_filter_shows_only_cards_not_yet_known(mini, page, serve_dir):
    site, guide = mini
    base = serve_dir(site)
    domain = next(d for d in guide.domains if len(d.topics) > 1)
    page.goto(base + domain.path)
    first, second = (page.locator(f"#{t.anchor}") for t in domain.topics[:2])
    open_card(first)
    first.get_by_role("button", name="Mark as known").click()
    page.get_by_label("Only topics not yet known").check()
    expect(first).to_be_hidden()
    expect(second).to_be_visible()
    expect(page.locator("[data-study-filter-status]")).to_have_text(
        f"{len(domain.topics) - 1} of {len(domain.topics)} shown")
    page.get_by_label("Only topics not yet known").uncheck()
    expect(first).to_be_visible()


def test_changed_card_keeps_its_mark_with_a_note(tmp_path, page, serve_dir):
    project = tmp_path / "guide"
    shutil.copytree(MINI, project)
    config = project / "studyguide.yml"  # no service worker: the reload must fetch the rebuilt page
    config.write_text(config.read_text(encoding="utf-8") + "offline: false\n", encoding="utf-8")
    guide = Loader().load(project / "studyguide.yml")
    topic = guide.domains[0].topics[0]
    build(project / "studyguide.yml", tmp_path / "site", search=False)
    base = serve_dir(tmp_path / "site")
    page.goto(base + guide.domains[0].path)
    card = page.locator(f"#{topic.anchor}")
    open_card(card)
    card.get_by_role("button", name="Mark as known").click()
    expect(card.locator("[data-study-changed]")).to_be_hidden()

    source = topic.origin.path
    source.write_text(source.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    build(project / "studyguide.yml", tmp_path / "site", search=False)
    # A new URL, not reload(): the test server dates files to the second, so a rebuild within the
    # same second would be answered "304 Not Modified" with the old page.
    page.goto(base + guide.domains[0].path + "?rebuilt")
    card = page.locator(f"#{topic.anchor}")
    open_card(card)
    expect(card.get_by_role("button", name="Mark as known")).to_have_attribute("aria-pressed", "true")
    note = card.locator("[data-study-changed]")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Changed since you marked it")
    note.get_by_role("button", name="Keep my mark").click()
    expect(note).to_be_hidden()
    expect(card.get_by_role("button", name="Mark as known")).to_have_attribute("aria-pressed", "true")


def test_two_guides_under_different_sub_paths_keep_separate_state(mini, tmp_path, page, serve_dir):
    site, guide = mini
    for name in ("one", "two"):
        shutil.copytree(site, tmp_path / "both" / name)
    base = serve_dir(tmp_path / "both")
    topic = guide.domains[0].topics[0]
    page.goto(base + "one/" + guide.domains[0].path)
    card = page.locator(f"#{topic.anchor}")
    open_card(card)
    card.get_by_role("button", name="Mark as known").click()
    page.goto(base + "two/" + guide.domains[0].path)
    card = page.locator(f"#{topic.anchor}")
    open_card(card)
    expect(card.get_by_role("button", name="Mark as known")).to_have_attribute("aria-pressed", "false")
    card.get_by_role("button", name="Mark as learning").click()
    keys = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('studyguide:progress:')).sort()")
    assert keys == [f"studyguide:progress:{guide_id(guide)}:/one/", f"studyguide:progress:{guide_id(guide)}:/two/"]
    page.goto(base + "one/" + guide.domains[0].path)
    card = page.locator(f"#{topic.anchor}")
    open_card(card)
    expect(card.get_by_role("button", name="Mark as known")).to_have_attribute("aria-pressed", "true")
    expect(card.get_by_role("button", name="Mark as learning")).to_have_attribute("aria-pressed", "false")


THROWING_STORAGE = """(() => {
    const fail = () => { throw new DOMException('blocked', 'SecurityError'); };
    Storage.prototype.getItem = fail; Storage.prototype.setItem = fail; Storage.prototype.removeItem = fail;
})();"""


def test_storage_that_throws_shows_one_notice_and_reading_works(mini, page, serve_dir):
    site, guide = mini
    base = serve_dir(site)
    page.add_init_script(THROWING_STORAGE)
    page.goto(base + guide.domains[0].path)
    notice = page.locator("[data-study-notice]")
    expect(notice).to_have_count(1)
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("cannot be saved")
    card = page.locator("details[data-card]").first
    open_card(card)
    expect(card.locator(".card-body .prose")).to_be_visible()
    card.get_by_role("button", name="Mark as known").click()  # works for this visit
    expect(card.get_by_role("button", name="Mark as known")).to_have_attribute("aria-pressed", "true")
    card.get_by_role("button", name="Mark as learning").click()
    expect(notice).to_have_count(1)  # one notice, however many writes fail
    open_practice(page, base)
    expect(page.locator("[data-study-notice]")).to_have_count(1)
    expect(page.locator("[data-study-notice]")).to_be_visible()
    page.keyboard.press(" ")
    page.keyboard.press("3")
    expect(page.locator("[data-study-notice]")).to_have_count(1)
    assert shown_card(page) == guide.topics[1].anchor  # the queue still works, in memory


def test_study_scripts_only_on_pages_with_cards(mini):
    site, guide = mini
    with_cards = {"index.html", guide.domains[0].path + "index.html", guide.interview.path + "index.html",
                  "practice/index.html"}
    without = {"tags/index.html", "404.html", guide.pages[0].path + "index.html", "practice/cards.html"}
    for rel in with_cards | without:
        html = (site / rel).read_text(encoding="utf-8")
        scripts = re.findall(r'<script src="[^"]*(study-[a-z]+\.js|practice\.js|ts-fsrs\.min\.js)[^"]*" defer>', html)
        if rel in without:
            assert not scripts, (rel, scripts)
        else:
            assert "study-store.js" in scripts, (rel, scripts)
    practice = (site / "practice/index.html").read_text(encoding="utf-8")
    # The cards come from practice/cards.html, which the script fetches: the page itself stays light.
    cards = (site / "practice/cards.html").read_text(encoding="utf-8")
    assert "ts-fsrs.min.js" in practice and "data-practice-card=" not in practice
    assert cards.count("data-practice-card=") == len(guide.topics) + len(guide.questions)
    for rel in with_cards - {"practice/index.html"}:
        assert "ts-fsrs" not in (site / rel).read_text(encoding="utf-8"), rel  # only practice schedules


# ---- Practice -------------------------------------------------------------------------------------


def test_practice_reveal_grade_and_undo_from_the_keyboard(mini, page, serve_dir, watch_page):
    site, guide = mini
    base = serve_dir(site)
    watch = watch_page(page, base)
    page.clock.install(time=START)
    open_practice(page, base)
    total = len(guide.topics) + len(guide.questions)
    counts = page.locator("[data-practice-counts]")
    expect(counts).to_have_text(f"0 due now · {min(10, total)} new left today (of 10)")
    first = shown_card(page)
    assert first == guide.topics[0].anchor
    card = page.locator(f"[data-practice-card='{first}']")
    expect(card.locator("[data-practice-back]")).to_be_hidden()
    expect(page.locator("[data-practice-grades]")).to_be_hidden()
    page.keyboard.press(" ")
    expect(card.locator("[data-practice-back]")).to_be_visible()
    expect(card.locator("[data-practice-back] .prose")).to_contain_text(guide.topics[0].body.split()[0].strip("*#"))
    grades = page.locator("[data-practice-grades]")
    expect(grades.get_by_role("button", name="Again")).to_contain_text("Again · 1 min")
    expect(grades.get_by_role("button", name="Good")).to_contain_text("Good · 10 min")
    page.keyboard.press("3")
    second = shown_card(page)
    assert second == guide.topics[1].anchor
    expect(page.locator(f"[data-practice-card='{second}'] [data-practice-back]")).to_be_hidden()
    expect(counts).to_have_text(f"0 due now · {min(10, total) - 1} new left today (of 10)")
    saved = stored(page)
    assert saved["cards"][first]["state"] == 1 and len(saved["log"]) == 1  # Learning, one review
    assert saved["log"][0]["rating"] == 3 and saved["log"][0]["id"] == first
    page.keyboard.press("u")
    assert shown_card(page) == first
    expect(counts).to_have_text(f"0 due now · {min(10, total)} new left today (of 10)")
    assert stored(page)["cards"] == {} and stored(page)["log"] == []
    watch.assert_clean()


def test_scope_limits_the_queue(mini, page, serve_dir):
    site, guide = mini
    base = serve_dir(site)
    open_practice(page, base)
    critical = [q for q in guide.questions if q.badge == "Critical"]
    page.get_by_label("Scope").select_option("badge:critical")
    assert shown_card(page) == critical[0].anchor
    page.get_by_label("Scope").select_option(f"domain:{guide.domains[1].slug}")
    assert shown_card(page) == guide.domains[1].topics[0].anchor
    page.reload()  # the scope is remembered
    expect(page.get_by_label("Scope")).to_have_value(f"domain:{guide.domains[1].slug}")


def test_cards_come_due_as_scheduled(mini, page, serve_dir):
    site, _ = mini
    base = serve_dir(site)
    page.clock.install(time=START)
    open_practice(page, base)
    page.get_by_label("New cards per day").fill("1")
    page.get_by_label("New cards per day").press("Enter")  # change event
    page.evaluate("document.activeElement.blur()")  # keys go to the page, not the field
    first = shown_card(page)
    page.keyboard.press(" ")
    easy = page.locator("[data-grade='4']").inner_text()  # "4 Easy · 16 days"
    days = int(easy.split("·")[1].split()[0])
    assert days > 1
    page.keyboard.press("4")
    done = page.locator("[data-practice-done]")
    expect(done).to_be_visible()
    expect(done.locator("h2")).to_have_text("Done for today")
    due_day = (START + timedelta(days=days)).strftime("%b")
    expect(page.locator("[data-practice-next]")).to_contain_text("Next review on")
    expect(page.locator("[data-practice-next]")).to_contain_text(due_day)
    expect(page.locator("[data-practice-next]")).to_contain_text("1 card.")
    # The next day: one new card again, the first one not due yet.
    page.clock.set_fixed_time(START + timedelta(days=1))
    page.reload()
    assert shown_card(page) != first
    expect(page.locator("[data-practice-counts]")).to_have_text("0 due now · 1 new left today (of 1)")
    # The day it was scheduled for: it is due.
    page.clock.set_fixed_time(START + timedelta(days=days, minutes=1))
    page.reload()
    expect(page.locator("[data-practice-counts]")).to_contain_text("1 due now")
    assert shown_card(page) == first
    page.goto(base)
    expect(page.locator("[data-study-due]")).to_have_text("2 cards due today")  # 1 review + 1 new


def test_interview_date_caps_intervals_and_spreads_new_cards(mini, page, serve_dir):
    site, guide = mini
    base = serve_dir(site)
    page.clock.install(time=START)
    open_practice(page, base)
    total = len(guide.topics) + len(guide.questions)
    interview = START + timedelta(days=3)
    page.get_by_label("Interview date").fill(interview.strftime("%Y-%m-%d"))
    page.evaluate("document.activeElement.blur()")
    per_day = -(-total // 3)
    expect(page.locator("[data-practice-plan]")).to_have_text(
        f"{per_day} new per day to finish by {interview.strftime('%b')} {interview.day}.")
    page.keyboard.press(" ")
    expect(page.locator("[data-grade='4']")).to_contain_text("Easy · 3 days")  # not 16: capped
    page.keyboard.press("4")
    assert stored(page)["cards"][guide.topics[0].anchor]["due"] <= interview.timestamp() * 1000 + 864e5


def test_done_for_today_when_nothing_is_due(mini, page, serve_dir):
    site, guide = mini
    base = serve_dir(site)
    page.clock.install(time=START)
    open_practice(page, base)
    page.get_by_label("Scope").select_option("badge:critical")
    n = sum(1 for q in guide.questions if q.badge == "Critical")
    for _ in range(n):
        page.keyboard.press(" ")
        page.keyboard.press("4")
    expect(page.locator("[data-practice-done] h2")).to_have_text("Done for today")
    expect(page.locator("[data-practice-next]")).to_contain_text(f"{n} card")


def test_practice_without_javascript_says_it_needs_it(mini, new_context, serve_dir):
    site, guide = mini
    base = serve_dir(site)
    page = new_context(java_script_enabled=False).new_page()
    page.goto(base + "practice/")
    expect(page.locator("[data-practice-nojs]")).to_be_visible()
    expect(page.locator("[data-practice-nojs]")).to_contain_text("needs JavaScript")
    expect(page.locator("[data-practice]")).to_be_hidden()
    expect(page.locator("[data-backup]")).to_be_hidden()
    page.goto(base + guide.domains[0].path)
    card = page.locator("details[data-card]").first
    open_card(card)
    expect(card.locator("[data-study-controls]")).to_be_hidden()
    expect(page.locator("[data-study-progress]").first).to_be_hidden()


# ---- Backup ---------------------------------------------------------------------------------------


def export(page: Page) -> dict:
    with page.expect_download() as info:
        page.get_by_role("button", name="Export progress").click()
    path = info.value.path()
    assert info.value.suggested_filename.startswith("studyguide-progress-")
    return json.loads(Path(path).read_text(encoding="utf-8"))


def import_file(page: Page, path: Path) -> str:
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Import progress").click()
    chooser.value.set_files(str(path))
    status = page.locator("[data-backup-status]")
    expect(status).not_to_be_empty()
    return status.inner_text()


def test_export_clear_import_restores_the_same_state(mini, page, serve_dir, tmp_path):
    site, guide = mini
    base = serve_dir(site)
    page.goto(base + guide.domains[0].path)
    card = page.locator("details[data-card]").first
    open_card(card)
    card.get_by_role("button", name="Mark as known").click()
    open_practice(page, base)
    page.keyboard.press(" ")
    page.keyboard.press("3")
    page.keyboard.press(" ")
    page.keyboard.press("1")
    before = stored(page)
    data = export(page)
    assert data["guide"] == guide_id(guide) and data["format"] == 1
    assert data["marks"] == before["marks"] and data["cards"] == before["cards"] and data["log"] == before["log"]
    file = tmp_path / "progress.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    page.evaluate("localStorage.clear()")
    page.reload()
    expect(page.locator("[data-practice-counts]")).to_contain_text("new left today (of 10)")
    message = import_file(page, file)
    assert message == "Imported 1 mark, 2 card schedules and 2 reviews.", message
    assert stored(page) == before
    assert import_file(page, file) == "Imported 0 marks, 0 card schedules and 0 reviews."  # merging twice changes nothing
    assert stored(page) == before


def test_import_merges_newer_review_wins(mini, page, serve_dir, tmp_path):
    site, guide = mini
    base = serve_dir(site)
    page.clock.install(time=START)
    open_practice(page, base)
    page.keyboard.press(" ")
    page.keyboard.press("1")  # Again, at START
    mine = stored(page)
    first = guide.topics[0].anchor
    newer = json.loads(json.dumps(mine))
    newer["cards"][first] = dict(mine["cards"][first], last_review=mine["cards"][first]["last_review"] + 1000,
                                 reps=7)
    older = json.loads(json.dumps(mine))
    older["cards"][first] = dict(mine["cards"][first], last_review=mine["cards"][first]["last_review"] - 1000,
                                 reps=9)
    (tmp_path / "older.json").write_text(json.dumps(older))
    (tmp_path / "newer.json").write_text(json.dumps(newer))
    import_file(page, tmp_path / "older.json")
    assert stored(page)["cards"][first]["reps"] == mine["cards"][first]["reps"]  # ours is newer: kept
    assert "1 card schedule" in import_file(page, tmp_path / "newer.json")
    assert stored(page)["cards"][first]["reps"] == 7


@pytest.mark.parametrize("content, reason", [
    ("{not json", "not valid JSON"),
    ('{"app": "something-else"}', "not a studyguide progress file"),
    ("FOREIGN", "another guide"),
    ("NEWER", "newer version"),
    ("DAMAGED", "damaged"),
])
def test_corrupt_or_foreign_file_is_refused_and_nothing_changes(content, reason, mini, page, serve_dir, tmp_path):
    site, _ = mini
    base = serve_dir(site)
    open_practice(page, base)
    page.keyboard.press(" ")
    page.keyboard.press("3")
    before = stored(page)
    good = json.loads(json.dumps(before))
    good["marks"] = {"q1": {"s": "known", "h": "x", "t": 1}}
    if content == "FOREIGN":
        content = json.dumps(dict(good, guide="another-guide"))
    elif content == "NEWER":
        content = json.dumps(dict(good, format=99))
    elif content == "DAMAGED":  # a valid mark, then a broken review: nothing at all is applied
        content = json.dumps(dict(good, log=[*good["log"], {"id": "q1"}]))
    file = tmp_path / "bad.json"
    file.write_text(content, encoding="utf-8")
    message = import_file(page, file)
    assert reason in message and "Nothing was imported" in message, message
    assert stored(page) == before


def test_reset_asks_for_confirmation(mini, page, serve_dir):
    site, _ = mini
    base = serve_dir(site)
    open_practice(page, base)
    page.keyboard.press(" ")
    page.keyboard.press("3")
    before = stored(page)
    page.get_by_role("button", name="Reset progress").click()
    dialog = page.get_by_role("dialog", name="Reset progress?")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert stored(page) == before
    page.get_by_role("button", name="Reset progress").click()
    dialog.get_by_role("button", name="Cancel").click()
    assert stored(page) == before
    page.get_by_role("button", name="Reset progress").click()
    dialog.get_by_role("button", name="Reset progress").click()
    expect(page.locator("[data-backup-status]")).to_contain_text("Progress reset")
    assert stored(page)["cards"] == {} and stored(page)["log"] == []


# ---- Keyboard only, and axe-core on every new control ---------------------------------------------


def test_keyboard_only(mini, page, serve_dir):
    site, guide = mini
    base = serve_dir(site)
    topic = guide.domains[0].topics[0]
    page.goto(base + guide.domains[0].path)
    page.keyboard.press("?")
    help_dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help_dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()
    page.locator(f"#{topic.anchor} summary").focus()
    page.keyboard.press("Enter")  # opens the card
    page.keyboard.press("Tab")
    for _ in range(20):  # Tab on to the "Mark as known" button and press it
        if page.evaluate("document.activeElement.dataset.studyMark") == "known":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(f"#{topic.anchor} [data-study-mark='known']")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("l")  # the open card (focus is inside it)
    expect(page.locator(f"#{topic.anchor} [data-study-mark='learning']")).to_have_attribute("aria-pressed", "true")

    open_practice(page, base)
    page.keyboard.press(" ")
    expect(page.locator("[data-practice-grades]")).to_be_visible()
    for _ in range(20):  # from the answer (its links first) on to the grade buttons
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.grade"):
            break
    assert page.evaluate("document.activeElement.dataset.grade") == "1"  # Again comes first
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Good
    assert len(stored(page)["log"]) == 1 and stored(page)["log"][0]["rating"] == 3


def axe_clean(page: Page, what: str) -> None:
    for theme in ("dark", "light"):
        if page.evaluate("document.documentElement.getAttribute('data-theme')") != theme:
            page.evaluate(f"document.documentElement.setAttribute('data-theme', '{theme}')")
        results = Axe().run(page)
        assert results.violations_count == 0, f"{what}, {theme} theme: " + results.generate_report()


def test_axe_on_the_study_controls_in_both_themes(mini, new_context, serve_dir, tmp_path):
    site, guide = mini
    base = serve_dir(site)
    page = new_context(color_scheme="dark", reduced_motion="reduce").new_page()
    page.goto(base + guide.domains[0].path)
    cards = page.locator("details[data-card]")
    page.evaluate("document.querySelectorAll('details[data-card]').forEach(d => { d.open = true; })")
    cards.nth(0).get_by_role("button", name="Mark as known").click()
    if cards.count() > 1:
        cards.nth(1).get_by_role("button", name="Mark as learning").click()
    page.evaluate("""() => { const k = Object.keys(localStorage).find(k => k.startsWith('studyguide:progress:'));
        const s = JSON.parse(localStorage.getItem(k)); Object.values(s.marks)[0].h = 'old';
        localStorage.setItem(k, JSON.stringify(s)); }""")
    page.reload()
    page.evaluate("document.querySelectorAll('details[data-card]').forEach(d => { d.open = true; })")
    expect(page.locator("[data-study-changed]:visible")).to_have_count(1)
    page.get_by_label("Only topics not yet known").check()
    axe_clean(page, "domain page with marks, a changed note and the filter")
    page.keyboard.press("?")
    axe_clean(page, "keyboard help dialog")
    page.keyboard.press("Escape")
    page.goto(base)
    axe_clean(page, "home page with progress")
    page.goto(base + guide.interview.path)
    page.evaluate("document.querySelectorAll('details[data-card]').forEach(d => { d.open = true; })")
    axe_clean(page, "interview page with progress per group")
    open_practice(page, base)
    axe_clean(page, "practice front")
    page.keyboard.press(" ")
    axe_clean(page, "practice answer and grades")
    page.get_by_label("Scope").select_option("badge:critical")
    for _ in guide.questions:
        if page.locator("[data-practice-done]").is_visible():
            break
        page.keyboard.press(" ")
        page.keyboard.press("4")
    expect(page.locator("[data-practice-done]")).to_be_visible()
    page.get_by_role("button", name="Export progress").focus()
    axe_clean(page, "practice done")
    page.get_by_role("button", name="Reset progress").click()
    axe_clean(page, "reset confirmation")
