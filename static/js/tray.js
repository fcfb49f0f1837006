// Trays (clients, payment orders…): keep the filter panel open across htmx
// refreshes of #tray, leave empty fields out of the URL, and always rebuild a
// tray from the server on back/forward (a history snapshot would hold stale
// form state). #tray is the history element (hx-history-elt), so a restore
// swaps only the tray, never re-running the page's scripts.
(function () {
  htmx.config.historyCacheSize = 0;
  let panelOpen = false;

  function inTray(elt) {
    return !!(elt && elt.closest && elt.closest("#tray"));
  }

  document.body.addEventListener("htmx:configRequest", function (event) {
    if (!inTray(event.detail.elt) || event.detail.verb !== "get") return;
    const params = event.detail.parameters;
    for (const key of Object.keys(params)) {
      if (params[key] === "") delete params[key];
    }
  });
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (!inTray(event.detail.elt)) return;
    const panel = document.getElementById("tray-filter-panel");
    panelOpen = !!(panel && panel.classList.contains("show"));
  });
  document.body.addEventListener("htmx:afterSettle", function () {
    if (!panelOpen) return;
    panelOpen = false;
    const panel = document.getElementById("tray-filter-panel");
    if (panel && !panel.classList.contains("show")) {
      panel.classList.add("show");
      const toggle = document.querySelector('[aria-controls="tray-filter-panel"]');
      if (toggle) toggle.setAttribute("aria-expanded", "true");
    }
  });
})();
