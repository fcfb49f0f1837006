"""/api/v1/interactions/: the Interacciones tray's list (interactions.lists, its filters and
search), one record, and registering records — one or a batch — through the communications
importer (api.bulk). Nothing is ever sent: a record says what happened elsewhere."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from clients.visibility import readable_adviser_ids
from interactions.lists import INTERACTIONS
from interactions.selectors import interaction_base_queryset
from moonflow.lists.listing import list_query

from ..bulk import BulkTarget
from ..interaction_keys import interaction_ids
from ..pagination import CURSOR_PARAM, PAGE_SIZE_PARAM, list_params, page_link, read_page
from ..problems import problem_response
from ..serializers.interactions import (
    INTERACTION_FIELDS,
    InteractionBulkAnswerSerializer,
    InteractionBulkSerializer,
    InteractionInputSerializer,
    InteractionPageSerializer,
    InteractionSerializer,
    interaction_field_name,
)
from .base import ApiView
from .bulk import require_importer, run_bulk
from .clients import IDEMPOTENCY_PARAMETER
from .examples import MAY_NOT_IMPORT, PROBLEM_RESPONSES, REUSED_KEY

NOTHING_SENT = ("Records are only registered in the client's history (source \"Carga "
                "masiva\"): nothing is sent to anyone.")
INTERACTION_EXAMPLE = {
    "id": 501, "clientId": 12, "direction": "outbound", "channel": "whatsapp",
    "channelLabel": "WhatsApp", "scheduledAt": "2026-03-15T10:30:00-05:00",
    "sentAt": "2026-03-15T10:31:00-05:00", "campaignKind": "campaign",
    "campaign": "Cobranza marzo", "template": "Recordatorio de pago", "recipientKind": "client",
    "recipients": "+573001234567", "status": "delivered", "statusLabel": "Entregada",
    "adviserUserProjectId": "HV-001", "adviserName": "Helena Vargas", "errorMessage": "",
    "source": "uploaded", "outcome": "promise", "promiseAmount": "250000.00",
    "promiseDate": "2026-03-31", "createdAt": "2026-03-15T11:00:00-05:00",
}
INPUT_EXAMPLE = {
    "documentType": "CC", "documentNumber": "1020304050", "channel": "whatsapp",
    "scheduledAt": "2026-03-15T10:30:00-05:00", "recipients": "+57 300 123 4567",
    "status": "delivered", "campaignKind": "campaign", "campaign": "Cobranza marzo",
    "template": "Recordatorio de pago", "outcome": "promise", "promiseAmount": 250000,
    "promiseDate": "2026-03-31",
}
BULK_ANSWER_EXAMPLE = {
    "job": {"id": 46, "url": "/api/v1/jobs/46/", "status": "partial"},
    "counts": {"read": 2, "created": 1, "updated": 0, "restored": 0, "transferred": 0,
               "deleted": 0, "failed": 1, "unchanged": 0},
    "results": [
        {"index": 0, "documentType": "CC", "documentNumber": "1020304050",
         "result": "created", "clientId": 12, "interactionId": 501, "errors": []},
        {"index": 1, "documentType": "CC", "documentNumber": "55555", "result": "failed",
         "clientId": None, "interactionId": None, "errors": [
             {"field": "documentNumber", "message": "No existe el cliente CC 55555 en el "
              "proyecto: créelo antes de cargarle comunicaciones."}]}]}

TARGET = BulkTarget("interactions", tuple(INTERACTION_FIELDS.values()))
MAY_NOT_REGISTER = gettext_lazy("Solo los administradores y los supervisores que ven toda la "
                                "cartera cargan comunicaciones.")


def _records(member):
    return interaction_base_queryset(member=member).select_related("adviser__user")


def interaction_body(member, record) -> dict:
    return InteractionSerializer(record, context={
        "readable_adviser_ids": readable_adviser_ids(member)}).data


def _errors(row: dict) -> list[dict]:
    return [{"field": interaction_field_name(e["column"]), "message": e["message"]}
            for e in row["errors"]]


class InteractionListView(ApiView):
    @extend_schema(
        operation_id="interactions_list", summary="Interactions of the clients this key sees",
        description=(
            "Takes the Interacciones tray's query parameters as they are: `envio_desde` / "
            "`envio_hasta` (Fecha de envío, dd/mm/aaaa; without them, the last 7 days), "
            "`tipo` (outbound, inbound), `estado`, `canal`, `asesor` (member id or "
            "`ninguno`), `flujo`, `campana`, `plantilla`, `origen`, `resultado`, `q` (the "
            "client, as the clients' search finds it) and `orden`; `cursor` and `pageSize` "
            "page it. " + NOTHING_SENT),
        parameters=[
            OpenApiParameter(CURSOR_PARAM, OpenApiTypes.STR, description="`next` / `previous`"),
            OpenApiParameter(PAGE_SIZE_PARAM, OpenApiTypes.INT, description="1 to 100 (50)"),
            OpenApiParameter("envio_desde", OpenApiTypes.STR, description="dd/mm/aaaa"),
            OpenApiParameter("envio_hasta", OpenApiTypes.STR, description="dd/mm/aaaa"),
            OpenApiParameter("canal", OpenApiTypes.STR, many=True),
            OpenApiParameter("estado", OpenApiTypes.STR, many=True),
        ],
        responses={200: InteractionPageSerializer, **PROBLEM_RESPONSES},
        examples=[OpenApiExample("A page", response_only=True, value={
            "results": [INTERACTION_EXAMPLE], "next": None, "previous": None,
            "total": {"value": 1, "exact": True}})],
    )
    def get(self, request):
        member = self.member
        query = list_query(INTERACTIONS, member=member, params=list_params(request.GET))
        page = read_page(query, member=member, query=request.GET, noun_singular="interacción",
                         noun_plural="interacciones")
        ids = [row["id"] for row in page.page.rows]
        found = _records(member).in_bulk(ids)
        readable = readable_adviser_ids(member)
        return Response({
            "results": InteractionSerializer([found[pk] for pk in ids if pk in found], many=True,
                                             context={"readable_adviser_ids": readable}).data,
            "next": page_link(request, page.next_cursor),
            "previous": page_link(request, page.previous_cursor),
            "total": {"value": page.total.value, "exact": page.total.exact},
        })

    @extend_schema(
        operation_id="interactions_create",
        summary="Register one interaction made outside Moonflow (nothing is sent)",
        description=(
            "The record goes through the communications importer, like a one-row file "
            "(Crear comunicaciones masivas): the client must exist outside the recycle bin; "
            "the adviser is the Asesor ID given, else the client's. 201 with the record; the "
            "same record again (same client, channel, send date, recipients, template, "
            "campaign and direction) is not registered twice: 200 with the one there. "
            + NOTHING_SENT),
        request=InteractionInputSerializer, parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: InteractionSerializer, 200: InteractionSerializer,
                   202: InteractionBulkAnswerSerializer, **PROBLEM_RESPONSES,
                   **MAY_NOT_IMPORT, **REUSED_KEY},
        examples=[OpenApiExample("A WhatsApp message with a promise", value=INPUT_EXAMPLE,
                                 request_only=True),
                  OpenApiExample("Registered", value=INTERACTION_EXAMPLE, response_only=True,
                                 status_codes=["201", "200"])],
    )
    def post(self, request):
        member = self.member
        require_importer(member, MAY_NOT_REGISTER)
        serializer = InteractionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rows = [serializer.cells()]

        def answer(job, results):
            [row] = results
            if row["result"] == "failed":
                return problem_response(400, _("Revise los campos señalados."),
                                        errors=_errors(row))
            [pk] = interaction_ids(job, member, rows)
            return Response(interaction_body(member, _records(member).get(pk=pk)),
                            status=(status.HTTP_201_CREATED if row["result"] == "created"
                                    else status.HTTP_200_OK),
                            headers={"Location": reverse("api:interaction",
                                                         kwargs={"pk": pk})})

        return run_bulk(request, member=member, target=TARGET, rows=rows, asynchronous=False,
                        answer=answer)


class InteractionDetailView(ApiView):
    @extend_schema(operation_id="interactions_retrieve", summary="One interaction",
                   responses={200: InteractionSerializer, **PROBLEM_RESPONSES},
                   examples=[OpenApiExample("A record", value=INTERACTION_EXAMPLE,
                                            response_only=True)])
    def get(self, request, pk):
        record = _records(self.member).filter(pk=pk).first()
        if record is None:
            raise Http404("No such interaction")
        return Response(interaction_body(self.member, record))


def _interaction_rows_json(member):
    def rows_json(rows: list[dict], job) -> list[dict]:
        ids = interaction_ids(job, member, [row["cells"] for row in rows])
        return [{
            "index": row["index"], "documentType": row["cells"].get("document_type", ""),
            "documentNumber": row["cells"].get("document_number", ""), "result": row["result"],
            "clientId": row["client_id"],
            "interactionId": pk if row["result"] != "failed" else None,
            "errors": _errors(row),
        } for row, pk in zip(rows, ids)]

    return rows_json


class InteractionBulkView(ApiView):
    @extend_schema(
        operation_id="interactions_bulk",
        summary="Register many interactions made outside Moonflow (nothing is sent)",
        description=(
            "The communications importer (Crear comunicaciones masivas) with these rows. Up "
            "to API_BULK_SYNC_MAX rows (5,000) are written by the request and answered row "
            "by row: created, unchanged (the same record was already registered, by an "
            "earlier batch or file: posting a batch again creates no duplicates) or failed "
            "with the field and message; a larger batch, or `async: true`, becomes a job "
            "(202). " + NOTHING_SENT),
        request=InteractionBulkSerializer, parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: InteractionBulkAnswerSerializer, 202: InteractionBulkAnswerSerializer,
                   **PROBLEM_RESPONSES, **MAY_NOT_IMPORT, **REUSED_KEY},
        examples=[OpenApiExample("Two records", request_only=True, value={
                      "interactions": [INPUT_EXAMPLE, {**INPUT_EXAMPLE,
                                                       "documentNumber": "55555"}]}),
                  OpenApiExample("Row by row", value=BULK_ANSWER_EXAMPLE, response_only=True,
                                 status_codes=["200"]),
                  OpenApiExample("As a job", response_only=True, status_codes=["202"], value={
                      "job": {"id": 47, "url": "/api/v1/jobs/47/", "status": "queued"},
                      "detail": "El lote se importa como proceso #47."})],
    )
    def post(self, request):
        member = self.member
        require_importer(member, MAY_NOT_REGISTER)
        serializer = InteractionBulkSerializer(data=request.data, project=member.project)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        return run_bulk(request, member=member, target=TARGET, rows=data["interactions"],
                        asynchronous=data["async"], rows_json=_interaction_rows_json(member),
                        scope_adviser=data.get("scope"))
