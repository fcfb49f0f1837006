"""Dialogs and htmx answers: the one toolkit every view uses.

A dialog loads into base.html's #modal through htmx (`render_dialog` with
`partials/dialog_modal.html`); opened without htmx (a direct link) the same
view renders a full page (`partials/dialog_page.html`) with a way back.

A valid submission closes the dialog with `close_dialog`, always the same
way: 204 with `HX-Trigger: closeModal` (static/js/moonflow.js hides the
modal), the flash message stored for the next render, and then one of:
- `events`: the page beneath refreshes the parts that listen to them (the
  Usuarios table reloads itself on "membersChanged", with the message);
- `redirect=True`: `HX-Redirect` to `url` (a new client opens its page);
- otherwise `HX-Refresh`: the page beneath (tray or detail) reloads with its
  filters and shows the message.
Without htmx the browser is redirected to `url`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

CLOSE_EVENT = "closeModal"
MODAL_BASE = "partials/dialog_modal.html"
PAGE_BASE = "partials/dialog_page.html"


def is_htmx(request) -> bool:
    """Whether htmx sent the request (its content goes into part of a page)."""
    return request.headers.get("HX-Request") == "true"


def is_partial(request) -> bool:
    """An htmx request that wants a fragment: a history restore wants the whole page."""
    return is_htmx(request) and not request.headers.get("HX-History-Restore-Request")


def render_dialog(request, template: str, context: dict, *, back_url: str, status: int = 200):
    """Render a dialog into #modal-content, or as a page when opened directly.

    htmx swaps only 2xx answers, so inside the dialog an invalid form stays
    200; as a page it answers `status` (400 for an invalid form).
    """
    context["dialog_base"] = MODAL_BASE if is_htmx(request) else PAGE_BASE
    context["back_url"] = back_url
    return render(request, template, context, status=200 if is_htmx(request) else status)


def close_dialog(
    request,
    message: str,
    *,
    url: str,
    redirect: bool = False,
    events: Iterable[str] = (),
):
    """Close the dialog after a change (see the module docstring for what follows)."""
    messages.success(request, message)
    if not is_htmx(request):
        return HttpResponseRedirect(url)
    events = list(events)
    headers = {"HX-Trigger": json.dumps({CLOSE_EVENT: True, **dict.fromkeys(events, True)})}
    if redirect:
        headers["HX-Redirect"] = url
    elif not events:
        headers["HX-Refresh"] = "true"
    return HttpResponse(status=204, headers=headers)


def htmx_redirect(request, url: str):
    """Send the browser to `url`: `HX-Redirect` for htmx, a plain redirect otherwise."""
    if is_htmx(request):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return HttpResponseRedirect(url)


def safe_next(request, default: str) -> str:
    """Where to go after a dialog: a path of this site the page passed along, else `default`.

    Only an absolute path ("/p/…") is taken: anything else ("-1", a bare word)
    would be read by redirect() as a view name.
    """
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if (
        candidate.startswith("/")
        and not candidate.startswith("//")
        and candidate.isprintable()
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return default
