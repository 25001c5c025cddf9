// A long list of checkboxes (a district's 230 campuses, its 700 observers) gets a box to narrow it
// as one types. Only with this script: without it the box stays hidden and the whole list shows.
// What is ticked always stays in sight, and a line says how many are shown and how many chosen.
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function narrow(filter) {
    var fieldset = document.getElementById(filter.getAttribute("aria-controls"));
    var words = fold(filter.value).split(/\s+/).filter(Boolean);
    var choices = Array.from(fieldset.querySelectorAll("label.choice"));
    var shown = 0;
    var chosen = 0;
    choices.forEach(function (label) {
      var box = label.querySelector("input");
      var text = fold(label.textContent);
      var match = box.checked || words.every(function (word) { return text.indexOf(word) !== -1; });
      label.hidden = !match;
      if (match) shown += 1;
      if (box.checked) chosen += 1;
    });
    var count = document.getElementById(filter.dataset.count);
    count.textContent = shown + " of " + choices.length + " shown, " + chosen + " chosen";
  }

  document.querySelectorAll("input[data-narrows]").forEach(function (filter) {
    filter.hidden = false;
    document.querySelector('label[for="' + filter.id + '"]').hidden = false;
    filter.addEventListener("input", function () { narrow(filter); });
    document.getElementById(filter.getAttribute("aria-controls")).addEventListener("change", function () { narrow(filter); });
    narrow(filter);
  });
})();
