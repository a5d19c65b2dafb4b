// Filters by severity and category. Without this script the report shows everything, and the form stays hidden.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) return;
  form.hidden = false;
  var all = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };
  var cards = all(".finding");
  var marks = all(".hl[data-ids]");
  var pages = all("article.page");
  var status = document.getElementById("filter-status");
  function chosen(name) {
    var on = {};
    all('input[name="' + name + '"]', form).forEach(function (box) { on[box.value] = box.checked; });
    return on;
  }
  function apply() {
    var severity = chosen("severity"), category = chosen("category"), waived = chosen("waived");
    var shown = {}, count = 0;
    cards.forEach(function (card) {
      var d = card.dataset;
      var ok = severity[d.severity] !== false && category[d.category] !== false &&
        (d.waived !== "yes" || waived.yes !== false);
      card.hidden = !ok;
      if (ok) { shown[card.id] = true; count += 1; }
    });
    marks.forEach(function (mark) {
      var on = mark.dataset.ids.split(" ").some(function (id) { return shown[id]; });
      mark.classList.toggle("off", !on);
      mark.tabIndex = on ? 0 : -1;
    });
    pages.forEach(function (page) {
      page.hidden = page.querySelector(".finding") !== null && page.querySelector(".finding:not([hidden])") === null;
    });
    if (status) status.textContent = "Showing " + count + " of " + cards.length + " findings.";
  }
  form.addEventListener("change", apply);
  all("button[data-all]", form).forEach(function (button) {
    button.addEventListener("click", function () {
      all('input[name="' + button.dataset.all + '"]', form).forEach(function (box) { box.checked = true; });
      apply();
    });
  });
  // Printing shows what the filters show, with every folded detail open.
  window.addEventListener("beforeprint", function () { all("details").forEach(function (d) { d.open = true; }); });
  apply();
})();
