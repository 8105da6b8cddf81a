// "Full size" for diagrams drawn at build time (figure.diagram.is-drawn; no Mermaid on the page).
//
// The stylesheet fits each SVG to its column (and, on phones, to most of the screen's height) and
// shows the one matching the theme. Where that shows a diagram smaller than it was drawn, this adds a
// "Full size" button that shows it at its natural size inside its frame, which then scrolls sideways
// from the left edge (scroll shadows hint at the rest); the frame becomes focusable so the keyboard
// can scroll it too. One job, no dependencies; without it the fitted diagram is still all there.
(function () {
  "use strict";

  var figures = Array.prototype.slice.call(document.querySelectorAll("figure.diagram.is-drawn"));
  if (!figures.length) return;

  var items = figures.map(function (figure) {
    var width = Number(figure.getAttribute("data-width")) || 0;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "diagram-zoom";
    button.hidden = true;
    var item = { figure: figure, width: width, button: button, zoomed: false };
    button.addEventListener("click", function () {
      item.zoomed = !item.zoomed;
      figure.classList.toggle("is-zoomed", item.zoomed);
      update(item);
      if (item.zoomed) {
        var frame = visibleFrame(item);
        if (frame) frame.scrollLeft = 0;
      }
    });
    var caption = figure.querySelector("figcaption");
    figure.insertBefore(button, caption ? caption.nextSibling : figure.firstChild);
    return item;
  });

  function visibleFrame(item) {
    var frames = item.figure.querySelectorAll(".diagram-render");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].offsetParent !== null) return frames[i];
    }
    return null;
  }

  function update(item) {
    var frame = visibleFrame(item);
    if (!frame || !item.width) return; // inside a closed card: measured when it opens
    Array.prototype.forEach.call(item.figure.querySelectorAll(".diagram-render svg"), function (svg) {
      svg.style.width = item.zoomed ? item.width + "px" : "";
    });
    var svg = frame.querySelector("svg");
    var scaled = svg && svg.getBoundingClientRect().width < item.width - 1;
    item.button.hidden = !scaled && !item.zoomed;
    item.button.textContent = item.zoomed ? "Fit to width" : "Full size";
    item.button.setAttribute("aria-pressed", String(item.zoomed));
    var frames = item.figure.querySelectorAll(".diagram-render");
    Array.prototype.forEach.call(frames, function (f) {
      var scrolls = f === frame && f.scrollWidth > f.clientWidth + 1;
      if (scrolls) {
        f.setAttribute("tabindex", "0");
        f.setAttribute("role", "group");
        f.setAttribute("aria-label", "Diagram at full size (scrolls sideways)");
      } else {
        f.removeAttribute("tabindex");
        f.removeAttribute("role");
        f.removeAttribute("aria-label");
      }
    });
  }

  function updateAll() { items.forEach(update); }

  updateAll();
  // A card opening, a theme switch (the other SVG becomes the visible one) or a new width.
  document.addEventListener("toggle", updateAll, true);
  new MutationObserver(updateAll).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  var timer = 0;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(updateAll, 150);
  });
})();
