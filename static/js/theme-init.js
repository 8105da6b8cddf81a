// Runs in <head> before first paint: apply the saved theme (or the system one) so the page never
// flashes in the wrong colours.
(function () {
  try {
    var saved = localStorage.getItem("studyguide-theme");
    if (saved === "dark" || saved === "light") document.documentElement.dataset.theme = saved;
  } catch (e) { /* storage blocked: follow prefers-color-scheme */ }
})();
