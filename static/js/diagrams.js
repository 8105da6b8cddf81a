// Renders Mermaid diagrams from their source text (readable as <pre> without JavaScript).
(function () {
  "use strict";
  var root = document.documentElement.dataset.root || "";
  var script = document.createElement("script");
  script.src = root + "assets/vendor/mermaid/mermaid.min.js";
  script.onload = function () {
    window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: "dark" });
    window.mermaid.run({ querySelector: "pre.mermaid" });
  };
  document.head.appendChild(script);
})();
