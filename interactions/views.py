"""Interacciones: the side menu's tray (Cuentas por cobrar → Interacciones), one client's
communications (the envelope "Ver comunicaciones" of the clients tray) and the
glossary of states. Both lists are the list kernel's (interactions/lists.py).
"""

from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from clients.selectors import get_client_for_member
from moonflow.dialogs import is_partial, render_dialog

from .lists import build_interaction_tray
from .selectors import client_interactions
from .models import STATUS_GLOSSARY, InteractionStatus

TRAY_PARTIAL = "interactions/tray.html"


def _list_response(request, template: str, context: dict):
    response = render(request, TRAY_PARTIAL if is_partial(request) else template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def interaction_tray(request):
    here = request.get_full_path()
    tray = build_interaction_tray(member=request.member, params=request.GET, here=here)
    return _list_response(request, "interactions/tray_page.html", {
        "tray": tray,
        "section": "interactions",
        "here": here,
        "list_url": reverse("interactions:list", kwargs={"project": request.project.slug}),
    })


@require_GET
def client_list(request, pk):
    # A client the member may not see (or of another project) answers 404;
    # a client in the recycle bin keeps its history visible.
    client = get_client_for_member(request.member, pk, include_deleted=True)
    here = request.get_full_path()
    tray = build_interaction_tray(member=request.member, params=request.GET, client=client,
                                  here=here)
    return _list_response(request, "interactions/client_interactions.html", {
        "client": client,
        "tray": tray,
        "section": "interactions",
        "here": here,
        "list_url": reverse("interactions:client_list",
                            kwargs={"project": request.project.slug, "pk": client.pk}),
    })


RECENT_INTERACTIONS = 5


@require_GET
def client_recent(request, pk):
    """The client page's "Últimas interacciones" panel (loaded by the page), so that the
    clients app never reads interactions itself."""
    client = get_client_for_member(request.member, pk, include_deleted=True)
    interactions = client_interactions(member=request.member, client=client)[:RECENT_INTERACTIONS]
    return render(request, "interactions/_client_recent.html",
                  {"client": client, "interactions": interactions})


@require_GET
def status_glossary(request):
    """Glosario de estados: what each state of a communication means."""
    states = [(label, STATUS_GLOSSARY[value]) for value, label in InteractionStatus.choices]
    return render_dialog(request, "interactions/status_glossary.html", {
        "title": _("Glosario de estados"),
        "states": states,
        "section": "interactions",
    }, back_url=reverse("interactions:list", kwargs={"project": request.project.slug}))
