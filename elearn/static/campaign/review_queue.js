// Review queue: the 全选本页 checkbox ticks or clears every selectable submission on this page (bulk approve).
// Shown only when scripts run and the page has a selectable row; it follows the row checkboxes (checked /
// indeterminate) so it always tells the truth.
(function () {
  "use strict";
  var form = document.querySelector("[data-bulk-approve]");
  if (!form) return;
  var all = form.querySelector("[data-select-all]");
  var row = form.querySelector("[data-select-all-row]");
  var boxes = Array.prototype.slice.call(form.querySelectorAll('input[type="checkbox"][name="ids"]'));
  if (!all || !row || boxes.length === 0) return;

  function sync() {
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    all.checked = ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
  }

  all.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = all.checked; });
    all.indeterminate = false;
  });
  boxes.forEach(function (box) { box.addEventListener("change", sync); });
  row.hidden = false;
  sync();
})();
