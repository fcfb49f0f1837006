// Dialogs: a control with hx-target="#modal-content" loads a dialog into
// #modal and opens it. Focus follows docs "Fit and focus":
// - on open, the field in error, else a field asked for ([autofocus]), else the
//   first field, else the dialog's action (Cancel when that action is
//   destructive, so Enter never deletes by accident);
// - Tab and Shift+Tab wrap inside the dialog (Bootstrap's own trap only reacts
//   once focus has already left, which lets the first Tab escape);
// - Escape closes it (Bootstrap), and on closing focus returns to the control
//   that opened it;
// - when a saved dialog reloads or redirects the page, the new page focuses the
//   same control (the row that changed) or else its main heading.
(function () {
  const modalEl = document.getElementById("modal");
  if (!modalEl) return;
  const content = document.getElementById("modal-content");
  const modal = bootstrap.Modal.getOrCreateInstance(modalEl);
  const RETURN_KEY = "moonflow:dialog-return";
  const FIELDS =
    "input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])";
  const TABBABLE =
    "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), " +
    "select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

  let opener = null; // the control that opened the dialog
  let isShown = false;
  let pendingReturn = null; // {key, until}: refocus it if a table refresh replaces it

  function visible(el) {
    return !!(el && el.isConnected && el.getClientRects().length);
  }

  // How to find "the same control" in a refreshed table or a reloaded page.
  function keyOf(el) {
    if (!el) return null;
    for (const attr of ["hx-get", "href", "id"]) {
      const value = el.getAttribute(attr);
      if (value) return { attr: attr, value: value };
    }
    return null;
  }

  // A control inside a closed dropdown is not focusable: its toggle stands in.
  function reachable(el) {
    if (!el || !el.isConnected) return null;
    const menu = el.closest(".dropdown-menu");
    if (menu && !menu.classList.contains("show")) {
      const toggle = menu.parentElement.querySelector("[data-bs-toggle=dropdown]");
      return visible(toggle) ? toggle : null;
    }
    return visible(el) ? el : null;
  }

  function findByKey(key) {
    if (!key) return null;
    const selector = "[" + key.attr + '="' + CSS.escape(key.value) + '"]';
    for (const el of document.querySelectorAll(selector)) {
      if (modalEl.contains(el)) continue;
      const target = reachable(el);
      if (target) return target;
    }
    return null;
  }

  function focusHeading() {
    const heading = document.querySelector("#main h1") || document.querySelector("h1");
    if (!heading) return;
    if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
    heading.focus();
  }

  function firstFocus() {
    const body = content.querySelector(".modal-body") || content;
    const fields = Array.from(body.querySelectorAll(FIELDS)).filter(visible);
    const invalid = fields.find((f) => f.matches("[aria-invalid=true], .is-invalid"));
    if (invalid) return invalid;
    const asked = content.querySelector("[autofocus]");
    if (visible(asked)) return asked;
    if (fields.length) return fields[0];
    const action = content.querySelector(".modal-footer [type=submit]:not([disabled])");
    if (visible(action) && !action.classList.contains("btn-danger")) return action;
    return (
      content.querySelector(".modal-footer [data-bs-dismiss=modal]") ||
      content.querySelector(".modal-footer button") ||
      content.querySelector("button")
    );
  }

  function focusFirst() {
    const target = firstFocus();
    if (target) target.focus();
  }

  function tabbables() {
    return Array.from(modalEl.querySelectorAll(TABBABLE)).filter(visible);
  }

  // Remember who opens a dialog; a request from inside it (a form posting
  // back into #modal-content) keeps the original opener.
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    const target = event.detail.target;
    if (!target || target.id !== "modal-content") return;
    const elt = event.detail.elt;
    if (!modalEl.contains(elt)) opener = elt;
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id !== "modal-content") return;
    if (isShown) focusFirst(); // re-rendered in place, e.g. with a field in error
    else modal.show();
  });

  modalEl.addEventListener("show.bs.modal", function () { isShown = true; });
  // Bootstrap focuses the dialog container once shown; then the right field.
  modalEl.addEventListener("shown.bs.modal", focusFirst);

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Tab" || !isShown) return;
    const items = tabbables();
    if (!items.length) {
      event.preventDefault();
      return;
    }
    const first = items[0];
    const last = items[items.length - 1];
    const active = document.activeElement;
    const inside = modalEl.contains(active) && active !== modalEl;
    if (event.shiftKey && (!inside || active === first)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (!inside || active === last)) {
      event.preventDefault();
      first.focus();
    }
  });

  // A server answer with "HX-Trigger: closeModal" closes the dialog.
  document.body.addEventListener("closeModal", function () { modal.hide(); });

  modalEl.addEventListener("hidden.bs.modal", function () {
    isShown = false;
    content.innerHTML = "";
    const key = keyOf(opener);
    const target = reachable(opener) || findByKey(key);
    opener = null;
    // A table refreshed after the dialog (Ajustes → Usuarios) replaces the
    // opener: the same control in the new table takes the focus back.
    pendingReturn = key ? { key: key, until: Date.now() + 5000 } : null;
    if (target) target.focus();
    else focusHeading();
  });

  // Once the person acts, a later refresh no longer moves their focus.
  document.addEventListener("pointerdown", function () { pendingReturn = null; }, true);

  document.body.addEventListener("htmx:afterSettle", function () {
    if (!pendingReturn) return;
    if (Date.now() > pendingReturn.until) {
      pendingReturn = null;
      return;
    }
    const active = document.activeElement;
    if (active && active !== document.body && active.isConnected) return;
    const target = findByKey(pendingReturn.key);
    pendingReturn = null;
    if (target) target.focus();
    else focusHeading();
  });

  // A saved dialog may answer with a page reload (HX-Refresh) or another page
  // (HX-Redirect): carry the opener over to the new page.
  document.body.addEventListener("htmx:beforeOnLoad", function (event) {
    const xhr = event.detail.xhr;
    if (!xhr || !modalEl.contains(event.detail.elt)) return;
    if (xhr.getResponseHeader("HX-Refresh") === "true" || xhr.getResponseHeader("HX-Redirect")) {
      try {
        sessionStorage.setItem(RETURN_KEY, JSON.stringify({ key: keyOf(opener), at: Date.now() }));
      } catch (e) {
        // Storage refused (private mode): the new page keeps its default focus.
      }
    }
  });

  let carried = null;
  try {
    carried = JSON.parse(sessionStorage.getItem(RETURN_KEY) || "null");
    sessionStorage.removeItem(RETURN_KEY);
  } catch (e) {
    carried = null;
  }
  if (carried && Date.now() - carried.at < 60000) {
    const target = findByKey(carried.key);
    if (target) target.focus();
    else focusHeading();
  }
})();

// Wide tables scroll inside .table-responsive with Acciones pinned on the
// right; "is-clipped" marks a container with columns hidden under it, so the
// pinned column casts a shadow over what scrolls beneath.
(function () {
  function mark(box) {
    box.classList.toggle("is-clipped", box.scrollWidth - box.clientWidth - box.scrollLeft > 1);
  }
  function markAll() {
    document.querySelectorAll(".table-responsive").forEach(mark);
  }
  document.addEventListener(
    "scroll",
    function (event) {
      const box = event.target;
      if (box.classList && box.classList.contains("table-responsive")) mark(box);
    },
    true
  );
  window.addEventListener("resize", markAll);
  document.body.addEventListener("htmx:afterSettle", markAll);
  markAll();
})();
