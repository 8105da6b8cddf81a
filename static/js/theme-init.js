// Runs synchronously in <head>, before the stylesheet applies: picks the theme (the reader's saved
// choice, else the system preference) and marks the document as scripted, so the first paint is
// already right. Kept tiny and free of dependencies; site.js does everything else.
(function () {
  "use strict";
  var root = document.documentElement;
  var theme = null;
  try {
    theme = localStorage.getItem("studyguide-theme");
  } catch (e) { /* storage blocked (privacy mode, file://): fall back to the system preference */ }
  if (theme !== "dark" && theme !== "light") {
    theme = window.matchMedia && window.matchMedia("(prefers-color-scheme: light)").matches ? "light" : "dark";
  }
  root.setAttribute("data-theme", theme);
  root.classList.add("js");
})();
