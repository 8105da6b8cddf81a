// Export, import and reset of study progress (the controls on the practice page).
(function () {
  "use strict";

  var box = document.querySelector("[data-backup]");
  var store = window.studyStore;
  if (!box || !store) return;
  var status = box.querySelector("[data-backup-status]");
  var dialog = box.querySelector("[data-reset-dialog]");
  var say = function (text) { status.textContent = text; };

  box.querySelector("[data-export]").addEventListener("click", function () {
    var url = URL.createObjectURL(new Blob([store.exportText()], { type: "application/json" }));
    var link = document.createElement("a");
    link.href = url;
    link.download = "studyguide-progress-" + store.guide + "-" + new Date().toISOString().slice(0, 10) + ".json";
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    say("Progress exported to " + link.download + ".");
  });

  var input = box.querySelector("[data-import]");
  box.querySelector("[data-import-open]").addEventListener("click", function () { input.click(); });
  input.addEventListener("change", function () {
    var file = input.files[0];
    if (!file) return;
    file.text().then(function (text) {
      say(store.importText(text).message);
    }, function () {
      say("The file could not be read; nothing was imported.");
    }).then(function () { input.value = ""; });
  });

  box.querySelector("[data-reset]").addEventListener("click", function () {
    dialog.returnValue = ""; // Escape keeps the last value
    dialog.showModal();
  });
  dialog.addEventListener("close", function () {
    if (dialog.returnValue !== "reset") return;
    store.reset();
    say("Progress reset: every mark, schedule and review of this guide was deleted.");
  });
})();
