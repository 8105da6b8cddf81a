// Study marks on the cards of a domain or interview page: "Mark as learning" / "Mark as known"
// toggle buttons, a note on cards changed since they were marked, the "not yet known" filter and
// the keyboard shortcuts (L, K on the focused or last opened card; ? for help).
// The controls are data-js (shown only on a scripted page) and wired here; without JavaScript nothing changes.
(function () {
  "use strict";

  var store = window.studyStore;
  if (!store) return;
  var cards = Array.prototype.slice.call(document.querySelectorAll("details[data-study-hash]"));
  var filter = document.querySelector("[data-study-filter]");
  var help = document.querySelector("[data-study-help]");
  var live = document.createElement("p");
  live.className = "visually-hidden";
  live.setAttribute("role", "status");
  document.body.appendChild(live);
  var lastOpened = null;

  function titleOf(card) { return card.querySelector(".card-title").textContent.trim(); }

  function paint() {
    var marks = store.get().marks;
    var hidden = 0;
    cards.forEach(function (card) {
      var mark = marks[card.id];
      var value = mark ? mark.s : "";
      card.setAttribute("data-study", value);
      card.querySelectorAll("[data-study-mark]").forEach(function (button) {
        button.setAttribute("aria-pressed", String(button.getAttribute("data-study-mark") === value));
      });
      var badge = card.querySelector("[data-study-state]");
      badge.textContent = value === "known" ? "Known" : value === "learning" ? "Learning" : "";
      badge.hidden = !value;
      card.querySelector("[data-study-changed]").hidden = !mark || mark.h === card.getAttribute("data-study-hash");
      if (value === "known") hidden++;
    });
    if (filter) {
      var on = filter.querySelector("input").checked;
      document.body.classList.toggle("study-only-unknown", on);
      filter.querySelector("[data-study-filter-status]").textContent = on
        ? (cards.length - hidden) + " of " + cards.length + " shown" : "";
    }
  }

  function set(card, value) {
    var mark = store.get().marks[card.id];
    var next = mark && mark.s === value ? null : value; // pressing the active button again resets it
    store.mark(card.id, next, card.getAttribute("data-study-hash"));
    live.textContent = next ? "“" + titleOf(card) + "” marked as " + next : "Mark removed from “" + titleOf(card) + "”";
  }

  cards.forEach(function (card) {
    card.querySelectorAll("[data-study-mark]").forEach(function (button) {
      button.addEventListener("click", function () { set(card, button.getAttribute("data-study-mark")); });
    });
    card.querySelector("[data-study-keep]").addEventListener("click", function () {
      var mark = store.get().marks[card.id];
      if (mark) store.mark(card.id, mark.s, card.getAttribute("data-study-hash"));
    });
    card.addEventListener("toggle", function () { if (card.open) lastOpened = card; });
  });

  if (filter) {
    filter.querySelector("input").addEventListener("change", paint);
  }
  if (help) {
    document.querySelectorAll("[data-study-help-open]").forEach(function (button) {
      button.addEventListener("click", function () { help.showModal(); });
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (event.target.closest("input, select, textarea, [contenteditable]") || document.querySelector("dialog[open]")) return;
    if (event.key === "?" && help) {
      event.preventDefault();
      help.showModal();
      return;
    }
    var key = event.key.toLowerCase();
    if (key !== "k" && key !== "l") return;
    var card = event.target.closest && event.target.closest("details[data-study-hash]");
    if (!card && lastOpened && lastOpened.open) card = lastOpened;
    if (!card) return;
    event.preventDefault();
    set(card, key === "k" ? "known" : "learning");
  });

  document.addEventListener("studyguide:change", paint);
  paint();
})();
