// studyguide's service worker: the whole guide, offline. studyguide/site/offline.py writes it to the
// site's root as sw.js, after a first line that defines BUILD = {version, files}: the content hash
// of the precached files and their URLs relative to this script. That line makes every build that
// changes any precached file a new worker, which is how browsers notice a deploy.
//
// * install: fetch every file of BUILD.files into a cache of this build (revalidated, never from
//   the HTTP cache, so a cache never mixes two deploys). A failed download fails the install and
//   the previous version stays in charge.
// * The new worker then waits: open pages keep the version they loaded until the reader accepts
//   "A new version is available — Reload" (offline.js sends SKIP_WAITING).
// * activate: delete this site's caches of other builds (only those of this scope: several guides
//   may share one origin, e.g. user.github.io/a/ and /b/), then control the open pages.
// * fetch: GET requests for precached URLs inside the scope are answered from the cache; anything
//   else (other origins, paths outside the scope, files not precached) is not touched at all.
// The worker never reads or writes localStorage or IndexedDB: study progress lives there, and
// updates leave it alone.
/* global BUILD */
"use strict";

var SCOPE = self.registration.scope;             // e.g. https://user.github.io/repo/
var PREFIX = "studyguide:" + new URL(SCOPE).pathname + ":";
var CACHE = PREFIX + BUILD.version;
var URLS = {};                                   // absolute URL without query → true
BUILD.files.forEach(function (path) { URLS[new URL(path, SCOPE).href] = true; });

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(Object.keys(URLS).map(function (url) {
      return fetch(new Request(url, { cache: "no-cache", credentials: "same-origin" })).then(function (response) {
        if (!response.ok) throw new Error("precache: " + url + " answered " + response.status);
        return cache.put(url, response);
      });
    }));
  }).catch(function (error) {
    // Leave no half-filled cache behind; the install fails and the browser tries again later.
    return caches.delete(CACHE).then(function () { throw error; });
  }));
});

self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "SKIP_WAITING") self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf(PREFIX) === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

// The cache key for a request: precached URLs are stored without their query (assets carry
// ?v=hash, Pagefind adds ?ts=…, the interview page keeps its filters in ?badge=…); folders are
// stored as "folder/", so ".../index.html" and ".../folder" find them too. null: not ours.
function cacheKey(request) {
  if (request.method !== "GET") return null;
  var url = new URL(request.url);
  url.search = "";
  url.hash = "";
  if (url.href.indexOf(SCOPE) !== 0) return null;
  if (URLS[url.href]) return url.href;
  if (/\/index\.html$/.test(url.pathname)) {
    var folder = url.href.replace(/index\.html$/, "");
    if (URLS[folder]) return folder;
  }
  return null;
}

// A folder asked for without its slash ("/repo/rag"): send the browser to "/repo/rag/", as a
// static host does, so relative links keep working offline.
function slashRedirect(request) {
  if (request.mode !== "navigate") return null;
  var url = new URL(request.url);
  if (/\/$|\.[a-z0-9]+$/i.test(url.pathname)) return null;
  url.pathname += "/";
  var target = url.href;
  url.search = "";
  url.hash = "";
  return URLS[url.href] ? target : null;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var key = cacheKey(request);
  if (key) {
    event.respondWith(caches.open(CACHE).then(function (cache) {
      return cache.match(key);
    }).then(function (cached) {
      return cached || fetch(request); // evicted by the browser: fall back to the network
    }));
    return;
  }
  var redirect = request.method === "GET" && slashRedirect(request);
  if (redirect) {
    event.respondWith(fetch(request).catch(function () { return Response.redirect(redirect, 301); }));
  }
  // Everything else goes to the network untouched (no respondWith).
});
