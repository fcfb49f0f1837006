"""Órdenes de pago: one client's orders (the eye "Ver órdenes de pago"), the
side menu's tray of every visible order, and the create / edit / pay / annul
dialogs. Both lists are the list kernel's (clients/order_lists.py); every
change goes through clients.services, which recomputes the client's situation
in the same transaction.
"""

from django.shortcuts import render
from django.urls import path, reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from moonflow.lists.views import list_view_patterns

from .. import services
from ..choices import PaymentOrderStatus
from ..forms import PaymentOrderForm
from ..order_lists import PAYMENT_ORDERS, build_order_tray, export_payment_orders_task
from ..selectors import get_client_for_member, get_payment_order_for_member
from ..situation import project_today
from ..validation import FieldError
from .record import dialog, done, order_counts, order_state, safe_next

TEMPLATE_PARTIAL = "clients/payment_orders/tray.html"


def _is_partial(request) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def _list_response(request, template: str, context: dict):
    partial = _is_partial(request)
    response = render(request, TEMPLATE_PARTIAL if partial else template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- Lists ---------------------------------------------------------------------------


def client_payment_orders(request, pk):
    client = get_client_for_member(request.member, pk, include_deleted=True)
    here = request.get_full_path()
    tray = build_order_tray(member=request.member, params=request.GET, client=client, here=here)
    return _list_response(request, "clients/payment_orders/client_orders.html", {
        "client": client,
        "tray": tray,
        "counts": order_counts(client, project_today(request.project)),
        "active_status": tray.params.get("estado", ""),
        "section": "clients",
        "here": here,
        "list_url": reverse("clients:client_payment_orders",
                            kwargs={"project": request.project.slug, "pk": client.pk}),
    })


def payment_order_tray(request):
    here = request.get_full_path()
    tray = build_order_tray(member=request.member, params=request.GET, here=here)
    return _list_response(request, "clients/payment_orders/tray_page.html", {
        "tray": tray,
        "section": "payment_orders",
        "here": here,
        "list_url": reverse("clients:payment_orders", kwargs={"project": request.project.slug}),
    })


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
    order = get_payment_order_for_member(request.member, pk)
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
    order = get_payment_order_for_member(request.member, pk)
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
    *list_view_patterns(
        PAYMENT_ORDERS, prefix="ordenes-de-pago/", download_task=export_payment_orders_task,
        names={
            "columns": "payment_order_columns",
            "view_create": "payment_order_view_create",
            "view_delete": "payment_order_view_delete",
            "download": "payment_order_download",
        },
    ),
    path("ordenes-de-pago/<int:pk>/editar/", payment_order_edit, name="payment_order_edit"),
    path("ordenes-de-pago/<int:pk>/pagar/", payment_order_pay, name="payment_order_pay"),
    path("ordenes-de-pago/<int:pk>/anular/", payment_order_annul, name="payment_order_annul"),
    path("clientes/<int:pk>/ordenes/", client_payment_orders, name="client_payment_orders"),
    path(
        "clientes/<int:pk>/ordenes/nueva/", payment_order_create, name="payment_order_create"
    ),
]
