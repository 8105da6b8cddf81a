// Search box: an accessible combobox over Pagefind's JS API (the index is written by
// studyguide/search.py into <site>/pagefind/). Pagefind's own UI is not used, so results match the
// theme and follow the ARIA combobox pattern: focus stays in the input, arrow keys move
// aria-activedescendant over the options, Enter opens the active result.
//
// Choosing a result lands on the card: the page opens it, scrolls to it and briefly highlights it.
// On the same page that happens at once; on another page the card id is handed over in
// sessionStorage (REVEAL_KEY) and revealed once that page has loaded. Revealing opens the <details>
// itself, so it does not depend on the theme's hash handling (which opens #id cards too; both are
// idempotent).
(function () {
  "use strict";

  var MAX_RESULTS = 20;      // results rendered (each one costs a fragment fetch)
  var DEBOUNCE_MS = 120;     // typing pause before a query runs
  var HIGHLIGHT_MS = 2400;   // how long a revealed card stays highlighted
  var REVEAL_KEY = "studyguide:search-reveal";

  var root = document.documentElement.dataset.root || "";
  var box = document.querySelector("[data-search]");

  // --- Landing on a card ------------------------------------------------------------------------

  function reveal(id) {
    var card = id && document.getElementById(id);
    if (!card) return;
    if (card.tagName === "DETAILS") card.open = true;
    card.scrollIntoView({ block: "start" });
    card.classList.remove("search-target");
    void card.offsetWidth; // restart the highlight animation when the same card is chosen again
    card.classList.add("search-target");
    window.setTimeout(function () { card.classList.remove("search-target"); }, HIGHLIGHT_MS);
    // Keyboard users continue from the card, not from the search box. After a page load this
    // waits for the load event: the browser's own fragment scroll clears focus when it runs.
    var focus = function () {
      var summary = card.querySelector("summary");
      (summary || card).focus({ preventScroll: true });
    };
    if (document.readyState === "complete") focus();
    else window.addEventListener("load", function () { window.setTimeout(focus, 0); }, { once: true });
  }

  function takePendingReveal() {
    var id = null;
    try {
      id = sessionStorage.getItem(REVEAL_KEY);
      sessionStorage.removeItem(REVEAL_KEY);
    } catch (e) { /* storage disabled: the theme still opens #id */ }
    return id;
  }

  // A hash as an id. A malformed escape ("#100%") is not an error: it is kept as typed.
  function idFromHash(hash) {
    try { return decodeURIComponent(hash.slice(1)); } catch (e) { return hash.slice(1); }
  }

  function revealFromHash() {
    var pending = takePendingReveal();
    var id = idFromHash(location.hash);
    if (pending && pending === id) reveal(id);
  }

  function go(url) {
    var target = new URL(url, location.href);
    var id = idFromHash(target.hash);
    var samePage = target.pathname === location.pathname && target.search === location.search;
    if (samePage && !id) return;
    try { if (id) sessionStorage.setItem(REVEAL_KEY, id); } catch (e) { /* see above */ }
    if (!samePage) { location.href = target.href; return; }
    // Same page: always go through a hash change, so the theme's deep-link handling (which also
    // clears interview filters that would hide the card) runs, even for the current hash.
    if (target.hash === location.hash) history.replaceState(history.state, "", location.pathname + location.search);
    location.hash = target.hash; // fires hashchange → revealFromHash
  }

  window.addEventListener("hashchange", revealFromHash);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", revealFromHash);
  else revealFromHash();

  if (!box) return;

  // --- The box ---------------------------------------------------------------------------------

  var input = box.querySelector("[data-search-input]");
  var panel = box.querySelector("[data-search-panel]");
  var statusEl = box.querySelector("[data-search-status]");
  var listbox = box.querySelector("[data-search-results]");
  var filterEls = Array.prototype.slice.call(box.querySelectorAll("[data-search-filter]"));
  var options = [];   // rendered result elements
  var active = -1;    // index into options, -1 = none
  var pagefind = null;
  var loading = null;
  var generation = 0; // bumps with every query: late answers to older queries are dropped
  var shown = { key: null, generation: -1 }; // the results on screen: reopening reuses them
  var offMessage = null;

  if (box.hasAttribute("data-search-off")) {
    offMessage = statusEl.textContent; // rendered by the template
  } else if (location.protocol === "file:") {
    // Browsers refuse to load the index (fetch + WebAssembly) from file:// pages.
    offMessage = "Search needs the site to be served over http: run “studyguide serve” " +
                 "(or any static web server) and open it from there.";
    input.placeholder = "Search needs a web server";
    statusEl.textContent = offMessage;
  }
  input.disabled = false;
  if (offMessage) input.readOnly = true;

  // The "/" shortcut only means something with a keyboard: name it where the main pointer is a
  // mouse or trackpad, not on touch screens (and follow a tablet that gets a keyboard attached).
  if (!offMessage && window.matchMedia) {
    var keyboard = window.matchMedia("(hover: hover) and (pointer: fine)");
    var touchText = input.placeholder; // the template's label without the shortcut
    var keyboardText = input.getAttribute("data-placeholder-keyboard") || touchText;
    var hint = function () { input.placeholder = keyboard.matches ? keyboardText : touchText; };
    hint();
    if (keyboard.addEventListener) keyboard.addEventListener("change", hint);
  }

  function loadPagefind() {
    if (!loading) {
      var bundle = new URL(root + "pagefind/pagefind.js", location.href).href;
      loading = import(bundle).then(function (module) {
        // Result URLs are stored site-absolute ("/rag/#hyde"); prefix the site's real base path
        // so the links work under a sub-path (GitHub project pages) as well.
        var base = new URL(root || "./", location.href).pathname;
        return Promise.resolve(module.options({ baseUrl: base, excerptLength: 22 })).then(function () {
          module.init();
          pagefind = module;
          return module;
        });
      });
      loading.catch(function () {
        clearResults();
        setStatus("Search could not be loaded. Reload the page to try again.");
        loading = null;
      });
    }
    return loading;
  }

  function setStatus(text) { statusEl.textContent = text; }

  function isOpen() { return !panel.hidden; }

  function open() {
    panel.hidden = false;
    input.setAttribute("aria-expanded", listbox.hidden ? "false" : "true");
  }

  function close() {
    panel.hidden = true;
    input.setAttribute("aria-expanded", "false");
    setActive(-1);
  }

  function currentFilters() {
    var filters = {};
    filterEls.forEach(function (el) {
      if (!el.value) return;
      if (el.dataset.searchFilter === "place") {
        var at = el.value.indexOf(":");       // "domain:RAG" or "group:RAG"
        filters[el.value.slice(0, at)] = el.value.slice(at + 1);
      } else {
        filters[el.dataset.searchFilter] = el.value;
      }
    });
    return filters;
  }

  function hasFilters() { return Object.keys(currentFilters()).length > 0; }

  // --- Rendering ---------------------------------------------------------------------------------

  // Pagefind excerpts are HTML: the record text with "<" and ">" escaped and matches wrapped in
  // <mark>. Parse it in an inert document and copy over only text and <mark>, so that nothing
  // from the content can become markup or script here, whatever the excerpt contains.
  function appendExcerpt(parent, html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    (function copy(from, to) {
      Array.prototype.forEach.call(from.childNodes, function (node) {
        if (node.nodeType === Node.TEXT_NODE) {
          to.appendChild(document.createTextNode(node.nodeValue));
        } else if (node.nodeType === Node.ELEMENT_NODE) {
          if (node.tagName === "MARK") {
            var mark = document.createElement("mark");
            mark.textContent = node.textContent;
            to.appendChild(mark);
          } else {
            copy(node, to);
          }
        }
      });
    })(doc.body, parent);
  }

  function span(className, text) {
    var el = document.createElement("span");
    el.className = className;
    if (text) el.textContent = text;
    return el;
  }

  function renderOption(data, index) {
    var meta = data.meta || {};
    var option = document.createElement("a");
    option.id = "search-option-" + index;
    option.className = "search-result";
    option.href = data.url;
    option.tabIndex = -1;
    option.setAttribute("role", "option");
    option.setAttribute("aria-selected", "false");
    option.dataset.kind = meta.kind || "";

    var title = span("search-result-title");
    if (meta.qid) {
      title.appendChild(span("question-id", meta.qid)); // the theme's id chip
      title.appendChild(document.createTextNode(" "));
    }
    title.appendChild(document.createTextNode(meta.title || data.url));
    option.appendChild(title);

    var where = span("search-result-where", meta.where || "");
    if (meta.badge) {
      where.appendChild(document.createTextNode(" "));
      where.appendChild(span("badge badge-" + meta.badge.toLowerCase(), meta.badge)); // the theme's badge
    }
    option.appendChild(where);

    var excerpt = span("search-result-excerpt");
    appendExcerpt(excerpt, data.excerpt || "");
    option.appendChild(excerpt);

    option.addEventListener("click", function (event) {
      // Let the browser handle new-tab/new-window clicks; a plain click lands on the card.
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      choose(index);
    });
    option.addEventListener("mousemove", function () { if (active !== index) setActive(index); });
    return option;
  }

  function render(results, total, query, key) {
    shown = { key: key, generation: generation };
    listbox.textContent = "";
    options = results.map(renderOption);
    options.forEach(function (option) { listbox.appendChild(option); });
    listbox.hidden = options.length === 0;
    active = -1;
    input.removeAttribute("aria-activedescendant");
    var what = query ? " for “" + query + "”" : "";
    if (!total) setStatus("No results" + what + ".");
    else if (total > results.length) setStatus(total + " results" + what + ", showing the first " + results.length + ".");
    else setStatus(total + (total === 1 ? " result" : " results") + what + ".");
    open();
  }

  function clearResults() {
    listbox.textContent = "";
    listbox.hidden = true;
    options = [];
    shown = { key: null, generation: -1 };
    setActive(-1);
    input.setAttribute("aria-expanded", "false");
  }

  function setActive(index) {
    if (active >= 0 && options[active]) {
      options[active].setAttribute("aria-selected", "false");
      options[active].classList.remove("is-active");
    }
    active = index;
    if (index >= 0 && options[index]) {
      options[index].setAttribute("aria-selected", "true");
      options[index].classList.add("is-active");
      options[index].scrollIntoView({ block: "nearest" });
      input.setAttribute("aria-activedescendant", options[index].id);
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function choose(index) {
    var option = options[index];
    if (!option) return;
    close();
    go(option.getAttribute("href"));
  }

  // --- Querying ----------------------------------------------------------------------------------

  function runQuery(immediate) {
    if (offMessage) { setStatus(offMessage); open(); return; }
    var query = input.value.trim();
    var filters = currentFilters();
    var key = JSON.stringify([query, filters]);
    // Same query and filters as on screen, and nothing newer in flight: just show them again.
    if (key === shown.key && shown.generation === generation) { open(); return; }
    var mine = ++generation;
    if (!query && !hasFilters()) {
      clearResults();
      setStatus("Type to search topics and questions.");
      open();
      return;
    }
    setStatus("Searching…");
    open();
    loadPagefind().then(function (pf) {
      if (mine !== generation) return null;
      // An empty query with filters lists everything that matches them (e.g. every Critical question).
      return query
        ? (immediate ? pf.search(query, { filters: filters }) : pf.debouncedSearch(query, { filters: filters }, DEBOUNCE_MS))
        : pf.search(null, { filters: filters });
    }).then(function (search) {
      if (!search || mine !== generation) return null; // a newer query superseded this one
      var slice = search.results.slice(0, MAX_RESULTS);
      return Promise.all(slice.map(function (r) { return r.data(); })).then(function (data) {
        if (mine === generation) render(data, search.results.length, query, key);
      });
    }).catch(function (error) {
      if (mine !== generation) return;
      clearResults(); // results of an earlier query must not stand under the error
      setStatus("Search failed: " + (error && error.message ? error.message : error));
    });
  }

  input.addEventListener("input", function () { runQuery(false); });
  input.addEventListener("focus", function () {
    if (offMessage) { setStatus(offMessage); open(); return; }
    loadPagefind(); // warm up while the user types
    if (input.value.trim() || hasFilters()) runQuery(true);
    else { setStatus("Type to search topics and questions."); open(); }
  });
  filterEls.forEach(function (el) { el.addEventListener("change", function () { runQuery(true); }); });

  input.addEventListener("keydown", function (event) {
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        if (!isOpen()) { runQuery(true); return; }
        if (options.length) setActive(active + 1 < options.length ? active + 1 : 0);
        break;
      case "ArrowUp":
        event.preventDefault();
        if (options.length) setActive(active > 0 ? active - 1 : options.length - 1);
        break;
      case "Enter":
        if (!options.length) return;
        event.preventDefault();
        choose(active >= 0 ? active : 0); // Enter right after typing takes the best match
        break;
      case "Escape":
        if (isOpen()) { event.preventDefault(); close(); }
        // a second Escape lets the browser clear the field (type="search")
        break;
    }
  });

  // Close when focus or a click leaves the search box (the filters inside it keep it open).
  box.addEventListener("focusout", function (event) {
    if (!box.contains(event.relatedTarget)) close();
  });
  document.addEventListener("pointerdown", function (event) {
    if (isOpen() && !box.contains(event.target)) close();
  });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { close(); input.focus(); }
  });

  // "/" (outside text fields) and Ctrl-K / Cmd-K focus the box from anywhere.
  document.addEventListener("keydown", function (event) {
    var el = event.target;
    var typing = el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
    var slash = event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey;
    var ctrlK = (event.ctrlKey || event.metaKey) && !event.altKey && (event.key === "k" || event.key === "K");
    if (slash || ctrlK) {
      event.preventDefault();
      input.focus();
      input.select();
    }
  });
})();
