// Open cards in the address and the history.
//
// * When the reader opens a card (a click on its summary, or Enter/Space on it), its #id goes into
//   the address with history.replaceState: no scroll jump and no extra history entry, but a copied
//   URL opens that card and Back from another page comes back to it. Closing that card takes the
//   #id out again, so the address never names a closed card.
// * The ids of every open card are kept in history.state (replaceState keeps what other scripts
//   stored there), so Back/Forward restore the cards exactly as the reader left them.
// Cards opened by scripts (Expand all, deep links, search, print) change the list but never the
// address. site.js opens the card named by the hash on load; this script runs after it.
(function () {
  "use strict";

  var KEY = "studyguideOpenCards";
  var cards = Array.prototype.slice.call(document.querySelectorAll("details[data-card][id]"));
  if (!cards.length || !window.history || !history.replaceState) return;

  function openIds() {
    return cards.filter(function (card) { return card.open; }).map(function (card) { return card.id; });
  }

  function write(url) {
    var state = {};
    var old = history.state;
    if (old && typeof old === "object") for (var k in old) state[k] = old[k];
    state[KEY] = openIds();
    try { history.replaceState(state, "", url); } catch (e) { /* throttled or refused: cosmetic */ }
  }

  // Expand all fires one toggle per card: record the list once, after the burst.
  var timer = 0;
  function recordSoon() {
    clearTimeout(timer);
    timer = setTimeout(function () { write(location.href); }, 50);
  }

  var here = function () { return location.pathname + location.search; };
  cards.forEach(function (card) {
    var summary = card.querySelector(":scope > summary");
    if (summary) {
      // Runs before the browser toggles the card: `open` is still the old state.
      summary.addEventListener("click", function () {
        if (!card.open) write(here() + "#" + encodeURIComponent(card.id));
        else if (decodeURIComponent(location.hash.slice(1)) === card.id) write(here());
      });
    }
    card.addEventListener("toggle", recordSoon);
  });

  function restore(state) {
    var ids = state && state[KEY];
    if (!Array.isArray(ids)) return false;
    cards.forEach(function (card) { card.open = ids.indexOf(card.id) >= 0; });
    return true;
  }

  // Back/Forward between entries of this page (e.g. sidebar #links).
  window.addEventListener("popstate", function (event) { restore(event.state); });

  // A page loaded again by Back/Forward (without the back-forward cache) gets the open cards it had;
  // site.js has scrolled to the card in the address, as for a link. (A reload is keep-open.js's.)
  var nav = performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
  if (nav && nav.type === "back_forward") restore(history.state);
})();
