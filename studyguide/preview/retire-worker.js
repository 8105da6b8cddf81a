// What `studyguide serve` answers for sw.js. The preview registers no service worker, but a built
// copy of the site may have been opened on this same address before (any static server on
// 127.0.0.1:8000), and its worker would go on answering with cached, stale pages. The browser
// checks for a new sw.js on navigation, gets this one, and it takes over at once, deletes the
// site's offline caches, unregisters itself and reloads the open tabs from the preview.
"use strict";

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  var prefix = "studyguide:" + new URL(self.registration.scope).pathname + ":";
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name.indexOf(prefix) === 0; })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () {
    return self.registration.unregister();
  }).then(function () {
    return self.clients.matchAll({ type: "window" });
  }).then(function (tabs) {
    tabs.forEach(function (tab) { tab.navigate(tab.url); });
  }));
});
