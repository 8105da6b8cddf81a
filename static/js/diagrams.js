// Draws the page's Mermaid diagrams. Loaded only on pages that have one (base.html, has_diagrams).
//
// Each diagram arrives as <figure class="diagram"><pre class="mermaid" data-diagram>source</pre>,
// which is what readers without JavaScript see. This script:
//  * loads the vendored Mermaid after the first frame is painted, so it never delays first paint;
//  * renders with mermaid.render() into a detached id (Mermaid measures text in its own temporary
//    node) and swaps the SVG in only when it is ready — no blank flicker on a theme change;
//  * draws a diagram inside a closed card when that card is first opened (and, later, in idle
//    time, so printing has them all);
//  * follows html[data-theme]: colours come from the palette, and in the light theme the original
//    dark palette colours in `style`/`classDef` lines are mapped to their light counterparts;
//  * on a parse error keeps the source visible with a short error instead of a blank box.
// The <pre> stays in the DOM (hidden once drawn): it is the source for every re-render.
(function () {
  "use strict";

  var root = document.documentElement;
  var script = document.currentScript;
  var FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "Liberation Sans", Arial, sans-serif';
  var MIN_SCALE = 0.5; // below this, labels get unreadable: scroll sideways instead of shrinking

  var PALETTE = {
    dark: {
      darkMode: true, background: "#1a1b27", fontFamily: FONT, fontSize: "15px",
      primaryColor: "#2d2b55", primaryBorderColor: "#6c63ff", primaryTextColor: "#e2e4eb",
      secondaryColor: "#1e3a5f", secondaryBorderColor: "#4dc9f6", secondaryTextColor: "#e2e4eb",
      tertiaryColor: "#1a3330", tertiaryBorderColor: "#00d4aa", tertiaryTextColor: "#e2e4eb",
      mainBkg: "#2d2b55", nodeBorder: "#6c63ff", nodeTextColor: "#e2e4eb", textColor: "#e2e4eb",
      titleColor: "#e2e4eb", lineColor: "#9a9eb2", edgeLabelBackground: "#1a1b27",
      clusterBkg: "#15161f", clusterBorder: "#3a3d57",
      noteBkgColor: "#3a2e10", noteBorderColor: "#ffa64d", noteTextColor: "#e2e4eb",
      actorBkg: "#2d2b55", actorBorder: "#6c63ff", actorTextColor: "#e2e4eb", actorLineColor: "#9a9eb2",
      signalColor: "#c9ccd8", signalTextColor: "#e2e4eb", labelBoxBkgColor: "#2d2b55",
      labelBoxBorderColor: "#6c63ff", labelTextColor: "#e2e4eb", loopTextColor: "#e2e4eb",
      activationBkgColor: "#1e3a5f", activationBorderColor: "#4dc9f6", sequenceNumberColor: "#11121a"
    },
    light: {
      darkMode: false, background: "#ffffff", fontFamily: FONT, fontSize: "15px",
      primaryColor: "#ecebff", primaryBorderColor: "#6c63ff", primaryTextColor: "#1b1d2a",
      secondaryColor: "#e1f3fb", secondaryBorderColor: "#1592c7", secondaryTextColor: "#1b1d2a",
      tertiaryColor: "#dcf5ee", tertiaryBorderColor: "#00a888", tertiaryTextColor: "#1b1d2a",
      mainBkg: "#ecebff", nodeBorder: "#6c63ff", nodeTextColor: "#1b1d2a", textColor: "#1b1d2a",
      titleColor: "#1b1d2a", lineColor: "#575c70", edgeLabelBackground: "#ffffff",
      clusterBkg: "#f6f6fa", clusterBorder: "#c9cbd9",
      noteBkgColor: "#fff0dc", noteBorderColor: "#e08a1e", noteTextColor: "#1b1d2a",
      actorBkg: "#ecebff", actorBorder: "#6c63ff", actorTextColor: "#1b1d2a", actorLineColor: "#575c70",
      signalColor: "#3a3d4f", signalTextColor: "#1b1d2a", labelBoxBkgColor: "#ecebff",
      labelBoxBorderColor: "#6c63ff", labelTextColor: "#1b1d2a", loopTextColor: "#1b1d2a",
      activationBkgColor: "#e1f3fb", activationBorderColor: "#1592c7", sequenceNumberColor: "#ffffff"
    }
  };

  // The original guide's dark palette → the light theme's equivalents (fills, strokes, text).
  var LIGHT_COLOURS = {
    "#2d2b55": "#ecebff", "#1e3a5f": "#e1f3fb", "#3b1f2b": "#ffe8ee", "#1a3330": "#dcf5ee",
    "#3a2e10": "#fff0dc", "#2a1a3e": "#f3e8ff", "#1e2028": "#f1f2f6",
    "#4dc9f6": "#1592c7", "#ff6b8a": "#e0446a", "#00d4aa": "#00a888", "#ffa64d": "#e08a1e",
    "#c084fc": "#a35ef0", "#6b6f82": "#9a9eb2", "#e2e4eb": "#1b1d2a", "#8b8fa3": "#575c70"
  };

  function currentTheme() {
    return root.getAttribute("data-theme") === "light" ? "light" : "dark";
  }

  function adapt(source, theme) {
    if (theme !== "light") return source;
    return source.replace(/#[0-9a-fA-F]{6}\b/g, function (hex) {
      return LIGHT_COLOURS[hex.toLowerCase()] || hex;
    });
  }

  var items = Array.prototype.slice.call(document.querySelectorAll("figure.diagram")).map(function (figure) {
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
    mermaid.initialize({
      startOnLoad: false, securityLevel: "strict", theme: "base", themeVariables: PALETTE[theme],
      fontFamily: FONT, suppressErrorRendering: true, flowchart: { htmlLabels: true }
    });
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
    var tag = document.createElement("script");
    tag.src = (script && script.getAttribute("data-mermaid")) ||
      (root.getAttribute("data-root") || "") + "assets/vendor/mermaid/mermaid.min.js";
    tag.async = true;
    tag.onload = start;
    tag.onerror = function () { giveUp("the diagram renderer could not be loaded"); };
    document.head.appendChild(tag);
  }

  // After the first frame: Mermaid is large and must not hold up the page's first paint.
  requestAnimationFrame(function () { setTimeout(load, 0); });
  setTimeout(load, 1000); // rAF does not run in background tabs
})();
