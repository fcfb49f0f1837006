"""The client record: Crear cliente, the detail page, Editar, Eliminar, Recuperar.

Dialogs load into base.html's #modal through htmx; a valid submission answers
204 with `HX-Refresh` (the page under the dialog, tray or detail, reloads
with its filters and shows the flash message) or `HX-Redirect` (a new client
opens its detail). An invalid one re-renders the form inside the dialog.
Opened without htmx (a direct link), the same views render a full page and
redirect with a flash message.

Every client is reached through `get_client_for_member`, so a client of
another project, or one a restricted adviser may not see, answers 404 here
exactly like a missing one; deleted clients are reachable (include_deleted)
so that they can be seen and recovered from the recycle bin.

Advisers are named by `clients.visibility.readable_adviser_ids`: a restricted
member who sees a client through a portfolio reads another adviser as "Otro
asesor", with no Asesor ID, on the page (adviser, assignment history, who
changed or deleted it) and in the edit dialog.
"""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from interactions.selectors import client_interactions

from .. import services
from ..choices import PaymentOrderStatus, VariableType
from ..forms import ClientForm, DeleteClientForm
from ..models import ClientAssignment, PaymentOrder
from ..selectors import get_client_for_member
from ..situation import project_today
from ..validation import FieldError, ProjectRules
from ..visibility import (
    OTHER_ADVISER,
    may_read_adviser,
    readable_adviser_ids,
    unreadable_adviser_users,
)

RECENT_ORDERS = 10
RECENT_INTERACTIONS = 5


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def dialog(request, template: str, context: dict, *, back_url: str, status: int = 200):
    """Render a dialog into #modal-content, or as a page when opened directly."""
    context["dialog_base"] = (
        "partials/dialog_modal.html" if is_htmx(request) else "partials/dialog_page.html"
    )
    context["back_url"] = back_url
    # htmx swaps only 2xx answers: an invalid form inside the dialog stays 200.
    return render(request, template, context, status=200 if is_htmx(request) else status)


def done(request, message: str, *, url: str, refresh: bool = True):
    """Close the dialog after a change: reload the page beneath, or go to `url`."""
    messages.success(request, message)
    if is_htmx(request):
        header = {"HX-Refresh": "true"} if refresh else {"HX-Redirect": url}
        return HttpResponse(status=204, headers=header)
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


def detail_url(request, client) -> str:
    return reverse("clients:detail", kwargs={"project": request.project.slug, "pk": client.pk})


def attach_service_error(form, error: FieldError) -> None:
    """Show a service's refusal next to the field it names (or above the form)."""
    field = error.field if error.field in form.fields else None
    if field is None and error.field == "adviser":
        field = "adviser_code"
    form.add_error(field, error)


# --- Crear cliente ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def client_create(request):
    rules = ProjectRules.load(request.project)
    form = ClientForm(request.POST or None, member=request.member, rules=rules)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        if not form.can_assign:
            # An adviser's new client is theirs: they would not see it otherwise.
            kwargs["adviser"] = request.member
        try:
            client = services.client_create(
                project=request.project, actor=request.user, member=request.member, **kwargs
            )
        except FieldError as error:
            attach_service_error(form, error)
        else:
            return done(
                request,
                _("Cliente %(name)s creado.") % {"name": client.name},
                url=detail_url(request, client),
                refresh=False,
            )
    return dialog(
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
    orders = list(
        PaymentOrder.objects.filter(project_id=client.project_id, client=client)
        .order_by("due_date", "id")[: RECENT_ORDERS]
    )
    for order in orders:
        order.state = order_state(order, today)
    assignments = list(
        ClientAssignment.objects.filter(project_id=client.project_id, client=client)
        .select_related("adviser__user", "changed_by", "job")
        .order_by("-started_at", "-id")
    )
    readable = readable_adviser_ids(request.member)
    hidden_users = unreadable_adviser_users(
        request.member, readable, {a.changed_by_id for a in assignments} | {client.deleted_by_id}
    )
    for assignment in assignments:
        assignment.adviser_readable = may_read_adviser(readable, assignment.adviser_id)
        assignment.changed_by_readable = assignment.changed_by_id not in hidden_users
    claims = client.claims.filter(project_id=client.project_id).prefetch_related("payment_orders")
    context = {
        "client": client,
        "adviser_readable": may_read_adviser(readable, client.adviser_id),
        "deleted_by_readable": client.deleted_by_id not in hidden_users,
        "section": "clients",
        "today": today,
        "orders": orders,
        "order_counts": order_counts(client, today),
        "assignments": assignments,
        "claims": claims,
        "contacts": client.contacts.filter(project_id=client.project_id).order_by("kind", "id"),
        "references": client.references.filter(project_id=client.project_id).order_by("name", "id"),
        "interactions": client_interactions(member=request.member, client=client)[
            :RECENT_INTERACTIONS
        ],
        "extra_rows": _extra_rows(client, rules),
        "portfolios": client.portfolio_memberships.filter(
            project_id=client.project_id, portfolio__active=True
        ).select_related("portfolio"),
    }
    return render(request, "clients/record/client_detail.html", context)


def order_state(order, today) -> str:
    """vigente / vencida / pagada / anulada: "vencida" is pending past its due date."""
    if order.status == PaymentOrderStatus.PAID:
        return "pagada"
    if order.status == PaymentOrderStatus.ANNULLED:
        return "anulada"
    return "vencida" if order.due_date < today else "vigente"


def order_counts(client, today) -> dict:
    return PaymentOrder.objects.filter(project_id=client.project_id, client=client).aggregate(
        vigentes=Count("id", filter=Q(status=PaymentOrderStatus.PENDING, due_date__gte=today)),
        vencidas=Count("id", filter=Q(status=PaymentOrderStatus.PENDING, due_date__lt=today)),
        pagadas=Count("id", filter=Q(status=PaymentOrderStatus.PAID)),
        anuladas=Count("id", filter=Q(status=PaymentOrderStatus.ANNULLED)),
    )


# --- Editar ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def client_edit(request, pk):
    client = get_client_for_member(request.member, pk, include_deleted=True)
    back_url = safe_next(request, detail_url(request, client))
    if client.is_deleted:
        return dialog(
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
            attach_service_error(form, error)
        else:
            return done(
                request, _("Cliente %(name)s guardado.") % {"name": client.name}, url=back_url
            )
    return dialog(
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
        return dialog(
            request,
            "clients/record/client_in_bin.html",
            {"client": client, "title": _("Eliminar cliente: %(name)s") % {"name": client.name}},
            back_url=back_url,
        )
    form = DeleteClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.client_delete(client=client, actor=request.user, reason=form.cleaned_data["reason"])
        return done(
            request,
            _("Cliente %(name)s enviado a la papelera. Puede recuperarlo durante 14 días.")
            % {"name": client.name},
            url=back_url,
        )
    return dialog(
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
    return done(request, message, url=safe_next(request, detail_url(request, client)))


@require_POST
def claim_close(request, pk, claim_pk):
    client = get_client_for_member(request.member, pk)
    claim = client.claims.filter(project_id=client.project_id, pk=claim_pk).first()
    if claim is None:
        raise Http404("No such claim")
    services.claim_close(claim=claim, actor=request.user)
    return done(
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
