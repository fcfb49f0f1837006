"""The client record: Crear cliente, the detail page, Editar, Eliminar, Recuperar.

Dialogs go through `moonflow.dialogs`: a valid submission closes the dialog
and reloads the page under it (tray or detail, with its filters and the flash
message), or opens a new client's page; an invalid one re-renders the form
inside the dialog. Opened without htmx (a direct link), the same views render
a full page and redirect with a flash message.

Every client is reached through `get_client_for_member`, and what hangs from
it through the selectors of `clients.selectors`, so a client of another
project, or one a restricted adviser may not see, answers 404 here exactly
like a missing one; deleted clients are reachable (include_deleted) so that
they can be seen and recovered from the recycle bin.

Advisers are named by `clients.visibility.readable_adviser_ids`: a restricted
member who sees a client through a portfolio reads another adviser as "Otro
asesor", with no Asesor ID, on the page (adviser, assignment history, who
changed or deleted it) and in the edit dialog.
"""

from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from moonflow.dialogs import close_dialog, render_dialog, safe_next
from transfers.services import AdviserChanged, TransferError, adviser_label_for

from .. import services
from ..choices import VariableType
from ..forms import ClientForm, DeleteClientForm
from ..models import PaymentOrder
from ..selectors import (
    client_assignment_history,
    client_claims,
    client_contacts,
    client_payment_order_counts,
    client_payment_orders,
    client_references,
    get_claim_for_member,
    get_client_for_member,
)
from ..situation import project_today
from ..validation import FieldError, ProjectRules
from ..visibility import (
    OTHER_ADVISER,
    may_read_adviser,
    readable_adviser_ids,
    unreadable_adviser_users,
)

RECENT_ORDERS = 10


# Names clients/views/payment_orders.py imports from here (with safe_next,
# order_state and order_counts): the same helpers of moonflow.dialogs.
dialog = render_dialog
done = close_dialog


def detail_url(request, client) -> str:
    return reverse("clients:detail", kwargs={"project": request.project.slug, "pk": client.pk})


# --- Crear cliente ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def client_create(request):
    rules = ProjectRules.load(request.project)
    form = ClientForm(request.POST or None, member=request.member, rules=rules)
    if request.method == "POST" and form.is_valid():
        try:
            client = services.client_create(
                project=request.project,
                actor=request.user,
                member=request.member,
                **form.service_kwargs(),
            )
        except FieldError as error:
            form.add_field_error(error)
        else:
            return close_dialog(
                request,
                _("Cliente %(name)s creado.") % {"name": client.name},
                url=detail_url(request, client),
                redirect=True,
            )
    return render_dialog(
        request,
        "clients/record/client_form.html",
        {
            "form": form,
            "title": _("Crear cliente"),
            "form_action": reverse("clients:create", kwargs={"project": request.project.slug}),
            "submit_label": _("Crear cliente"),
        },
        back_url=reverse("clients:list", kwargs={"project": request.project.slug}),
        status=400 if request.method == "POST" else 200,
    )


# --- Detail ------------------------------------------------------------------------


def _extra_rows(client, rules: ProjectRules):
    """(label, shown value) of each custom variable, dates as dd/mm/aaaa."""
    rows = []
    for variable in rules.variables.values():
        value = client.extra.get(variable.key)
        if value in (None, ""):
            shown = "—"
        elif variable.type == VariableType.DATE:
            year, month, day = (str(value).split("-") + ["", ""])[:3]
            shown = f"{day}/{month}/{year}" if day else str(value)
        else:
            shown = value
        rows.append({"label": variable.label, "value": shown, "type": variable.type})
    return rows


def client_detail(request, pk):
    client = get_client_for_member(request.member, pk, include_deleted=True)
    today = project_today(request.project)
    rules = ProjectRules.load(request.project)
    orders = list(client_payment_orders(client=client, today=today)[:RECENT_ORDERS])
    assignments = list(client_assignment_history(client=client))
    readable = readable_adviser_ids(request.member)
    hidden_users = unreadable_adviser_users(
        request.member, readable, {a.changed_by_id for a in assignments} | {client.deleted_by_id}
    )
    for assignment in assignments:
        assignment.adviser_readable = may_read_adviser(readable, assignment.adviser_id)
        assignment.changed_by_readable = assignment.changed_by_id not in hidden_users
    context = {
        "client": client,
        "adviser_readable": may_read_adviser(readable, client.adviser_id),
        "deleted_by_readable": client.deleted_by_id not in hidden_users,
        "section": "clients",
        "today": today,
        "orders": orders,
        "order_counts": order_counts(client, today),
        "assignments": assignments,
        "claims": client_claims(client=client),
        "contacts": client_contacts(client=client),
        "references": client_references(client=client),
        "extra_rows": _extra_rows(client, rules),
    }
    return render(request, "clients/record/client_detail.html", context)


def order_state(order, today) -> str:
    """vigente / vencida / pagada / anulada: `PaymentOrderQuerySet`'s rule for a loaded order."""
    return PaymentOrder.objects.state_of(order, today=today)


def order_counts(client, today) -> dict:
    """The client's orders per state, as the pages name them ("vigentes": n, …)."""
    counts = client_payment_order_counts(client=client, today=today)
    return {f"{state}s": n for state, n in counts.items()}


# --- Editar ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def client_edit(request, pk):
    client = get_client_for_member(request.member, pk, include_deleted=True)
    back_url = safe_next(request, detail_url(request, client))
    if client.is_deleted:
        return render_dialog(
            request,
            "clients/record/client_in_bin.html",
            {"client": client, "title": _("Editar cliente: %(name)s") % {"name": client.name}},
            back_url=back_url,
            status=409,
        )
    rules = ProjectRules.load(request.project)
    form = ClientForm(request.POST or None, member=request.member, rules=rules, client=client)
    adviser_hidden = not may_read_adviser(readable_adviser_ids(request.member), client.adviser_id)
    if adviser_hidden:
        hide_adviser_code(form)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        if adviser_hidden and kwargs.get("adviser") is None:
            # The empty field stands for the adviser the member may not read.
            kwargs.pop("adviser", None)
        try:
            services.client_update(
                client=client, actor=request.user, member=request.member, **kwargs
            )
        except FieldError as error:
            form.add_field_error(error)
        except AdviserChanged:
            client = get_client_for_member(request.member, pk, include_deleted=True)
            form.show_stored_assignment(client)
            form.add_error("adviser_code", _(
                "El cliente cambió de asesor mientras este diálogo estaba abierto: ahora lo "
                "tiene %(who)s. No se guardó ningún cambio; revise el Asesor ID y guarde de "
                "nuevo.") % {"who": adviser_label_for(request.member, client)})
        except TransferError as error:
            form.add_error("adviser_code", str(error))
        else:
            return close_dialog(
                request, _("Cliente %(name)s guardado.") % {"name": client.name}, url=back_url
            )
    return render_dialog(
        request,
        "clients/record/client_form.html",
        {
            "form": form,
            "client": client,
            "title": _("Editar cliente: %(name)s") % {"name": client.name},
            "form_action": reverse(
                "clients:edit", kwargs={"project": request.project.slug, "pk": client.pk}
            ),
            "submit_label": _("Guardar"),
            "next": request.GET.get("next") or request.POST.get("next", ""),
        },
        back_url=back_url,
        status=400 if request.method == "POST" else 200,
    )


def hide_adviser_code(form) -> None:
    """Send no Asesor ID of an adviser the member may not read: the field starts empty.

    It reads "Otro asesor"; left empty, the client keeps its adviser, and a
    member who assigns clients may still type another Asesor ID.
    """
    form.initial["adviser_code"] = ""
    field = form.fields["adviser_code"]
    field.widget.attrs["placeholder"] = str(OTHER_ADVISER)
    if not field.disabled:
        field.help_text = _(
            "El cliente está asignado a otro asesor. Escriba un Asesor ID para reasignarlo; "
            "déjelo vacío para conservar su asesor."
        )


# --- Eliminar / Recuperar ------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def client_delete(request, pk):
    client = get_client_for_member(request.member, pk, include_deleted=True)
    back_url = safe_next(request, detail_url(request, client))
    if client.is_deleted:
        return render_dialog(
            request,
            "clients/record/client_in_bin.html",
            {"client": client, "title": _("Eliminar cliente: %(name)s") % {"name": client.name}},
            back_url=back_url,
        )
    form = DeleteClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.client_delete(client=client, actor=request.user, reason=form.cleaned_data["reason"])
        return close_dialog(
            request,
            _("Cliente %(name)s enviado a la papelera. Puede recuperarlo durante 14 días.")
            % {"name": client.name},
            url=back_url,
        )
    return render_dialog(
        request,
        "clients/record/client_delete.html",
        {
            "form": form,
            "client": client,
            "title": _("Eliminar cliente: %(name)s") % {"name": client.name},
            "form_action": reverse(
                "clients:delete", kwargs={"project": request.project.slug, "pk": client.pk}
            ),
            "next": request.GET.get("next") or request.POST.get("next", ""),
        },
        back_url=back_url,
    )


@require_POST
def client_restore(request, pk):
    client = get_client_for_member(request.member, pk, include_deleted=True)
    was_deleted = client.is_deleted
    services.client_restore(client=client, actor=request.user)
    if was_deleted:
        message = _("Cliente %(name)s recuperado con todos sus datos.") % {"name": client.name}
    else:
        message = _("El cliente %(name)s no estaba en la papelera.") % {"name": client.name}
    return close_dialog(request, message, url=safe_next(request, detail_url(request, client)))


@require_POST
def claim_close(request, pk, claim_pk):
    client = get_client_for_member(request.member, pk)
    claim = get_claim_for_member(request.member, claim_pk, client=client)
    services.claim_close(claim=claim, actor=request.user)
    return close_dialog(
        request,
        _("Reclamo «%(category)s» cerrado.") % {"category": claim.get_category_display()},
        url=detail_url(request, client),
    )


urlpatterns = [
    path("clientes/nuevo/", client_create, name="create"),
    path("clientes/<int:pk>/", client_detail, name="detail"),
    path("clientes/<int:pk>/editar/", client_edit, name="edit"),
    path("clientes/<int:pk>/eliminar/", client_delete, name="delete"),
    path("clientes/<int:pk>/recuperar/", client_restore, name="restore"),
    path("clientes/<int:pk>/reclamos/<int:claim_pk>/cerrar/", claim_close, name="claim_close"),
]
