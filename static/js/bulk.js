// The bulk bar above a list of links. Without script the whole form shows and the server reads
// the same fields; with it, the actions show once a row is chosen, "select all on this page"
// ticks every row, the count of chosen rows is announced, and the tag field shows only for the
// two tag actions.
(function () {
  function rowBoxes() {
    return Array.from(document.querySelectorAll('input.row-select[form="bulk"]'));
  }

  function update() {
    const form = document.querySelector("[data-bulk]");
    if (!form) return;
    const boxes = rowBoxes();
    const chosen = boxes.filter(function (box) { return box.checked; }).length;
    const all = form.querySelector("[data-bulk-all]");
    all.checked = boxes.length > 0 && chosen === boxes.length;
    all.indeterminate = chosen > 0 && chosen < boxes.length;
    form.classList.toggle("active", chosen > 0);
    form.querySelector("[data-bulk-count]").textContent =
      chosen ? form.dataset.countText.replace("{count}", String(chosen)) : "";
    const action = form.querySelector("[data-bulk-action]").value;
    form.querySelector("[data-bulk-tags]").hidden = !action.endsWith("_tags");
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-bulk-all]")) {
      rowBoxes().forEach(function (box) { box.checked = event.target.checked; });
    }
    if (event.target.closest("[data-bulk]") || event.target.matches("input.row-select")) update();
  });
  document.addEventListener("DOMContentLoaded", update);
  // Browsers restore ticked boxes when going back to the page.
  window.addEventListener("pageshow", update);
})();
