"""Órdenes de pago: one client's orders (the eye "Ver órdenes de pago"), the
side menu's tray of every visible order, and the create / edit / pay / annul
dialogs. Every change goes through clients.services, which recomputes the
client's situation in the same transaction.

"Vencida" is not stored: it is a pending order whose due date is before
today in the project's timezone. Pages use keyset pagination on
(due_date, id), so a page costs the same at any depth.
"""

from datetime import date

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import services
from ..choices import PaymentOrderStatus
from ..forms import PaymentOrderFilterForm, PaymentOrderForm
from ..models import PaymentOrder
from ..selectors import get_client_for_member, payment_order_base_queryset
from ..situation import project_today
from moonflow.lists.totals import page_total
from ..validation import FieldError
from .record import dialog, done, order_counts, order_state, safe_next

PAGE_SIZE = 50


def _apply_filters(qs, filters: dict, today: date):
    status = filters.get("status")
    if status == "vigente":
        qs = qs.filter(status=PaymentOrderStatus.PENDING, due_date__gte=today)
    elif status == "vencida":
        qs = qs.filter(status=PaymentOrderStatus.PENDING, due_date__lt=today)
    elif status == "pagada":
        qs = qs.filter(status=PaymentOrderStatus.PAID)
    elif status == "anulada":
        qs = qs.filter(status=PaymentOrderStatus.ANNULLED)
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("due_from"):
        qs = qs.filter(due_date__gte=filters["due_from"])
    if filters.get("due_to"):
        qs = qs.filter(due_date__lte=filters["due_to"])
    q = filters.get("q", "").strip()
    if q:
        compact = q.replace(".", "").replace(" ", "")
        qs = qs.filter(
            Q(client__name__icontains=q)
            | Q(client__document_number__startswith=compact.upper())
            | Q(number__iexact=q)
        )
    return qs


def _parse_cursor(value: str | None):
    """ "aaaa-mm-dd.id" → (date, id), or None for a missing or broken cursor."""
    if not value:
        return None
    try:
        day, pk = value.split(".", 1)
        return date.fromisoformat(day), int(pk)
    except ValueError:
        return None


def _cursor(order) -> str:
    return f"{order.due_date.isoformat()}.{order.pk}"


def keyset_page(qs, request, *, size: int | None = None):
    """One page of `qs` by (due_date, id), forwards (after=) or backwards (before=)."""
    size = size or PAGE_SIZE
    after = _parse_cursor(request.GET.get("after"))
    before = _parse_cursor(request.GET.get("before"))
    if (request.GET.get("after") and not after) or (request.GET.get("before") and not before):
        messages.warning(
            request, _("El enlace de página no es válido o caducó: se muestra la primera página.")
        )
    if before and not after:
        day, pk = before
        rows = list(
            qs.filter(Q(due_date__lt=day) | Q(due_date=day, pk__lt=pk)).order_by("-due_date", "-id")[
                : size + 1
            ]
        )
        has_prev = len(rows) > size
        rows = rows[:size][::-1]
        has_next = True
    else:
        if after:
            day, pk = after
            qs = qs.filter(Q(due_date__gt=day) | Q(due_date=day, pk__gt=pk))
        rows = list(qs.order_by("due_date", "id")[: size + 1])
        has_next = len(rows) > size
        rows = rows[:size]
        has_prev = after is not None
    params = request.GET.copy()
    params.pop("after", None)
    params.pop("before", None)
    base = params.urlencode()

    def link(key, order):
        query = f"{base}&" if base else ""
        return "?" + query + urlencode({key: _cursor(order)})

    return {
        "rows": rows,
        "whole": not has_prev and not has_next,  # the first page holds every row
        "next_url": link("after", rows[-1]) if has_next and rows else None,
        "prev_url": link("before", rows[0]) if has_prev and rows else None,
        "first_url": "?" + base if has_prev else None,
    }


def _chips(form: PaymentOrderFilterForm, request) -> list[dict]:
    """The active filters as readable labels, each with the URL that removes it."""
    chips = []
    for name, value in form.filters().items():
        field = form.fields[name]
        if isinstance(value, date):
            shown = value.strftime("%d/%m/%Y")
        elif hasattr(field, "choices"):
            shown = dict(field.choices).get(value, value)
        else:
            shown = value
        params = request.GET.copy()
        for key in (name, "after", "before"):
            params.pop(key, None)
        chips.append({"label": field.label, "value": shown, "url": "?" + params.urlencode()})
    return chips


def _decorate(rows, today):
    for order in rows:
        order.state = order_state(order, today)
    return rows


def _get_order(request, pk) -> PaymentOrder:
    """An order of a visible, not-deleted client of this project; otherwise 404."""
    order = (
        payment_order_base_queryset(member=request.member)
        .select_related("client__project")
        .filter(pk=pk)
        .first()
    )
    if order is None:
        raise Http404("No such payment order")
    return order


# --- Lists ---------------------------------------------------------------------------


def client_payment_orders(request, pk):
    client = get_client_for_member(request.member, pk, include_deleted=True)
    today = project_today(request.project)
    form = PaymentOrderFilterForm(request.GET or None, with_client_search=False)
    qs = PaymentOrder.objects.filter(project_id=client.project_id, client=client)
    qs = _apply_filters(qs, form.filters(), today)
    page = keyset_page(qs, request)
    context = {
        "client": client,
        "form": form,
        "chips": _chips(form, request),
        "page": page,
        "orders": _decorate(page["rows"], today),
        "counts": order_counts(client, today),
        "active_status": form.filters().get("status", ""),
        "today": today,
        "section": "clients",
        "here": request.get_full_path(),
    }
    return render(request, "clients/payment_orders/client_orders.html", context)


def payment_order_tray(request):
    today = project_today(request.project)
    form = PaymentOrderFilterForm(request.GET or None)
    qs = payment_order_base_queryset(member=request.member).select_related("client")
    qs = _apply_filters(qs, form.filters(), today)
    page = keyset_page(qs, request)
    total = page_total(qs, rows=len(page["rows"]), whole=page["whole"],
                       noun_singular=_("orden"), noun_plural=_("órdenes"))
    context = {
        "form": form,
        "chips": _chips(form, request),
        "page": page,
        "orders": _decorate(page["rows"], today),
        "total": total,
        "today": today,
        "section": "payment_orders",
        "here": request.get_full_path(),
    }
    return render(request, "clients/payment_orders/tray.html", context)


# --- Dialogs -------------------------------------------------------------------------


def _orders_url(request, client) -> str:
    return reverse(
        "clients:client_payment_orders", kwargs={"project": request.project.slug, "pk": client.pk}
    )


def _attach(form, error: FieldError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error)


@require_http_methods(["GET", "POST"])
def payment_order_create(request, pk):
    # Orders are added to clients outside the recycle bin only.
    client = get_client_for_member(request.member, pk)
    form = PaymentOrderForm(request.POST or None, project=request.project)
    back_url = safe_next(request, _orders_url(request, client))
    if request.method == "POST" and form.is_valid():
        try:
            order = services.payment_order_create(
                client=client, actor=request.user, **form.clean_values
            )
        except FieldError as error:
            _attach(form, error)
        else:
            return done(
                request,
                _("Orden de pago %(number)s creada.") % {"number": order.number},
                url=back_url,
            )
    return dialog(
        request,
        "clients/payment_orders/order_form.html",
        {
            "form": form,
            "client": client,
            "title": _("Crear orden de pago: %(name)s") % {"name": client.name},
            "form_action": reverse(
                "clients:payment_order_create",
                kwargs={"project": request.project.slug, "pk": client.pk},
            ),
            "submit_label": _("Crear orden de pago"),
            "next": request.GET.get("next") or request.POST.get("next", ""),
        },
        back_url=back_url,
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def payment_order_edit(request, pk):
    order = _get_order(request, pk)
    back_url = safe_next(request, _orders_url(request, order.client))
    form = PaymentOrderForm(request.POST or None, project=request.project, order=order)
    editable = order.status == PaymentOrderStatus.PENDING
    if request.method == "POST" and editable and form.is_valid():
        try:
            services.payment_order_update(order=order, actor=request.user, **form.clean_values)
        except FieldError as error:
            _attach(form, error)
        else:
            return done(
                request,
                _("Orden de pago %(number)s guardada.") % {"number": order.number},
                url=back_url,
            )
    return dialog(
        request,
        "clients/payment_orders/order_form.html",
        {
            "form": form,
            "client": order.client,
            "order": order,
            "editable": editable,
            "title": _("Editar orden de pago %(number)s") % {"number": order.number},
            "form_action": reverse(
                "clients:payment_order_edit", kwargs={"project": request.project.slug, "pk": pk}
            )
            if editable
            else None,
            "submit_label": _("Guardar"),
            "next": request.GET.get("next") or request.POST.get("next", ""),
        },
        back_url=back_url,
        status=400 if request.method == "POST" else 200,
    )


def _order_action(request, pk, *, action: str):
    order = _get_order(request, pk)
    back_url = safe_next(request, _orders_url(request, order.client))
    error = None
    if request.method == "POST":
        try:
            if action == "pay":
                services.payment_order_mark_paid(order=order, actor=request.user)
                message = _("Orden de pago %(number)s marcada como pagada.")
            else:
                services.payment_order_annul(order=order, actor=request.user)
                message = _("Orden de pago %(number)s anulada.")
        except FieldError as exc:
            error = exc.text
        else:
            return done(request, message % {"number": order.number}, url=back_url)
    order.state = order_state(order, project_today(request.project))
    if action == "pay":
        title = _("Marcar como pagada: %(number)s") % {"number": order.number}
        url_name = "clients:payment_order_pay"
    else:
        title = _("Anular orden de pago %(number)s") % {"number": order.number}
        url_name = "clients:payment_order_annul"
    return dialog(
        request,
        "clients/payment_orders/order_confirm.html",
        {
            "order": order,
            "action": action,
            "error": error,
            "title": title,
            "form_action": reverse(url_name, kwargs={"project": request.project.slug, "pk": pk})
            if order.status == PaymentOrderStatus.PENDING
            else None,
            "next": request.GET.get("next") or request.POST.get("next", ""),
        },
        back_url=back_url,
        status=409 if error else 200,
    )


@require_http_methods(["GET", "POST"])
def payment_order_pay(request, pk):
    return _order_action(request, pk, action="pay")


@require_http_methods(["GET", "POST"])
def payment_order_annul(request, pk):
    return _order_action(request, pk, action="annul")


urlpatterns = [
    path("ordenes-de-pago/", payment_order_tray, name="payment_orders"),
    path("ordenes-de-pago/<int:pk>/editar/", payment_order_edit, name="payment_order_edit"),
    path("ordenes-de-pago/<int:pk>/pagar/", payment_order_pay, name="payment_order_pay"),
    path("ordenes-de-pago/<int:pk>/anular/", payment_order_annul, name="payment_order_annul"),
    path("clientes/<int:pk>/ordenes/", client_payment_orders, name="client_payment_orders"),
    path(
        "clientes/<int:pk>/ordenes/nueva/", payment_order_create, name="payment_order_create"
    ),
]
