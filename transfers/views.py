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
from django.http import QueryDict
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from clients.lists import client_list
from clients.selectors import get_client_for_member
from clients.visibility import may_read_adviser, readable_adviser_ids
from followups.choices import FollowUpKind
from moonflow.dialogs import close_dialog, htmx_redirect, is_partial, render_dialog
from moonflow.jobs.announce import announce_job
from moonflow.lists.params import saved_query

from .forms import BulkTransferForm, TransferClientForm
from .jobs import transfer_request
from .plans import split_plan
from .selectors import may_transfer, transfer_preview, transfer_targets
from .services import AdviserChanged, TransferError, member_label, transfer_client_as_shown

SEARCH_MAX_CHARS = 100


def _detail_url(request, client) -> str:
    return reverse("clients:detail", kwargs={"project": request.project.slug, "pk": client.pk})


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
            result = transfer_client_as_shown(
                project=request.project, actor=request.user, client_id=client.pk,
                shown_adviser=request.POST.get("shown_adviser", ""), to_adviser=to_adviser,
                note=form.cleaned_data["note"])
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


# Cambio de gestor: the clients tray's current filter to one adviser, or split among several.

STALE_PLAN = gettext_lazy("Los clientes o las carteras de los asesores cambiaron desde la "
                          "vista previa: revise el nuevo reparto y confirme otra vez.")


def _bulk_plan(request, form):
    """The plan of the form's choices over the tray's filter, as this member sees it."""
    data = form.cleaned_data
    method = data["method"]
    clients = client_list(member=request.member,
                          params=QueryDict(saved_query(QueryDict(data["query"]))))
    return split_plan(project=request.project, clients=clients, advisers=data["advisers"],
                      method="round_robin" if method == BulkTransferForm.SINGLE else method)


def _bulk_request(request, form):
    """Queue the job of the previewed plan; the job compares the plan again when it runs."""
    data = form.cleaned_data
    params = QueryDict(saved_query(QueryDict(data["query"])))
    common = {"member": request.member, "params": params, "note": data["note"]}
    if data["method"] == BulkTransferForm.SINGLE:
        return transfer_request(to_adviser=data["advisers"][0], **common)
    return transfer_request(advisers=data["advisers"], method=data["method"],
                            digest=data["digest"], **common)


@require_http_methods(["GET", "POST"])
def bulk_transfer(request):
    """Cambio de gestor from the clients tray: Vista previa shows, per adviser, the clients and
    balance received and their book afterwards; Confirmar queues the job of that same plan
    (a plan that changed since the preview is refused and shown again)."""
    if not may_transfer(request.member):
        raise PermissionDenied
    targets = transfer_targets(member=request.member)
    if request.method == "POST":
        form = BulkTransferForm(request.POST, targets=targets)
    else:
        form = BulkTransferForm(
            targets=targets,
            initial={"query": saved_query(QueryDict((request.GET.get("query") or "")
                                                    .lstrip("?")))})
    plan = None
    if request.method == "POST" and form.is_valid():
        try:
            plan = _bulk_plan(request, form)
        except TransferError as error:
            form.add_error("advisers", str(error))
        else:
            shown = form.cleaned_data["digest"]
            if "confirm" in request.POST and not plan.clients:
                form.add_error(None, _("El filtro de la bandeja no tiene clientes que "
                                       "transferir."))
            elif "confirm" in request.POST and shown != plan.digest:
                form.add_error(None, str(STALE_PLAN) if shown else _(
                    "Revise la vista previa del reparto antes de confirmar."))
            elif "confirm" in request.POST:
                try:
                    job = _bulk_request(request, form)
                except TransferError as error:
                    form.add_error("advisers", str(error))
                else:
                    announce_job(request, job, _("Cambio de gestor programado: lo verá avanzar "
                                                 "en el Log de procesos."))
                    return htmx_redirect(request, reverse(
                        "jobs:detail", kwargs={"project": request.project.slug, "pk": job.pk}))
            if plan is not None:
                # The preview the next Confirmar refers to.
                data = form.data.copy()
                data["digest"] = plan.digest
                form.data = data
    tray_url = reverse("clients:list", kwargs={"project": request.project.slug})
    query = saved_query(QueryDict(form.data.get("query", "") if form.is_bound
                                  else form.initial["query"]))
    return render_dialog(
        request,
        "transfers/bulk_transfer.html",
        {
            "form": form,
            "plan": plan,
            "query": query,
            "title": _("Cambio de gestor"),
            "form_action": reverse("transfers:bulk", kwargs={"project": request.project.slug}),
        },
        back_url=f"{tray_url}?{query}" if query else tray_url,
        status=400 if form.errors else 200,
    )


urlpatterns = [
    path("clientes/<int:pk>/transferir/", transfer_client, name="client"),
    path("clientes/cambio-de-gestor/", bulk_transfer, name="bulk"),
]
