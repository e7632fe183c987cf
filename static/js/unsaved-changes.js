// Progressive enhancement only: warn before leaving a reflection with changes that are not saved.
// Without this file nothing is lost either: "Save draft" keeps everything typed.
(function () {
  "use strict";
  var form = document.querySelector("form[data-cwtch-unsaved-warning]");
  if (!form) {
    return;
  }
  var changed = false;
  function markChanged() {
    changed = true;
  }
  form.addEventListener("input", markChanged);
  form.addEventListener("change", markChanged);
  form.addEventListener("submit", function () {
    changed = false;
  });
  window.addEventListener("beforeunload", function (event) {
    if (!changed) {
      return;
    }
    event.preventDefault();
    event.returnValue = "";
  });
})();
