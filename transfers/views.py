"""Acciones → Transferir cliente: one client to another adviser, with everything linked.

The dialog follows `moonflow.dialogs` (htmx into #modal-content, a page when
opened directly). Admins and supervisors transfer (`may_transfer`), to the
advisers `transfer_targets` offers them (a restricted supervisor: their
teams' advisers), a client they can see (`get_client_for_member`: another
project's client, or one they may not see, answers 404). Advisers get 403.

The dialog sends the adviser it showed; when the client changed adviser since
it opened, the transfer is refused with a message and the dialog shows the
client as it is now, so a stale dialog never hands a client back.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clients.models import Client
from clients.selectors import get_client_for_member
from clients.visibility import may_read_adviser, readable_adviser_ids
from followups.choices import FollowUpKind
from moonflow.dialogs import close_dialog, is_partial, render_dialog

from .forms import TransferClientForm
from .selectors import may_transfer, transfer_preview, transfer_targets
from .services import TransferError, member_label, transfer_clients

SEARCH_MAX_CHARS = 100


def _detail_url(request, client) -> str:
    return reverse("clients:detail", kwargs={"project": request.project.slug, "pk": client.pk})


class AdviserChanged(Exception):
    """The client's adviser is no longer the one the dialog showed."""


@transaction.atomic
def _transfer_as_shown(request, client, *, shown: str, to_adviser, note: str):
    """Lock the client, check it still has the adviser the dialog showed, transfer it."""
    current = (Client.objects.select_for_update().filter(project_id=request.project.pk,
                                                         pk=client.pk)
               .values_list("adviser_id", flat=True).first())
    if str(current or "") != shown:
        raise AdviserChanged
    return transfer_clients(project=request.project, actor=request.user, clients=[client.pk],
                            to_adviser=to_adviser, through="screen", note=note)


@require_http_methods(["GET", "POST"])
def transfer_client(request, pk):
    client = get_client_for_member(request.member, pk, include_deleted=True)
    if not may_transfer(request.member):
        raise PermissionDenied
    back_url = _detail_url(request, client)
    title = _("Transferir cliente: %(name)s") % {"name": client.name}
    if client.is_deleted:
        return render_dialog(request, "clients/record/client_in_bin.html",
                             {"client": client, "title": title}, back_url=back_url, status=409)
    text = request.GET.get("q", "")[:SEARCH_MAX_CHARS]
    targets = [m for m in transfer_targets(member=request.member, text=text)
               if m.pk != client.adviser_id]
    if request.method == "GET" and "q" in request.GET and is_partial(request):
        # The search box: only the list of advisers is replaced.
        form = TransferClientForm(targets=targets)
        return render(request, "clients/record/_transfer_adviser_select.html", {"form": form})
    form = TransferClientForm(request.POST or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        to_adviser = form.cleaned_data["adviser"]
        try:
            result = _transfer_as_shown(request, client,
                                        shown=request.POST.get("shown_adviser", ""),
                                        to_adviser=to_adviser, note=form.cleaned_data["note"])
        except AdviserChanged:
            client = get_client_for_member(request.member, pk, include_deleted=True)
            form = TransferClientForm(request.POST, targets=[
                m for m in targets if m.pk != client.adviser_id])
            form.is_valid()
            form.add_error(None, _(
                "El cliente cambió de asesor mientras este diálogo estaba abierto: ahora lo "
                "tiene %(who)s. No se transfirió; revise y confirme de nuevo.")
                % {"who": _adviser_shown(request, client)})
        except TransferError as error:
            form.add_error("adviser", str(error))
        else:
            moved = sum(result.followups.values())
            message = _("Cliente %(name)s transferido a %(who)s.") % {
                "name": client.name, "who": member_label(to_adviser)}
            if moved:
                message += " " + _("Gestiones abiertas que pasaron al nuevo asesor: %(n)s.") % {
                    "n": moved}
            return close_dialog(request, message, url=back_url)
    preview = transfer_preview(project=request.project, clients=[client.pk])
    return render_dialog(
        request,
        "clients/record/client_transfer.html",
        {
            "form": form,
            "client": client,
            "title": title,
            "current_adviser": _adviser_shown(request, client),
            "preview": preview,
            "moves": [
                (_("Tareas abiertas"), preview.open_followups.get(FollowUpKind.TASK, 0)),
                (_("Promesas de pago pendientes"),
                 preview.open_followups.get(FollowUpKind.PROMISE, 0)),
                (_("Contactos programados"), preview.open_followups.get(FollowUpKind.CONTACT, 0)),
            ],
            "form_action": reverse("transfers:client",
                                   kwargs={"project": request.project.slug, "pk": client.pk}),
            "search_text": text,
        },
        back_url=back_url,
        status=400 if request.method == "POST" else 200,
    )


def _adviser_shown(request, client) -> str:
    """The client's adviser as this member may read it."""
    if client.adviser_id is None:
        return str(_("Sin asesor"))
    if not may_read_adviser(readable_adviser_ids(request.member), client.adviser_id):
        return str(_("Otro asesor"))
    return member_label(client.adviser)


urlpatterns = [
    path("clientes/<int:pk>/transferir/", transfer_client, name="client"),
]
