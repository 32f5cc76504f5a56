// "Add another party": clones the formset's empty form (a <template>) and renumbers it.
// Without JavaScript the button stays hidden and parties can be added from the case page.
(function () {
  "use strict";
  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    var prefix = button.getAttribute("data-formset-add");
    var container = document.querySelector('[data-formset="' + prefix + '"]');
    var template = document.getElementById(prefix + "-empty-form");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    if (!container || !template || !total) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (max && index >= parseInt(max.value, 10)) return;
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var fieldset = holder.firstElementChild;
      container.appendChild(fieldset);
      total.value = String(index + 1);
      var first = fieldset.querySelector("input, select, textarea");
      if (first) first.focus();
    });
  });
})();
