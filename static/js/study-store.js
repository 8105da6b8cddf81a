// Study progress: one localStorage entry per guide and site path (marks, FSRS cards, review log,
// settings), always written whole, so an import or a grade applies entirely or not at all. If
// storage throws, progress lives in memory and the page's one notice is shown. API: studyStore;
// events on document: "studyguide:change", and "studyguide:marked" (detail {id, state}).
(function () {
  "use strict";

  var FORMAT = 1;
  var APP = "studyguide-progress";
  var html = document.documentElement;
  var guide = html.getAttribute("data-guide") || "guide";
  var rootPath = new URL(html.getAttribute("data-root") || "./", location.href).pathname;
  var KEY = "studyguide:progress:" + guide + ":" + rootPath;
  var state = blank();

  function blank() {
    return { app: APP, format: FORMAT, guide: guide, marks: {}, cards: {}, log: [], settings: {} };
  }

  function notice() {
    var box = document.querySelector("[data-study-notice]");
    if (box) box.hidden = false;
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
  function obj(v) { return v && typeof v === "object" && !Array.isArray(v); }
  function bad(items, numbers, extra) { // the first entry lacking a number field, or failing `extra`
    return Object.keys(items).filter(function (k) {
      var v = items[k];
      return !obj(v) || !extra(v) || numbers.some(function (f) { return typeof v[f] !== "number"; });
    })[0];
  }
  function check(data) {
    if (!obj(data) || data.app !== APP) return "This is not a studyguide progress file.";
    if (!(data.format <= FORMAT)) return "This file was made by a newer version of studyguide; update the site first.";
    if (data.guide !== guide) return "This file holds progress for another guide (" + data.guide + ").";
    if (!obj(data.marks) || !obj(data.cards) || !Array.isArray(data.log) || !obj(data.settings)) {
      return "This progress file is damaged (parts are missing).";
    }
    var problem = bad(data.marks, ["t"], function (m) { return m.s === "known" || m.s === "learning"; });
    if (problem === undefined) problem = bad(data.cards, ["due", "state", "stability"], Boolean);
    if (problem === undefined) problem = bad(data.log, ["review", "rating"], function (r) { return typeof r.id === "string"; });
    return problem === undefined ? "" : "This progress file is damaged (at " + problem + ").";
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
    get: function () { return state; },
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
      var n = function (count, word) { return count + " " + word + (count === 1 ? "" : "s"); };
      return { ok: true, message: "Imported " + n(c.marks, "mark") + ", " + n(c.cards, "card schedule") + " and " + n(c.reviews, "review") + "." };
    },
    reset: function () { write(blank()); },
    dayStart: dayStart,
    // Cards of `ids` due by the end of today.
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
