// The practice page: a queue of due cards from the chosen scope, scheduled with FSRS (ts-fsrs).
// Every card is rendered at build time into practice/cards.html (a page of its own, so this one
// paints at once on a phone); this fetches it once (precached offline) and shows one card at a time.
// Keys: Space shows the answer, 1–4 grade it, U takes back the last grade.
(function () {
  "use strict";

  var app = document.querySelector("[data-practice]");
  var store = window.studyStore;
  var F = window.FSRS;
  if (!app || !store || !F) return;
  var $ = function (s) { return app.querySelector(s); };
  var cards = []; // filled once cards.html has arrived
  var form = $("[data-practice-settings]");
  var grades = $("[data-practice-grades]");
  var undoButton = $("[data-practice-undo]");
  var done = $("[data-practice-done]");
  var AHEAD = 20 * 6e4; // learning steps due this soon are shown rather than waited for
  var current = null;
  var undo = [];
  var again = null; // the card an undo brought back

  function scopeCards() {
    var scope = form.scope.value;
    return cards.filter(function (c) { return scope === "all" || c.getAttribute("data-sets").split(" ").indexOf(scope) >= 0; });
  }
  function idOf(c) { return c.getAttribute("data-practice-card"); }

  function scheduler(now) {
    var plan = store.plan([], now);
    return F.fsrs(F.generatorParameters({ maximum_interval: plan.days > 0 ? plan.days : 36500 }));
  }
  function flat(obj) { // stored with times as numbers (ts-fsrs reads them back)
    var out = {};
    Object.keys(obj).forEach(function (k) { out[k] = obj[k] instanceof Date ? obj[k].getTime() : obj[k]; });
    return out;
  }

  function duration(ms) {
    var units = [[31536e6, "year"], [2592e6, "month"], [864e5, "day"], [36e5, "hour"], [6e4, "min"]];
    for (var i = 0; i < units.length; i++) {
      var n = ms / units[i][0];
      if (n >= 1 || i === units.length - 1) {
        n = Math.max(Math.round(n), 1);
        return n + " " + units[i][1] + (n > 1 && units[i][1] !== "min" ? "s" : "");
      }
    }
  }
  function dayName(time, now) {
    var days = Math.round((store.dayStart(time) - store.dayStart(now)) / 864e5);
    if (days <= 0) return "today at " + new Date(time).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    if (days === 1) return "tomorrow";
    return "on " + new Date(time).toLocaleDateString([], { weekday: "short", month: "short", day: "numeric" });
  }

  function pick(now) {
    var saved = store.get().cards;
    var inScope = scopeCards();
    var ids = cards.map(idOf);
    var plan = store.plan(ids, now);
    var due = inScope.filter(function (c) { var s = saved[idOf(c)]; return s && s.due <= now; });
    due.sort(function (a, b) { return saved[idOf(a)].due - saved[idOf(b)].due; });
    var fresh = plan.left > 0 ? inScope.filter(function (c) { return !saved[idOf(c)]; }) : [];
    var ahead = inScope.filter(function (c) { var s = saved[idOf(c)]; return s && s.due > now && s.due <= now + AHEAD; });
    var later = inScope.filter(function (c) { var s = saved[idOf(c)]; return s && s.due > now; })
      .map(function (c) { return saved[idOf(c)].due; }).sort(function (a, b) { return a - b; });
    return { card: (again && inScope.indexOf(again) >= 0 && again) || due[0] || fresh[0] || ahead[0] || null,
      due: due.length, plan: plan, later: later };
  }

  function show() {
    var now = Date.now();
    var next = pick(now);
    $("[data-practice-counts]").textContent = next.due + " due now · " + next.plan.left + " new left today (of " + next.plan.limit + ")";
    var planText = "";
    var date = store.get().settings.interviewDate;
    if (date && next.plan.days > 0) {
      planText = next.plan.limit + " new per day to finish by " +
        new Date(date + "T00:00:00").toLocaleDateString([], { month: "short", day: "numeric" }) + ".";
    } else if (date) {
      planText = "The interview date has passed; the daily limit applies.";
    }
    $("[data-practice-plan]").textContent = planText;
    if (current && current !== next.card) current.hidden = true;
    current = next.card;
    grades.hidden = true;
    done.hidden = !!current;
    if (!current) {
      var first = next.later[0];
      var text = "Nothing is scheduled yet in this scope.";
      if (first) {
        var day = store.dayStart(first);
        var n = next.later.filter(function (t) { return store.dayStart(t) === day; }).length;
        text = "Next review " + dayName(first, now) + ", " + n + " card" + (n === 1 ? "" : "s") + ".";
      }
      if (next.plan.unseen && !next.plan.left) text += " Today's new cards are done.";
      $("[data-practice-next]").textContent = text;
      done.querySelector("h2").textContent = first && store.dayStart(first) === store.dayStart(now) ? "Done for now" : "Done for today";
      return;
    }
    current.querySelector("[data-practice-answer]").open = false;
    current.hidden = false;
  }

  function reveal() {
    if (!current || !grades.hidden) return;
    var answer = current.querySelector("[data-practice-answer]");
    answer.open = true;
    var now = new Date();
    var saved = store.get().cards[idOf(current)];
    var preview = scheduler(now).repeat(saved || F.createEmptyCard(now), now);
    grades.querySelectorAll("[data-grade]").forEach(function (button) {
      var g = Number(button.getAttribute("data-grade"));
      button.querySelector("[data-interval]").textContent = duration(preview[g].card.due - now);
    });
    grades.hidden = false;
    current.querySelector("[data-practice-back]").focus();
  }

  function grade(g) {
    if (!current || grades.hidden) return;
    var id = idOf(current);
    var now = new Date();
    var before = store.get().cards[id];
    var item = scheduler(now).next(before || F.createEmptyCard(now), now, g);
    var log = Object.assign(flat(item.log), { id: id });
    store.update(function (s) {
      s.cards[id] = flat(item.card);
      s.log.push(log);
    });
    undo.push({ id: id, before: before, review: log.review, card: current });
    again = null;
    undoButton.disabled = false;
    show();
    focusStage();
  }

  function takeBack() {
    var last = undo.pop();
    if (!last) return;
    store.update(function (s) {
      if (last.before) s.cards[last.id] = last.before; else delete s.cards[last.id];
      s.log = s.log.filter(function (r) { return !(r.id === last.id && r.review === last.review); });
    });
    again = last.card;
    undoButton.disabled = !undo.length;
    show();
    focusStage();
  }

  function focusStage() {
    (current ? current.querySelector("[data-practice-front]") : done).focus();
  }

  function settings() {
    var limit = parseInt(form.limit.value, 10);
    store.update(function (s) {
      s.settings = { scope: form.scope.value, newPerDay: isNaN(limit) || limit < 0 ? 10 : limit,
        interviewDate: form.date.value || null, t: Date.now() };
    });
    again = null;
    show();
  }

  var saved = store.get().settings;
  if (saved.scope && form.querySelector("option[value='" + saved.scope + "']")) form.scope.value = saved.scope;
  if (typeof saved.newPerDay === "number") form.limit.value = saved.newPerDay;
  if (saved.interviewDate) form.date.value = saved.interviewDate;
  form.addEventListener("submit", function (e) { e.preventDefault(); });

  function start(list) {
    cards = list;
    form.addEventListener("change", settings);
    cards.forEach(function (c) {
      c.querySelector("[data-practice-answer]").addEventListener("toggle", function (e) {
        if (e.target.open) reveal();
      });
    });
    grades.querySelectorAll("[data-grade]").forEach(function (button) {
      button.addEventListener("click", function () { grade(Number(button.getAttribute("data-grade"))); });
    });
    undoButton.addEventListener("click", takeBack);
    document.addEventListener("keydown", function (e) {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      if (e.target.closest("input, select, textarea, dialog") || document.querySelector("dialog[open]")) return;
      if (e.key === " " && !e.target.closest("button, summary, a") && current && grades.hidden) {
        e.preventDefault();
        reveal();
      } else if (/^[1-4]$/.test(e.key)) {
        grade(Number(e.key));
      } else if (e.key.toLowerCase() === "u") {
        takeBack();
      }
    });
    document.addEventListener("studyguide:change", function () { if (!current || grades.hidden) show(); });
    show();
    performance.mark("studyguide:practice-ready"); // benchmarks/practice_bench.py reads it
  }

  // The cards, with their answers exactly as on their own pages; links in them are relative to
  // practice/, like cards.html's own, so they work unchanged here.
  var stage = $("[data-practice-stage]");
  fetch(stage.getAttribute("data-cards")).then(function (response) {
    if (!response.ok) throw new Error("HTTP " + response.status);
    return response.text();
  }).then(function (html) {
    // Parsed a few cards per task, so that a phone's main thread is never blocked for long
    // (Lighthouse's total blocking time) while a hundred cards arrive: the page is cut where
    // practice-cards.html starts each card (content is escaped, so only the template writes this).
    var marker = '<article class="practice-card';
    var parts = html.split(marker);
    var page = new DOMParser().parseFromString(parts.shift(), "text/html"); // head: the scripts
    if (parts.length) {
      var tail = parts[parts.length - 1];
      parts[parts.length - 1] = tail.slice(0, tail.lastIndexOf("</article>") + "</article>".length);
    }
    var list = [];
    var template = document.createElement("template");
    return new Promise(function (resolve) {
      (function batch() {
        template.innerHTML = parts.length ? marker + parts.splice(0, 16).join(marker) : "";
        Array.from(template.content.children).forEach(function (card) {
          if (!card.hasAttribute("data-practice-card")) return;
          card.hidden = true;
          stage.insertBefore(document.adoptNode(card), done);
          list.push(card);
        });
        if (parts.length) setTimeout(batch, 0); else resolve();
      })();
    }).then(function () {
      // Diagrams in the answers: the scripts cards.html loads for them, run now that they are here.
      page.querySelectorAll("script[src*='js/diagrams.js'], script[src*='js/diagram-zoom.js']").forEach(function (old) {
        var script = document.createElement("script");
        Array.from(old.attributes).forEach(function (a) { script.setAttribute(a.name, a.value); });
        document.head.appendChild(script);
      });
      return list;
    });
  }).then(start, function (error) {
    $("[data-practice-counts]").textContent = "The cards could not be loaded (" + error.message +
      "). Reload the page to try again; every card can also be read on its own page.";
  });
})();
