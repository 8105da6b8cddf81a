// Offline reading: registers the site's service worker (sw.js at the site's root) and offers a new
// version when one has been downloaded. Progressive enhancement: without service workers (or
// JavaScript) the site is an ordinary website.
//
// * Registration waits for the load event, so the worker and its downloads never compete with the
//   first page view.
// * A new deploy installs in the background; the prompt "A new version is available — Reload" then
//   appears and the page switches over only when the reader asks (a page never changes under them).
// * When the reader first marks a card (studyguide:marked, sent by the progress script), ask the
//   browser to keep this site's storage, so progress is not evicted when space runs low.
(function () {
  "use strict";

  var script = document.currentScript;
  var worker = script && script.getAttribute("data-sw");
  if (!worker || !("serviceWorker" in navigator)) return;
  var scope = new URL(document.documentElement.getAttribute("data-root") || "./", location.href).href;
  var prompt = document.querySelector("[data-update-prompt]");
  var reloading = false;

  function offer(waiting) {
    if (!prompt || !navigator.serviceWorker.controller) return; // first install: nothing to replace
    prompt.hidden = false;
    var button = prompt.querySelector("[data-update-reload]");
    button.onclick = function () {
      reloading = true;
      button.disabled = true;
      waiting.postMessage({ type: "SKIP_WAITING" });
    };
  }

  navigator.serviceWorker.addEventListener("controllerchange", function () {
    if (reloading) location.reload(); // only after the reader chose Reload, never on first install
  });

  function track(installing) {
    if (!installing) return;
    installing.addEventListener("statechange", function () {
      if (installing.state === "installed") offer(installing);
    });
  }

  function watch(registration) {
    if (!registration) return; // a browser that blocks workers may resolve with nothing
    if (registration.waiting) offer(registration.waiting);
    // The browser checks for a new worker on every navigation, before this script registers: a
    // download may already be under way, and its updatefound event already past.
    track(registration.installing);
    registration.addEventListener("updatefound", function () { track(registration.installing); });
  }

  function register() {
    navigator.serviceWorker.register(new URL(worker, location.href).href, { scope: scope, updateViaCache: "none" })
      .then(watch, function (error) {
        // Private windows and some browsers refuse: the site keeps working online.
        if (window.console) console.warn("studyguide: offline reading is unavailable:", error);
      });
  }

  if (document.readyState === "complete") register();
  else window.addEventListener("load", register, { once: true });

  document.addEventListener("studyguide:marked", function () {
    if (navigator.storage && navigator.storage.persist) {
      navigator.storage.persisted().then(function (persisted) {
        if (!persisted) return navigator.storage.persist();
      }).catch(function () { /* the browser decides; progress still saves */ });
    }
  }, { once: true });
})();
