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
  // A person on record picked while the organisation is empty: fill in theirs (when only
  // one organisation has someone of that name). The server asks anyway (referrers.intake).
  var person = document.getElementById("id_referrer_name");
  function fillOrganisation() {
    if (!person || organisation.value.trim()) return;
    var typed = person.value.trim().replace(/\s+/g, " ").toLowerCase();
    var at = all.filter(function (option) { return option.value.toLowerCase() === typed; });
    var names = at.map(function (option) { return option.dataset.organisationName; });
    if (names.length && names.every(function (name) { return name === names[0]; })) {
      organisation.value = names[0];
      filter();
    }
  }
  organisation.addEventListener("change", filter);
  organisation.addEventListener("input", filter);
  if (person) person.addEventListener("change", fillOrganisation);
  filter();
})();
