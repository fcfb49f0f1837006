"""Interactions of one client (the envelope "Ver comunicaciones" of the clients tray)."""

from django.core.paginator import Paginator
from django.shortcuts import render

from clients.selectors import get_client_for_member

from .selectors import client_interactions

PAGE_SIZE = 50


def client_list(request, pk):
    # A client the member may not see (or of another project) answers 404;
    # a client in the recycle bin keeps its history visible.
    client = get_client_for_member(request.member, pk, include_deleted=True)
    page = Paginator(client_interactions(member=request.member, client=client), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "client": client,
        "page": page,
        "interactions": page.object_list,
        "section": "interactions",
    }
    return render(request, "interactions/client_interactions.html", context)
