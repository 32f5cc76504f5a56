// After a form comes back with errors: the summary at the top is brought into view and the
// focus goes to the first field in error (without scrolling away from the summary), so the
// next keystroke corrects it. A link in the summary takes the focus to its field.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  function reveal(field) {
    var closed = field.closest("details:not([open])");
    if (closed) closed.open = true;
  }
  summary.scrollIntoView({ block: "start" });
  var first = document.querySelector(
    "form .is-invalid:not([type=hidden]), form [aria-invalid=true]"
  );
  if (first && typeof first.focus === "function") {
    reveal(first);
    first.focus({ preventScroll: true });
  }
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    reveal(field);
    field.scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
  });
})();
