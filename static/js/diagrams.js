// Draws the page's Mermaid diagrams in the reader's browser: the `browser` renderer, and the
// fallback for diagrams the build could not draw (not cached, no renderer). Loaded only on pages
// with such a diagram; figures drawn at build time (.is-drawn) are left alone.
//
// Each diagram arrives as <figure class="diagram"><pre class="mermaid" data-diagram>source</pre>,
// which is what readers without JavaScript see. This script:
//  * loads the vendored Mermaid after the first frame is painted, so it never delays first paint;
//  * renders with mermaid.render() into a detached id (Mermaid measures text in its own temporary
//    node) and swaps the SVG in only when it is ready — no blank flicker on a theme change;
//  * draws a diagram inside a closed card when that card is first opened (and, later, in idle
//    time, so printing has them all);
//  * follows html[data-theme]: colours come from diagrams/theme.json's palette, and in the light
//    theme the guide's dark colours in `style`/`classDef` lines are mapped to light ones (same file);
//  * on a parse error keeps the source visible with a short error instead of a blank box.
// The <pre> stays in the DOM (hidden once drawn): it is the source for every re-render.
(function () {
  "use strict";

  var root = document.documentElement;
  var script = document.currentScript;
  var MIN_SCALE = 0.5; // below this, labels get unreadable: scroll sideways instead of shrinking
  // The palette and the light theme's colour mapping: diagrams/theme.json, the one definition that
  // the build-time renderers use too. Fetched alongside Mermaid.
  var THEME = null;

  function currentTheme() {
    return root.getAttribute("data-theme") === "light" ? "light" : "dark";
  }

  function adapt(source, theme) {
    if (theme !== "light") return source;
    return source.replace(/#[0-9a-fA-F]{6}\b/g, function (hex) {
      return THEME.light_colours[hex.toLowerCase()] || hex;
    });
  }

  function options(theme) {
    var vars = { fontFamily: THEME.mermaid.fontFamily };
    Object.keys(THEME.palette[theme]).forEach(function (k) { vars[k] = THEME.palette[theme][k]; });
    var config = { startOnLoad: false, securityLevel: "strict", suppressErrorRendering: true, themeVariables: vars };
    Object.keys(THEME.mermaid).forEach(function (k) { config[k] = THEME.mermaid[k]; });
    return config;
  }

  var items = Array.prototype.slice.call(document.querySelectorAll("figure.diagram:not(.is-drawn)")).map(function (figure) {
    var pre = figure.querySelector("pre[data-diagram]");
    if (!pre) return null;
    var caption = figure.querySelector("figcaption");
    figure.classList.add("is-pending");
    return {
      figure: figure, pre: pre, source: pre.textContent,
      label: caption ? caption.textContent.trim() : "Diagram",
      theme: null, // theme of the SVG currently shown
      wanted: false, // drawn once already (or asked for): follows theme changes from then on
      holder: null,
      width: 0, // natural width of the drawn SVG (px)
      zoomed: false, // shown at full size rather than fitted to the column
      zoom: null // the "Full size" button, created when the diagram is scaled down
    };
  }).filter(Boolean);
  if (!items.length) return;

  function closedCard(item) {
    var d = item.figure.closest("details");
    while (d && d.open) d = d.parentElement && d.parentElement.closest("details");
    return d;
  }

  // ---- Rendering: one at a time (Mermaid keeps global state), newest theme wins ------------
  var mermaid = null;
  var queue = Promise.resolve();
  var counter = 0;

  function schedule(item) {
    item.wanted = true;
    if (!mermaid) return; // drawn once Mermaid has loaded
    // The catch keeps the chain alive: one diagram's failure must not stop the others.
    queue = queue.then(function () { return draw(item); }).catch(function (error) { fail(item, error); });
  }

  function draw(item) {
    var theme = currentTheme();
    if (item.theme === theme) return null;
    var id = "sg-diagram-" + (++counter);
    mermaid.initialize(options(theme));
    return mermaid.render(id, adapt(item.source, theme)).then(function (result) {
      if (currentTheme() !== theme) return draw(item); // toggled meanwhile: draw again, swap once
      swap(item, result.svg, theme);
      return null;
    }, function (error) {
      cleanup(id);
      fail(item, error);
    });
  }

  function swap(item, svgText, theme) {
    if (!item.holder) {
      item.holder = document.createElement("div");
      item.holder.className = "diagram-render";
      item.pre.parentNode.insertBefore(item.holder, item.pre);
    }
    item.holder.innerHTML = svgText;
    item.theme = theme;
    var svg = item.holder.querySelector("svg");
    if (svg) {
      var box = (svg.getAttribute("viewBox") || "").split(/[\s,]+/).map(Number);
      item.width = Math.ceil(box.length === 4 && box[2] > 0 ? box[2] : svg.getBoundingClientRect().width);
      svg.removeAttribute("height");
      if (!svg.getAttribute("aria-labelledby")) svg.setAttribute("aria-label", item.label);
      size(item);
    }
    var error = item.figure.querySelector(".diagram-error");
    if (error) error.remove();
    item.figure.classList.remove("is-pending", "is-failed");
    item.figure.classList.add("is-rendered");
  }

  // Fit the column, but never shrink below MIN_SCALE: a wider diagram scrolls sideways. When it
  // does not show at full size, a "Full size" button switches to 100% (and back).
  function size(item) {
    var svg = item.holder && item.holder.querySelector("svg");
    if (!svg || !item.width) return;
    svg.style.width = item.zoomed ? item.width + "px" : "100%";
    svg.style.maxWidth = item.width + "px";
    svg.style.minWidth = Math.ceil(item.zoomed ? item.width : item.width * MIN_SCALE) + "px";
    markScrollable(item);
  }

  function markScrollable(item) {
    var h = item.holder;
    if (!h || !item.figure.offsetParent) return;
    if (h.scrollWidth > h.clientWidth + 1) {
      h.setAttribute("tabindex", "0");
      h.setAttribute("role", "group");
      h.setAttribute("aria-label", item.label + " (scrolls sideways)");
    } else {
      h.removeAttribute("tabindex");
      h.removeAttribute("role");
      h.removeAttribute("aria-label");
    }
    var scaled = item.width > h.clientWidth + 1;
    if (scaled && !item.zoom) {
      item.zoom = document.createElement("button");
      item.zoom.type = "button";
      item.zoom.className = "diagram-zoom";
      item.zoom.addEventListener("click", function () {
        item.zoomed = !item.zoomed;
        size(item);
      });
      item.figure.insertBefore(item.zoom, item.holder);
    }
    if (item.zoom) {
      item.zoom.hidden = !scaled && !item.zoomed;
      item.zoom.textContent = item.zoomed ? "Fit to width" : "Full size";
      item.zoom.setAttribute("aria-pressed", String(!!item.zoomed));
    }
  }

  function shortError(error) {
    var text = String((error && (error.message || error.str)) || error || "unknown error").trim();
    var lines = text.split("\n").map(function (l) { return l.trim(); }).filter(Boolean);
    var message = lines[0] || "unknown error";
    var last = lines[lines.length - 1];
    if (lines.length > 1 && /^Expecting|got/.test(last)) message += " " + last;
    return message.length > 200 ? message.slice(0, 197) + "…" : message;
  }

  function fail(item, error) {
    if (window.console) console.warn("studyguide: diagram not drawn:", error);
    item.theme = currentTheme();
    item.figure.classList.remove("is-pending");
    if (item.figure.classList.contains("is-rendered")) return; // keep the last good drawing
    item.figure.classList.add("is-failed");
    var note = item.figure.querySelector(".diagram-error") || document.createElement("p");
    note.className = "diagram-error";
    note.textContent = "This diagram could not be drawn (" + shortError(error) + "). Its source:";
    item.figure.insertBefore(note, item.pre);
  }

  function cleanup(id) {
    ["d" + id, "i" + id, id].forEach(function (leftover) {
      var el = document.getElementById(leftover);
      if (el) el.remove();
    });
  }

  // ---- What to draw, and when --------------------------------------------------------------
  function start() {
    mermaid = window.mermaid;
    if (!mermaid || typeof mermaid.render !== "function") return giveUp("Mermaid did not load");
    items.forEach(function (item) {
      var card = closedCard(item);
      if (!card) {
        schedule(item);
      } else {
        card.addEventListener("toggle", function onToggle() {
          if (!card.open) return;
          card.removeEventListener("toggle", onToggle);
          if (!item.wanted) schedule(item);
          else queue = queue.then(function () { size(item); });
        });
      }
    });
    // Later, in idle time, draw the rest too so that printing (every card opened) includes them.
    queue.then(function () {
      var idle = window.requestIdleCallback || function (fn) { return setTimeout(fn, 200); };
      setTimeout(function () {
        idle(function () { items.forEach(function (item) { if (!item.wanted) schedule(item); }); }, { timeout: 5000 });
      }, 1500);
    });
    // Follow theme changes (toggle or system), swapping each SVG when its new version is ready.
    new MutationObserver(function () {
      items.forEach(function (item) { if (item.wanted) schedule(item); });
    }).observe(root, { attributes: true, attributeFilter: ["data-theme"] });
    var resizeTimer = 0;
    window.addEventListener("resize", function () {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(function () { items.forEach(size); }, 200);
    });
  }

  function giveUp(reason) {
    items.forEach(function (item) { fail(item, reason); });
  }

  function load() {
    if (load.done) return;
    load.done = true;
    var base = (root.getAttribute("data-root") || "") + "assets/";
    var themed = fetch((script && script.getAttribute("data-theme-config")) || base + "diagrams/theme.json")
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      });
    var loaded = new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = (script && script.getAttribute("data-mermaid")) || base + "vendor/mermaid/mermaid.min.js";
      tag.async = true;
      tag.onload = resolve;
      tag.onerror = reject;
      document.head.appendChild(tag);
    });
    Promise.all([themed, loaded]).then(function (done) {
      THEME = done[0];
      start();
    }, function () { giveUp("the diagram renderer could not be loaded"); });
  }


  // After the first frame: Mermaid is large and must not hold up the page's first paint.
  requestAnimationFrame(function () { setTimeout(load, 0); });
  setTimeout(load, 1000); // rAF does not run in background tabs
})();
