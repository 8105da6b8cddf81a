// Study progress storage: one localStorage entry per guide and site path (two guides on one origin
// never mix), holding marks, FSRS cards, the review log and settings. Every write replaces the whole
// entry at once, so an import or a grade is applied entirely or not at all. When storage throws
// (private mode, quota, disabled) progress lives in memory and one notice says so.
// Other scripts use window.studyStore; changes are announced as "studyguide:change" on document,
// and a card marked as learning/known also as "studyguide:marked" (detail: {id, state}).
(function () {
  "use strict";

  var FORMAT = 1;
  var APP = "studyguide-progress";
  var html = document.documentElement;
  var guide = html.getAttribute("data-guide") || "guide";
  var rootPath = new URL(html.getAttribute("data-root") || "./", location.href).pathname;
  var KEY = "studyguide:progress:" + guide + ":" + rootPath;
  var state = blank();
  var broken = false;

  function blank() {
    return { app: APP, format: FORMAT, guide: guide, marks: {}, cards: {}, log: [], settings: {} };
  }

  function notice() {
    if (broken) return;
    broken = true;
    var box = document.createElement("p");
    box.className = "study-notice";
    box.setAttribute("role", "alert");
    box.setAttribute("data-study-notice", "");
    box.textContent = "Your study progress cannot be saved in this browser (storage is blocked or full). " +
      "Reading works as usual; marks and reviews last only until you leave this page.";
    var main = document.getElementById("main") || document.body;
    main.insertBefore(box, main.firstChild);
  }

  function read() {
    try {
      var text = window.localStorage.getItem(KEY);
      if (text) {
        var data = JSON.parse(text);
        if (check(data) === "") state = data;
        // Never overwrite what we cannot read (a damaged entry, a newer format): set it aside.
        else window.localStorage.setItem(KEY + ":unreadable:" + Date.now(), text);
      }
    } catch (e) {
      notice();
    }
  }

  function write(next) {
    state = next;
    try {
      window.localStorage.setItem(KEY, JSON.stringify(next));
    } catch (e) {
      notice();
    }
    document.dispatchEvent(new CustomEvent("studyguide:change"));
  }

  function copy() {
    return JSON.parse(JSON.stringify(state));
  }

  // Why a parsed file is not our progress ("" when it is). Checked in full before anything is used.
  function check(data) {
    if (!data || typeof data !== "object" || data.app !== APP) return "This is not a studyguide progress file.";
    if (typeof data.format !== "number" || data.format > FORMAT) {
      return "This file was made by a newer version of studyguide (format " + data.format + "); update the site first.";
    }
    if (data.guide !== guide) return "This file holds progress for another guide (" + String(data.guide) + ").";
    var obj = function (v) { return v && typeof v === "object" && !Array.isArray(v); };
    if (!obj(data.marks) || !obj(data.cards) || !Array.isArray(data.log) || !obj(data.settings)) {
      return "This progress file is damaged (missing parts).";
    }
    for (var id in data.marks) {
      var m = data.marks[id];
      if (!obj(m) || (m.s !== "known" && m.s !== "learning") || typeof m.t !== "number") return "This progress file is damaged (mark " + id + ").";
    }
    for (id in data.cards) {
      var c = data.cards[id];
      if (!obj(c) || typeof c.due !== "number" || typeof c.state !== "number" || typeof c.stability !== "number") {
        return "This progress file is damaged (card " + id + ").";
      }
    }
    for (var i = 0; i < data.log.length; i++) {
      var r = data.log[i];
      if (!obj(r) || typeof r.id !== "string" || typeof r.review !== "number" || typeof r.rating !== "number") {
        return "This progress file is damaged (review " + (i + 1) + ").";
      }
    }
    return "";
  }

  // Import: newer wins per mark (by time marked) and per card (by last review); logs are united.
  function merge(data) {
    var next = copy();
    var counts = { marks: 0, cards: 0, reviews: 0 };
    Object.keys(data.marks).forEach(function (id) {
      var mine = next.marks[id];
      if (!mine || mine.t < data.marks[id].t) { next.marks[id] = data.marks[id]; counts.marks++; }
    });
    Object.keys(data.cards).forEach(function (id) {
      var mine = next.cards[id];
      if (!mine || (mine.last_review || 0) < (data.cards[id].last_review || 0)) { next.cards[id] = data.cards[id]; counts.cards++; }
    });
    var seen = {};
    next.log.forEach(function (r) { seen[r.id + "@" + r.review] = true; });
    data.log.forEach(function (r) {
      if (!seen[r.id + "@" + r.review]) { next.log.push(r); counts.reviews++; }
    });
    next.log.sort(function (a, b) { return a.review - b.review; });
    if ((data.settings.t || 0) > (next.settings.t || 0)) next.settings = data.settings;
    return { next: next, counts: counts };
  }

  function dayStart(time) {
    var d = new Date(time);
    d.setHours(0, 0, 0, 0);
    return d.getTime();
  }

  window.studyStore = {
    guide: guide,
    key: KEY,
    get: function () { return state; },
    broken: function () { return broken; },
    // Apply `change` to a copy of the state and save it whole.
    update: function (change) {
      var next = copy();
      change(next);
      write(next);
    },
    mark: function (id, value, hash) {
      this.update(function (s) {
        if (value) s.marks[id] = { s: value, h: hash, t: Date.now() };
        else delete s.marks[id];
      });
      document.dispatchEvent(new CustomEvent("studyguide:marked", { detail: { id: id, state: value || null } }));
    },
    exportText: function () {
      return JSON.stringify(Object.assign(copy(), { exported: new Date().toISOString() }), null, 1);
    },
    importText: function (text) {
      var data;
      try { data = JSON.parse(text); } catch (e) { return { ok: false, message: "This file is not valid JSON. Nothing was imported." }; }
      var problem = check(data);
      if (problem) return { ok: false, message: problem + " Nothing was imported." };
      var result = merge(data);
      write(result.next);
      var c = result.counts;
      return { ok: true, message: "Imported " + c.marks + " mark" + (c.marks === 1 ? "" : "s") + ", " + c.cards +
        " card schedule" + (c.cards === 1 ? "" : "s") + " and " + c.reviews + " review" + (c.reviews === 1 ? "" : "s") + "." };
    },
    reset: function () { write(blank()); },
    dayStart: dayStart,
    // Cards of `ids` due by the end of today, and new cards still allowed today.
    dueToday: function (ids, now) {
      var end = dayStart(now) + 864e5;
      return ids.filter(function (id) { var c = state.cards[id]; return c && c.due < end; }).length;
    },
    // Today's allowance of new cards. With an interview date ahead, the cards never seen are spread
    // evenly over the days left (today included); otherwise the "new per day" setting applies.
    plan: function (ids, now) {
      var settings = state.settings;
      var seen = this.newToday(now);
      var unseen = ids.filter(function (id) { return !state.cards[id]; }).length;
      var limit = typeof settings.newPerDay === "number" ? settings.newPerDay : 10;
      var days = 0;
      if (settings.interviewDate) {
        days = Math.round((new Date(settings.interviewDate + "T00:00:00").getTime() - dayStart(now)) / 864e5);
        if (days > 0) limit = Math.ceil((unseen + seen) / days);
      }
      return { limit: limit, left: Math.max(0, Math.min(limit - seen, unseen)), days: days, unseen: unseen };
    },
    newToday: function (now) {
      var start = dayStart(now);
      var ids = {};
      state.log.forEach(function (r) { if (r.review >= start && r.state === 0) ids[r.id] = true; });
      return Object.keys(ids).length;
    }
  };

  read();
  window.addEventListener("storage", function (event) {
    if (event.key !== KEY) return;
    read();
    document.dispatchEvent(new CustomEvent("studyguide:change"));
  });
})();
