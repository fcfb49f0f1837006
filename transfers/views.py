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

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import QueryDict
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clients.lists import client_list
from clients.selectors import get_client_for_member
from followups.choices import FollowUpKind
from moonflow.dialogs import close_dialog, htmx_redirect, is_partial, render_dialog
from moonflow.jobs.announce import announce_job
from moonflow.lists.params import saved_query

from .forms import BulkTransferForm, TransferClientForm
from .jobs import transfer_request
from .selectors import may_transfer, selected_clients, transfer_preview, transfer_targets
from .services import (
    AdviserChanged,
    TransferError,
    adviser_label_for,
    member_label,
    transfer_client_as_shown,
)

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
                % {"who": adviser_label_for(request.member, client)})
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
            "current_adviser": adviser_label_for(request.member, client),
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


# Cambio de gestor: the clients ticked in the tray, or its current filter, to one adviser, or
# split among several.


def _bulk_clients(request, form):
    """The dialog's clients as this member sees them now: the ticked ones, or the filter's."""
    if form.is_selection:
        return selected_clients(member=request.member, ids=form.selection_ids())
    return client_list(member=request.member, params=QueryDict(_bulk_query(form)))


def _bulk_query(form) -> str:
    """The tray's filter the dialog is about (its state query)."""
    return saved_query(QueryDict(form.data.get("query", "") if form.is_bound
                                 else form.initial.get("query", "")))


@require_http_methods(["GET", "POST"])
def bulk_transfer(request):
    """Cambio de gestor from the clients tray: Vista previa shows, per adviser, the clients and
    balance received and their book afterwards; Confirmar queues the job of that same plan
    (a plan that changed since the preview is refused and shown again).

    Opened from the Crear menu (GET, `query`) it is about the tray's filter; opened by the
    selection bar (a POST of `select` and the ticked `clients`) it is about those clients."""
    if not may_transfer(request.member):
        raise PermissionDenied
    targets = transfer_targets(member=request.member)
    if request.method == "POST" and "select" in request.POST:
        return _selection_opened(request, targets)
    if request.method == "POST":
        form = BulkTransferForm(request.POST, targets=targets)
    else:
        form = BulkTransferForm(
            targets=targets,
            initial={"query": saved_query(QueryDict((request.GET.get("query") or "")
                                                    .lstrip("?")))})
    plan = None
    if form.is_bound and form.is_valid():
        nothing = (_("Ninguno de los clientes marcados se puede transferir.")
                   if form.is_selection else
                   _("El filtro de la bandeja no tiene clientes que transferir."))
        plan, confirmable = form.review_plan(project=request.project,
                                             clients=_bulk_clients(request, form),
                                             confirming="confirm" in request.POST,
                                             nothing_to_move=nothing)
        if confirmable:
            try:
                job = _bulk_request(request, form)
            except TransferError as error:
                form.add_error("advisers", str(error))
            else:
                announce_job(request, job, _("Cambio de gestor programado: lo verá avanzar "
                                             "en el Log de procesos."))
                return htmx_redirect(request, reverse(
                    "jobs:detail", kwargs={"project": request.project.slug, "pk": job.pk}))
    return _bulk_dialog(request, form, plan=plan)


def _selection_opened(request, targets):
    """The selection bar's Cambio de gestor: the dialog for the ticked clients the member may
    see now (the others are left out, and the dialog says how many), or why there is none."""
    try:
        ticked = BulkTransferForm.base_fields["clients"].clean(request.POST.getlist("clients"))
    except ValidationError as refusal:
        return _bulk_dialog(request, None, refusal=refusal.messages[0])
    visible = sorted(selected_clients(member=request.member, ids=ticked)
                     .values_list("pk", flat=True))
    if not visible:
        return _bulk_dialog(request, None, refusal=(
            _("Ninguno de los clientes marcados está entre los que usted puede transferir.")
            if ticked else _("Marque en la bandeja los clientes que quiere transferir.")))
    form = BulkTransferForm(targets=targets, initial={"clients": visible, "query": ""})
    return _bulk_dialog(request, form, left_out=len(ticked) - len(visible))


def _bulk_dialog(request, form, *, plan=None, refusal: str = "", left_out: int | None = None):
    """The dialog: for the ticked clients (how many, and how many were left out), or for the
    tray's filter; without a form, only why it cannot go on (`refusal`)."""
    tray_url = reverse("clients:list", kwargs={"project": request.project.slug})
    query, selected = "", None
    if form is not None and form.is_selection:
        selected = _bulk_clients(request, form).count()
        if left_out is None:
            left_out = len(form.selection_ids()) - selected
    elif form is not None:
        query = _bulk_query(form)
    return render_dialog(
        request,
        "transfers/bulk_transfer.html",
        {
            "form": form,
            "plan": plan,
            "query": query,
            "selected": selected,
            "left_out": max(left_out or 0, 0),
            "refusal": refusal,
            "title": _("Cambio de gestor"),
            "form_action": (reverse("transfers:bulk", kwargs={"project": request.project.slug})
                            if form is not None else None),
        },
        back_url=f"{tray_url}?{query}" if query else tray_url,
        status=400 if refusal or (form is not None and form.errors) else 200,
    )


def _bulk_request(request, form):
    """Queue the job of the previewed plan; the job compares the plan again when it runs."""
    if form.is_selection:
        clients = {"client_ids": list(_bulk_clients(request, form).values_list("pk", flat=True))}
    else:
        clients = {"params": QueryDict(_bulk_query(form))}
    return transfer_request(member=request.member, **clients, **form.request_options())


urlpatterns = [
    path("clientes/<int:pk>/transferir/", transfer_client, name="client"),
    path("clientes/cambio-de-gestor/", bulk_transfer, name="bulk"),
]
