"""/api/v1/payment-orders/ and /api/v1/clients/{id}/payment-orders/: the Órdenes de pago
lists (clients.order_lists, their filters and search), one order, create, update, and a
batch through the payment orders importer (api.bulk)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from clients.models import PaymentOrder
from clients.order_lists import PAYMENT_ORDERS, PaymentOrderList
from clients.selectors import (
    get_client_for_member,
    get_payment_order_for_member,
    payment_order_base_queryset,
)
from clients.situation import project_today
from moonflow.lists.listing import list_query

from ..bulk import BulkTarget
from ..idempotency import run_idempotent
from ..order_input import payment_order_create_from_api, payment_order_update_from_api
from ..pagination import CURSOR_PARAM, PAGE_SIZE_PARAM, list_params, page_link, read_page
from ..problems import ProblemError
from ..serializers.payment_orders import (
    BULK_ORDER_FIELDS,
    PaymentOrderBulkAnswerSerializer,
    PaymentOrderBulkSerializer,
    PaymentOrderInputSerializer,
    PaymentOrderPageSerializer,
    PaymentOrderSerializer,
    order_field_name,
)
from .base import ApiView
from .bulk import require_importer, run_bulk
from .clients import IDEMPOTENCY_PARAMETER
from .examples import IN_RECYCLE_BIN, MAY_NOT_IMPORT, PROBLEM_RESPONSES, REUSED_KEY

ORDER_EXAMPLE = {
    "id": 31, "clientId": 12, "number": "FAC-000123", "kind": "invoice", "kindLabel": "Factura",
    "amount": "1250000.00", "interest": "0.00", "discounts": "0.00", "payments": "400000.00",
    "total": "850000.00", "currency": "COP", "issuedOn": "2026-03-01", "dueDate": "2026-03-31",
    "status": "pending", "state": "vigente", "paidAt": None, "annulledAt": None,
    "createdAt": "2026-03-02T10:15:00-05:00", "updatedAt": "2026-03-02T10:15:00-05:00",
}
ORDER_INPUT_EXAMPLE = {"number": "FAC-000123", "kind": "invoice", "amount": "1250000.00",
                       "payments": "400000", "issuedOn": "2026-03-01", "dueDate": "2026-03-31"}
PAGE_EXAMPLE = {"results": [ORDER_EXAMPLE], "next": None, "previous": None,
                "total": {"value": 1, "exact": True}}
BULK_EXAMPLE = {"scope": None, "paymentOrders": [
    {"documentType": "CC", "documentNumber": "1020304050", "number": "FAC-000123",
     "amount": 1250000, "balance": 850000, "dueDate": "2026-03-31"},
    {"documentType": "NIT", "documentNumber": "900123456-8", "number": "FAC-000124",
     "kind": "installment", "amount": "2.500.000,00", "dueDate": "30/04/2026"}]}
BULK_ANSWER_EXAMPLE = {
    "job": {"id": 44, "url": "/api/v1/jobs/44/", "status": "succeeded"},
    "counts": {"read": 2, "created": 1, "updated": 1, "restored": 0, "transferred": 0,
               "deleted": 0, "failed": 0, "unchanged": 0},
    "results": [
        {"index": 0, "documentType": "CC", "documentNumber": "1020304050",
         "number": "FAC-000123", "result": "updated", "clientId": 12, "paymentOrderId": 31,
         "errors": []},
        {"index": 1, "documentType": "NIT", "documentNumber": "900123456",
         "number": "FAC-000124", "result": "created", "clientId": 13, "paymentOrderId": 32,
         "errors": []}]}

LIST_DESCRIPTION = (
    "Takes the Órdenes de pago list's query parameters as they are: `q` (the order's number "
    "or, in the whole list, its client as the clients' search finds it), `estado` (vigente, "
    "vencida, pagada, anulada), `tipo` (installment, invoice, payment_plan, receipt), "
    "`vence_desde` / `vence_hasta` (the due date, dd/mm/aaaa or aaaa-mm-dd); the list comes "
    "by due date (`orden=due_date` or `-due_date`); `cursor` and `pageSize` page it.")
LIST_PARAMETERS = [
    OpenApiParameter(CURSOR_PARAM, OpenApiTypes.STR, description="`next` / `previous`"),
    OpenApiParameter(PAGE_SIZE_PARAM, OpenApiTypes.INT, description="1 to 100 (50)"),
    OpenApiParameter("q", OpenApiTypes.STR, description="Search"),
    OpenApiParameter("estado", OpenApiTypes.STR, many=True),
    OpenApiParameter("tipo", OpenApiTypes.STR, many=True),
]

TARGET = BulkTarget("payment_orders", tuple(BULK_ORDER_FIELDS.values()))


def _orders(member):
    return payment_order_base_queryset(member=member).with_state(
        today=project_today(member.project))


def order_body(member, pk) -> dict:
    """One order as the API returns it (re-read with its state on the project's today)."""
    return PaymentOrderSerializer(_orders(member).get(pk=pk)).data


def order_location(order) -> str:
    return reverse("api:payment_order", kwargs={"pk": order.pk})


def order_page(request, member, spec) -> Response:
    query = list_query(spec, member=member, params=list_params(request.GET))
    page = read_page(query, member=member, query=request.GET, noun_singular="orden",
                     noun_plural="órdenes")
    ids = [row["id"] for row in page.page.rows]
    found = PaymentOrder.objects.filter(project_id=member.project_id, pk__in=ids).with_state(
        today=project_today(member.project)).in_bulk()
    return Response({
        "results": PaymentOrderSerializer([found[pk] for pk in ids if pk in found],
                                          many=True).data,
        "next": page_link(request, page.next_cursor),
        "previous": page_link(request, page.previous_cursor),
        "total": {"value": page.total.value, "exact": page.total.exact},
    })


class PaymentOrderListView(ApiView):
    @extend_schema(operation_id="payment_orders_list",
                   summary="Payment orders of the clients this key sees",
                   description=LIST_DESCRIPTION, parameters=LIST_PARAMETERS,
                   responses={200: PaymentOrderPageSerializer, **PROBLEM_RESPONSES},
                   examples=[OpenApiExample("A page", value=PAGE_EXAMPLE, response_only=True)])
    def get(self, request):
        return order_page(request, self.member, PAYMENT_ORDERS)


class ClientPaymentOrdersView(ApiView):
    @extend_schema(operation_id="clients_payment_orders_list",
                   summary="One client's payment orders (also of a client in the bin)",
                   description=LIST_DESCRIPTION, parameters=LIST_PARAMETERS,
                   responses={200: PaymentOrderPageSerializer, **PROBLEM_RESPONSES},
                   examples=[OpenApiExample("A page", value=PAGE_EXAMPLE, response_only=True)])
    def get(self, request, pk):
        client = get_client_for_member(self.member, pk, include_deleted=True)
        return order_page(request, self.member, PaymentOrderList(client))

    @extend_schema(operation_id="clients_payment_orders_create",
                   summary="Create a payment order for the client",
                   request=PaymentOrderInputSerializer, parameters=[IDEMPOTENCY_PARAMETER],
                   responses={201: PaymentOrderSerializer, **PROBLEM_RESPONSES,
                              **IN_RECYCLE_BIN, **REUSED_KEY},
                   examples=[OpenApiExample("New order", value=ORDER_INPUT_EXAMPLE,
                                            request_only=True),
                             OpenApiExample("Created", value=ORDER_EXAMPLE, response_only=True,
                                            status_codes=["201"])])
    def post(self, request, pk):
        member = self.member
        client = get_client_for_member(member, pk, include_deleted=True)
        if client.is_deleted:
            raise ProblemError(409, _("El cliente está en la papelera: recupérelo antes de "
                                      "modificarlo."), code="client-in-recycle-bin")

        def write():
            serializer = PaymentOrderInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            order = payment_order_create_from_api(member=member, client=client,
                                                  data=serializer.form_data())
            return Response(order_body(member, order.pk), status=status.HTTP_201_CREATED,
                            headers={"Location": order_location(order)})

        return run_idempotent(request, write)


class PaymentOrderDetailView(ApiView):
    @extend_schema(operation_id="payment_orders_retrieve", summary="One payment order",
                   responses={200: PaymentOrderSerializer, **PROBLEM_RESPONSES},
                   examples=[OpenApiExample("An order", value=ORDER_EXAMPLE,
                                            response_only=True)])
    def get(self, request, pk):
        order = get_payment_order_for_member(self.member, pk)
        return Response(order_body(self.member, order.pk))

    @extend_schema(operation_id="payment_orders_update",
                   summary="Change some fields of a pending payment order",
                   description="Paid and annulled orders are history: changing one is refused "
                               "(400, naming `status`).",
                   request=PaymentOrderInputSerializer,
                   responses={200: PaymentOrderSerializer, **PROBLEM_RESPONSES},
                   examples=[OpenApiExample("A new due date", request_only=True,
                                            value={"dueDate": "2026-04-30"}),
                             OpenApiExample("Updated", value=ORDER_EXAMPLE,
                                            response_only=True)])
    def patch(self, request, pk):
        member = self.member
        order = get_payment_order_for_member(member, pk)
        serializer = PaymentOrderInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment_order_update_from_api(member=member, order=order, data=serializer.form_data())
        return Response(order_body(member, order.pk))


def _order_rows_json(member):
    def rows_json(rows: list[dict], job) -> list[dict]:
        numbers = [row["cells"].get("number", "") for row in rows]
        ids = dict(payment_order_base_queryset(member=member).filter(
            number__in=numbers).values_list("number", "id"))
        return [{
            "index": row["index"], "documentType": row["cells"].get("document_type", ""),
            "documentNumber": row["cells"].get("document_number", ""),
            "number": row["cells"].get("number", ""), "result": row["result"],
            "clientId": row["client_id"],
            "paymentOrderId": (ids.get(row["cells"].get("number", ""))
                               if row["result"] != "failed" else None),
            "errors": [{"field": order_field_name(e["column"]), "message": e["message"]}
                       for e in row["errors"]],
        } for row in rows]

    return rows_json


class PaymentOrderBulkView(ApiView):
    @extend_schema(
        operation_id="payment_orders_bulk_upsert",
        summary="Create or update many payment orders (the import engine)",
        description=(
            "Each row names its client by external ID (the client must exist, outside the "
            "recycle bin) and its order by number (unique in the project: a number of "
            "another client's order is refused, never moved). Up to API_BULK_SYNC_MAX rows "
            "(5,000) are written by the request and answered row by row (created, updated, "
            "unchanged, failed with the field and message), as the Órdenes de pago import "
            "does; a larger batch, or `async: true`, becomes a job (202). `balance` (Saldo) "
            "with `amount` gives the payments. A blank value never overwrites a stored one."),
        request=PaymentOrderBulkSerializer, parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: PaymentOrderBulkAnswerSerializer, 202: PaymentOrderBulkAnswerSerializer,
                   **PROBLEM_RESPONSES, **MAY_NOT_IMPORT, **REUSED_KEY},
        examples=[OpenApiExample("Two orders", value=BULK_EXAMPLE, request_only=True),
                  OpenApiExample("Row by row", value=BULK_ANSWER_EXAMPLE, response_only=True,
                                 status_codes=["200"]),
                  OpenApiExample("As a job", response_only=True, status_codes=["202"], value={
                      "job": {"id": 45, "url": "/api/v1/jobs/45/", "status": "queued"},
                      "detail": "El lote se importa como proceso #45."})],
    )
    def post(self, request):
        member = self.member
        require_importer(member, _("Solo los administradores y los supervisores que ven toda "
                                   "la cartera importan órdenes de pago."))
        serializer = PaymentOrderBulkSerializer(data=request.data, project=member.project)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        return run_bulk(request, member=member, target=TARGET, rows=data["paymentOrders"],
                        asynchronous=data["async"], rows_json=_order_rows_json(member),
                        scope_adviser=data.get("scope"))
