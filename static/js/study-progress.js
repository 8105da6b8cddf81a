// Progress bars ("LLM Fundamentals: 3 of 10 known") and the count of cards due today, from the
// card sets the page lists in <script type="application/json" id="study-sets">.
(function () {
  "use strict";

  var store = window.studyStore;
  var data = document.getElementById("study-sets");
  if (!store || !data) return;
  var sets = JSON.parse(data.textContent);
  var union = function (prefix) {
    return Object.keys(sets).filter(function (k) { return k.indexOf(prefix) === 0; })
      .reduce(function (all, k) { return all.concat(sets[k]); }, []);
  };
  sets.all = union("domain:").concat(union("group:"));
  sets.interview = union("group:");

  // Sidebar entries get their bar here: the sidebar is shared by pages without study scripts.
  document.querySelectorAll("[data-study-nav]").forEach(function (item) {
    var box = document.createElement("div");
    box.className = "study-progress progress-nav";
    box.setAttribute("data-study-progress", item.getAttribute("data-study-nav"));
    box.setAttribute("data-label", item.querySelector(".nav-name").textContent);
    box.innerHTML = '<progress></progress><span class="study-progress-text" data-study-progress-text aria-hidden="true"></span>';
    item.querySelector("a").insertAdjacentElement("afterend", box);
  });

  function paint() {
    var marks = store.get().marks;
    document.querySelectorAll("[data-study-progress]").forEach(function (box) {
      var ids = sets[box.getAttribute("data-study-progress")] || [];
      var known = ids.filter(function (id) { return marks[id] && marks[id].s === "known"; }).length;
      var text = known + " of " + ids.length + " known";
      var bar = box.querySelector("progress");
      bar.max = ids.length || 1;
      bar.value = known;
      bar.setAttribute("aria-label", box.getAttribute("data-label") + ": " + text);
      box.querySelector("[data-study-progress-text]").textContent = text;
    });
    var now = Date.now();
    var due = store.dueToday(sets.all, now) + store.plan(sets.all, now).left;
    document.querySelectorAll("[data-study-due]").forEach(function (el) {
      el.textContent = due ? due + " card" + (due === 1 ? "" : "s") + " due today" : "Nothing due today";
      el.hidden = false;
    });
  }

  document.addEventListener("studyguide:change", paint);
  paint();
})();
