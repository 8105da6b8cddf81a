// studyguide reading experience: theme toggle, menu drawer, cards (deep links, copy link,
// expand/collapse all, print), sidebar scroll-spy and the interview filters.
// Progressive enhancement only: every card is a <details> that works without this script, and the
// controls it drives are rendered `hidden` until it runs.
(function () {
  "use strict";

  var root = document.documentElement;
  var THEME_KEY = "studyguide-theme";

  function $all(selector, scope) {
    return Array.prototype.slice.call((scope || document).querySelectorAll(selector));
  }

  // ---- Toast: one polite live region for short confirmations -----------------------------------
  var toastEl = document.querySelector("[data-toast]");
  var toastTimer = 0;
  function toast(message) {
    if (!toastEl) return;
    toastEl.textContent = message;
    toastEl.classList.add("is-visible");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () {
      toastEl.classList.remove("is-visible");
      toastTimer = setTimeout(function () { toastEl.textContent = ""; }, 300);
    }, 2200);
  }

  // ---- Theme ---------------------------------------------------------------------------------------
  // theme-init.js already applied the theme; here the toggle overrides it and remembers the choice.
  // diagrams.js watches html[data-theme] and redraws, so it needs no event from here.
  function storedTheme() {
    try { return localStorage.getItem(THEME_KEY); } catch (e) { return null; }
  }
  function setTheme(theme, persist) {
    root.setAttribute("data-theme", theme);
    if (persist) {
      try { localStorage.setItem(THEME_KEY, theme); } catch (e) { /* not persisted; still applied */ }
    }
    $all("[data-theme-toggle]").forEach(function (button) {
      // The labels come from the page (studyguide.yml's language and labels), English as fallback.
      var light = button.getAttribute("data-label-light") || "Switch to light theme";
      var dark = button.getAttribute("data-label-dark") || "Switch to dark theme";
      button.setAttribute("aria-label", theme === "dark" ? light : dark);
      button.title = button.getAttribute("aria-label");
    });
  }
  setTheme(root.getAttribute("data-theme") === "light" ? "light" : "dark", false);
  $all("[data-theme-toggle]").forEach(function (button) {
    button.addEventListener("click", function () {
      setTheme(root.getAttribute("data-theme") === "dark" ? "light" : "dark", true);
    });
  });
  var systemLight = window.matchMedia("(prefers-color-scheme: light)");
  function followSystem() {
    if (!storedTheme()) setTheme(systemLight.matches ? "light" : "dark", false);
  }
  if (systemLight.addEventListener) systemLight.addEventListener("change", followSystem);

  // ---- Menu drawer (narrow screens) -----------------------------------------------------------
  var menu = document.querySelector("[data-menu-toggle]");
  var nav = document.getElementById("site-nav");
  if (menu && nav) {
    menu.setAttribute("role", "button");
    menu.setAttribute("aria-controls", "site-nav");
    menu.setAttribute("aria-expanded", "false");
    var setMenu = function (open, restoreFocus) {
      document.body.classList.toggle("nav-open", open);
      menu.setAttribute("aria-expanded", String(open));
      if (open) {
        var first = nav.querySelector("a[aria-current='page']") || nav.querySelector("a");
        if (first) first.focus();
      } else if (restoreFocus) {
        menu.focus();
      }
    };
    menu.addEventListener("click", function (event) {
      event.preventDefault();
      setMenu(!document.body.classList.contains("nav-open"), false);
    });
    menu.addEventListener("keydown", function (event) {
      if (event.key === " ") { event.preventDefault(); menu.click(); }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && document.body.classList.contains("nav-open")) setMenu(false, true);
    });
    document.addEventListener("click", function (event) {
      if (!document.body.classList.contains("nav-open")) return;
      if (nav.contains(event.target) ? event.target.closest("a") : !menu.contains(event.target)) setMenu(false, false);
    });
    // Tabbing out of the open drawer closes it: focus never goes behind the overlay.
    nav.addEventListener("focusout", function (event) {
      var next = event.relatedTarget;
      if (next && !nav.contains(next) && next !== menu && document.body.classList.contains("nav-open")) setMenu(false, false);
    });
  }

  // ---- Cards -------------------------------------------------------------------------------------
  var cards = $all("details[data-card]");

  function isShown(el) {
    return !el.closest("[hidden]");
  }

  $all("[data-card-tools]").forEach(function (tools) {
    tools.querySelector("[data-expand-all]").addEventListener("click", function () {
      cards.forEach(function (card) { if (isShown(card)) card.open = true; });
    });
    tools.querySelector("[data-collapse-all]").addEventListener("click", function () {
      cards.forEach(function (card) { card.open = false; });
    });
  });

  // Deep links: #card-id opens that card (and any card around the target) and scrolls to it.
  function openTarget() {
    var id;
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { id = location.hash.slice(1); } // "#100%": as typed
    var target = id && document.getElementById(id);
    if (!target) return;
    if (!isShown(target) && filters) filters.reset();
    for (var d = target.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) d.open = true;
    $all(".is-target").forEach(function (el) { el.classList.remove("is-target"); });
    if (target.matches("details[data-card]")) target.classList.add("is-target");
    target.scrollIntoView({ block: "start" });
  }
  window.addEventListener("hashchange", openTarget);

  // Copy link: the anchor works as a plain link without JavaScript; with it, the full URL goes to
  // the clipboard. The Clipboard API can be missing or refused (insecure origin, permissions), so
  // fall back to a hidden textarea, and at worst leave the link in the address bar.
  function legacyCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    area.remove();
    return ok;
  }
  function copyText(text) {
    try {
      if (navigator.clipboard && window.isSecureContext) {
        return navigator.clipboard.writeText(text).then(
          function () { return true; },
          function () { return legacyCopy(text); });
      }
    } catch (e) { /* fall through to the legacy path */ }
    return Promise.resolve(legacyCopy(text));
  }
  $all("[data-copy-link]").forEach(function (link) {
    var label = link.querySelector("[data-copy-label]");
    if (label) label.textContent = "Copy link";
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var hash = link.getAttribute("href");
      var url = location.href.split("#")[0] + hash;
      try { history.replaceState(history.state, "", hash); } catch (e) { /* still copy */ }
      copyText(url).then(function (ok) {
        toast(ok ? "Link copied" : "Link is in the address bar");
      }, function () { toast("Link is in the address bar"); });
    });
  });

  // Print buttons (the printable sheets): plain window.print(); data-js keeps them out of a page without scripts.
  $all("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // Print every card open; afterwards restore what the reader had open.
  var closedForPrint = [];
  window.addEventListener("beforeprint", function () {
    closedForPrint = cards.filter(function (card) { return !card.open; });
    closedForPrint.forEach(function (card) { card.open = true; });
  });
  window.addEventListener("afterprint", function () {
    closedForPrint.forEach(function (card) { card.open = false; });
    closedForPrint = [];
  });

  // Wide tables and code blocks that scroll sideways must be reachable by keyboard.
  function markScrollable(scope) {
    $all(".prose table, .prose pre:not(.mermaid)", scope).forEach(function (el) {
      if (el.scrollWidth > el.clientWidth + 1) el.setAttribute("tabindex", "0");
      else if (el.getAttribute("tabindex") === "0") el.removeAttribute("tabindex");
    });
  }
  cards.forEach(function (card) {
    card.addEventListener("toggle", function () { if (card.open) markScrollable(card); });
  });

  // ---- Interview filters ---------------------------------------------------------------------------
  // Badge and group filters without a reload, mirrored in the query string (?badge=…&group=…) so a
  // filtered view can be shared and is restored on load. They filter question cards and the
  // questions of the printable sheets alike (anything with data-badge and data-group), and links
  // marked data-keep-filters (interview ⇄ worksheet ⇄ answers) carry the current filter along.
  var filters = (function () {
    var form = document.querySelector("[data-filters]");
    if (!form) return null;
    var items = $all("[data-badge][data-group]");
    var keepLinks = $all("a[data-keep-filters]");
    var status = document.querySelector("[data-filter-status]");
    var empty = document.querySelector("[data-filter-empty]");
    var select = form.querySelector("select[name=group]");
    var radios = $all("input[name=badge]", form);
    var groups = $all("section[data-group]");
    var badges = radios.map(function (r) { return r.value; });
    var groupNames = $all("option", select).map(function (o) { return o.value; });

    function read() {
      var checked = radios.filter(function (r) { return r.checked; })[0];
      return { badge: checked ? checked.value : "", group: select.value };
    }
    function write(state) {
      radios.forEach(function (r) { r.checked = r.value === state.badge; });
      select.value = state.group;
    }
    function apply(state) {
      var shown = 0;
      items.forEach(function (item) {
        var ok = (!state.badge || item.getAttribute("data-badge") === state.badge) &&
          (!state.group || item.getAttribute("data-group") === state.group);
        item.hidden = !ok;
        if (ok) shown += 1;
      });
      groups.forEach(function (section) {
        section.hidden = !section.querySelector("[data-badge][data-group]:not([hidden])");
      });
      if (empty) empty.hidden = shown > 0;
      var text = shown === items.length ? "Showing all " + items.length + " questions"
        : "Showing " + shown + " of " + items.length + " questions";
      status.textContent = text;
    }
    function toUrl(state) {
      var params = new URLSearchParams(location.search);
      ["badge", "group"].forEach(function (key) {
        if (state[key]) params.set(key, state[key]); else params.delete(key);
      });
      var query = params.toString();
      keepLinks.forEach(function (link) {
        link.search = query ? "?" + query : "";
      });
      try {
        history.replaceState(history.state, "", location.pathname + (query ? "?" + query : "") + location.hash);
      } catch (e) { /* the filter still applies */ }
    }
    function fromUrl() {
      var params = new URLSearchParams(location.search);
      var badge = (params.get("badge") || "").toLowerCase();
      var group = (params.get("group") || "").toLowerCase();
      return { badge: badges.indexOf(badge) >= 0 ? badge : "", group: groupNames.indexOf(group) >= 0 ? group : "" };
    }
    function set(state) {
      write(state);
      apply(state);
      toUrl(state);
    }

    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("change", function () { set(read()); });
    $all("[data-filter-reset]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        set({ badge: "", group: "" });
      });
    });
    set(fromUrl());
    return { reset: function () { set({ badge: "", group: "" }); } };
  })();

  // ---- Sidebar scroll-spy --------------------------------------------------------------------------
  // Highlights the section (topic card or question group) at the top of the viewport.
  (function () {
    var list = document.querySelector("[data-spy]");
    if (!list) return;
    var links = $all("a[href^='#']", list);
    var targets = links.map(function (a) { return document.getElementById(a.getAttribute("href").slice(1)); });
    var scroller = list.closest(".sidebar");
    var active = null;
    var pending = false;

    function update() {
      pending = false;
      var offset = (parseFloat(getComputedStyle(root).scrollPaddingTop) || 0) + 8;
      var current = -1;
      for (var i = 0; i < targets.length; i++) {
        var t = targets[i];
        if (!t || !isShown(t)) continue;
        if (current < 0 || t.getBoundingClientRect().top <= offset) current = i;
        else break;
      }
      var link = current >= 0 ? links[current] : null;
      if (link === active) return;
      if (active) { active.classList.remove("is-active"); active.removeAttribute("aria-current"); }
      active = link;
      if (!link) return;
      link.classList.add("is-active");
      link.setAttribute("aria-current", "location");
      // Keep the highlighted entry visible inside the sidebar without moving the page.
      if (scroller && scroller.scrollHeight > scroller.clientHeight) {
        var box = scroller.getBoundingClientRect();
        var r = link.getBoundingClientRect();
        if (r.top < box.top || r.bottom > box.bottom) scroller.scrollTop += r.top - box.top - box.height / 3;
      }
    }
    function schedule() {
      if (!pending) { pending = true; requestAnimationFrame(update); }
    }
    window.addEventListener("scroll", schedule, { passive: true });
    window.addEventListener("resize", schedule);
    cards.forEach(function (card) { card.addEventListener("toggle", schedule); });
    update();
  })();

  // ---- Start -----------------------------------------------------------------------------------
  openTarget();
  markScrollable(document);
  var resizeTimer = 0;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { markScrollable(document); }, 200);
  });
})();
