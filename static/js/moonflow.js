// Dialogs: any element with data-modal-url loads its content into #modal via
// htmx and opens it; Bootstrap traps focus inside and closes it on Escape.
(function () {
  const modalEl = document.getElementById("modal");
  if (!modalEl) return;
  const modal = bootstrap.Modal.getOrCreateInstance(modalEl);
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id === "modal-content") {
      modal.show();
      // Focus what the person has to deal with first: a field asked for, a
      // field in error, else the first field of the form (not the close button).
      const first =
        modalEl.querySelector("[autofocus]") ||
        modalEl.querySelector("[aria-invalid=true]") ||
        modalEl.querySelector(
          ".modal-body input:not([type=hidden]):not([disabled]), " +
            ".modal-body select:not([disabled]), .modal-body textarea:not([disabled])"
        ) ||
        modalEl.querySelector(".modal-footer .btn-primary") ||
        modalEl.querySelector(".modal-footer button");
      if (first) setTimeout(() => first.focus(), 150);
    }
  });
  // A server answer with "HX-Trigger: closeModal" closes the dialog.
  document.body.addEventListener("closeModal", function () { modal.hide(); });
  modalEl.addEventListener("hidden.bs.modal", function () {
    document.getElementById("modal-content").innerHTML = "";
  });
})();
