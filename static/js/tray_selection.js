// The clients tray's selection (templates/clients/tray/selection_bar.html): the
// "select all on this page" box ticks every row, the bar says how many are ticked
// and shows only while some are. The selection is the page on screen: a tray
// refresh (filters, sorting, another page) draws new rows, unticked.
(function () {
  const ROW = "#tray input[data-select-row]";
  const PAGE = "#tray input[data-select-page]";

  function refresh() {
    const bar = document.querySelector("#tray [data-selection-bar]");
    const boxes = Array.from(document.querySelectorAll(ROW));
    const ticked = boxes.filter(function (box) { return box.checked; }).length;
    const all = document.querySelector(PAGE);
    if (all) {
      all.hidden = boxes.length === 0;
      all.checked = boxes.length > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
    if (!bar) return;
    const count = bar.querySelector("[data-selection-count]");
    count.textContent = ticked === 1
      ? bar.dataset.countOne
      : bar.dataset.countMany.replace("%(n)s", String(ticked));
    bar.hidden = ticked === 0;
  }

  document.addEventListener("change", function (event) {
    const target = event.target;
    if (target.matches(PAGE)) {
      document.querySelectorAll(ROW).forEach(function (box) { box.checked = target.checked; });
    }
    if (target.matches(PAGE) || target.matches(ROW)) refresh();
  });
  document.body.addEventListener("htmx:afterSettle", refresh);
  refresh();
})();
