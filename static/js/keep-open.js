// Keeps the cards a reader opened open when the page is reloaded: by the live preview after every
// save (`studyguide serve`), or by the reader. The open cards' ids are kept per page in
// sessionStorage (this tab only, gone when it closes); a fresh visit, from a link or the address
// bar, starts with every card closed as usual.
(function () {
  "use strict";

  var KEY = "studyguide-open:" + location.pathname;
  var cards = Array.prototype.slice.call(document.querySelectorAll("details[data-card][id]"));
  if (!cards.length) return;

  function reloaded() {
    var entries = window.performance && performance.getEntriesByType
      ? performance.getEntriesByType("navigation") : [];
    return entries.length > 0 && entries[0].type === "reload";
  }
  function save() {
    var open = cards.filter(function (card) { return card.open; }).map(function (card) { return card.id; });
    try {
      if (open.length) sessionStorage.setItem(KEY, JSON.stringify(open));
      else sessionStorage.removeItem(KEY);
    } catch (e) { /* storage disabled: cards simply start closed */ }
  }
  function restore() {
    var ids;
    try { ids = JSON.parse(sessionStorage.getItem(KEY) || "[]"); } catch (e) { ids = []; }
    if (!Array.isArray(ids)) return;
    ids.forEach(function (id) {
      var card = document.getElementById(String(id));
      if (card && card.matches("details[data-card]")) card.open = true;
    });
  }

  if (reloaded()) restore();
  else save(); // a new visit: forget what an earlier visit of this page had open
  cards.forEach(function (card) { card.addEventListener("toggle", save); });
  // The toggle event comes a task after the click: a reload right after it must still see it.
  window.addEventListener("pagehide", save);
})();
