// Offers only the people of the organisation typed (templates/referrers/_datalists.html).
// Without this script every person is offered, with their organisation beside their name.
(function () {
  "use strict";
  var organisation = document.getElementById("id_referrer_organisation");
  var people = document.getElementById("referrer-people");
  if (!organisation || !people) return;
  var all = Array.prototype.slice.call(people.options).map(function (option) {
    return option.cloneNode(true);
  });
  function filter() {
    var typed = organisation.value.trim().replace(/\s+/g, " ").toLowerCase();
    var known = all.some(function (option) { return option.dataset.organisation === typed; });
    people.replaceChildren.apply(people, all.filter(function (option) {
      return !known || option.dataset.organisation === typed;
    }).map(function (option) { return option.cloneNode(true); }));
  }
  organisation.addEventListener("change", filter);
  organisation.addEventListener("input", filter);
  filter();
})();
