"""/api/v1/clients/: the clients tray's list, one client, create, update, delete to the
recycle bin and restore — through clients.selectors, clients.lists and clients.services."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from clients import services
from clients.choices import AssignmentSource
from clients.lists import client_tray_query
from clients.selectors import client_base_queryset, get_client_for_member
from clients.validation import FieldError, clean_document_number, clean_document_type
from clients.visibility import readable_adviser_ids

from ..client_input import client_create_from_api, client_update_from_api
from ..idempotency import run_idempotent
from ..pagination import CURSOR_PARAM, PAGE_SIZE_PARAM, list_params, page_link, read_page
from ..problems import ProblemError
from ..serializers.clients import (
    ClientInputSerializer,
    ClientSerializer,
    ExternalIdQuerySerializer,
)
from ..serializers.common import ClientPageSerializer
from .base import ApiView
from .examples import (
    CLIENT_EXAMPLE,
    CLIENT_INPUT_EXAMPLE,
    IN_RECYCLE_BIN,
    PROBLEM_RESPONSES,
    REUSED_KEY,
)

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="A retry with the same key gets the first answer; nothing is written twice.")


def _related(queryset):
    return queryset.select_related("segment", "adviser__user", "supervisor__user")


def client_body(member, client) -> dict:
    return ClientSerializer(client, context={
        "readable_adviser_ids": readable_adviser_ids(member)}).data


def client_location(client) -> str:
    return reverse("api:client", kwargs={"pk": client.pk})


class ClientListView(ApiView):
    @extend_schema(
        operation_id="clients_list",
        summary="List clients (the clients tray's filters, search and order)",
        description=(
            "Takes the clients tray's query parameters as they are: `q` (search), `orden`, "
            "`estado` (activo, inactivo, eliminado), `asesor` (member id), `supervisor`, "
            "`segmento`, `situacion`, `tipo_cartera`, `alerta`, `contactabilidad`, `reclamo` "
            "and the custom variables' filters; `cursor` and `pageSize` page the list."),
        parameters=[
            OpenApiParameter(CURSOR_PARAM, OpenApiTypes.STR, description="`next` / `previous`"),
            OpenApiParameter(PAGE_SIZE_PARAM, OpenApiTypes.INT, description="1 to 100 (50)"),
            OpenApiParameter("q", OpenApiTypes.STR, description="Search: name, document, "
                             "e-mail or phone"),
            OpenApiParameter("estado", OpenApiTypes.STR, many=True),
        ],
        responses={200: ClientPageSerializer, **PROBLEM_RESPONSES},
        examples=[OpenApiExample("A page", response_only=True, value={
            "results": [CLIENT_EXAMPLE], "next": "/api/v1/clients/?cursor=sig.WyJBbmEiLDEyXQ",
            "previous": None, "total": {"value": 1, "exact": True}})],
    )
    def get(self, request):
        member = self.member
        query = client_tray_query(member=member, params=list_params(request.GET))
        page = read_page(query, member=member, query=request.GET, noun_singular="cliente",
                         noun_plural="clientes")
        ids = [row["id"] for row in page.page.rows]
        found = _related(client_base_queryset(member=member, include_deleted=True)).in_bulk(ids)
        readable = readable_adviser_ids(member)
        rows = [found[pk] for pk in ids if pk in found]
        return Response({
            "results": ClientSerializer(rows, many=True,
                                        context={"readable_adviser_ids": readable}).data,
            "next": page_link(request, page.next_cursor),
            "previous": page_link(request, page.previous_cursor),
            "total": {"value": page.total.value, "exact": page.total.exact},
        })

    @extend_schema(
        operation_id="clients_create",
        summary="Create a client",
        request=ClientInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: ClientSerializer, **PROBLEM_RESPONSES, **REUSED_KEY},
        examples=[OpenApiExample("New client", value=CLIENT_INPUT_EXAMPLE, request_only=True),
                  OpenApiExample("Created", value=CLIENT_EXAMPLE, response_only=True,
                                 status_codes=["201"])],
    )
    def post(self, request):
        member = self.member

        def write():
            serializer = ClientInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            client = client_create_from_api(member=member, data=serializer.form_data())
            client = _related(client_base_queryset(member=member)).get(pk=client.pk)
            return Response(client_body(member, client), status=status.HTTP_201_CREATED,
                            headers={"Location": client_location(client)})

        return run_idempotent(request, write)


class ClientDetailView(ApiView):
    @extend_schema(operation_id="clients_retrieve", summary="One client (also in the bin)",
                   responses={200: ClientSerializer, **PROBLEM_RESPONSES},
                   examples=[OpenApiExample("A client", value=CLIENT_EXAMPLE,
                                            response_only=True)])
    def get(self, request, pk):
        client = get_client_for_member(self.member, pk, include_deleted=True)
        return Response(client_body(self.member, client))

    @extend_schema(operation_id="clients_update", summary="Change some fields of a client",
                   request=ClientInputSerializer,
                   responses={200: ClientSerializer, 204: None, **PROBLEM_RESPONSES,
                              **IN_RECYCLE_BIN},
                   examples=[OpenApiExample("New phone and adviser", request_only=True, value={
                       "phone": "+57 300 555 0101", "adviserUserProjectId": "HV-002"}),
                       OpenApiExample("Updated", value=CLIENT_EXAMPLE, response_only=True)])
    def patch(self, request, pk):
        member = self.member
        client = get_client_for_member(member, pk, include_deleted=True)
        if client.is_deleted:
            raise ProblemError(409, _in_bin_message(), code="client-in-recycle-bin")
        serializer = ClientInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        client = client_update_from_api(member=member, client=client,
                                        data=serializer.form_data())
        client = _related(client_base_queryset(member=member, include_deleted=True)).filter(
            pk=client.pk).first()
        if client is None:  # the update handed it to someone this key does not see
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(client_body(member, client))

    @extend_schema(operation_id="clients_delete",
                   summary="Send a client to the recycle bin (restorable for 14 days)",
                   responses={204: None, **PROBLEM_RESPONSES},
                   examples=[OpenApiExample("Sent to the bin", value=None, response_only=True,
                                            status_codes=["204"])])
    def delete(self, request, pk):
        client = get_client_for_member(self.member, pk, include_deleted=True)
        services.client_delete(client=client, actor=self.member.user,
                               source=AssignmentSource.API)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _in_bin_message() -> str:
    return _("El cliente está en la papelera: recupérelo antes de modificarlo.")


class ClientRestoreView(ApiView):
    @extend_schema(operation_id="clients_restore", summary="Restore a client from the bin",
                   request=None, parameters=[IDEMPOTENCY_PARAMETER],
                   responses={200: ClientSerializer, **PROBLEM_RESPONSES, **REUSED_KEY},
                   examples=[OpenApiExample("Restored", value=CLIENT_EXAMPLE,
                                            response_only=True)])
    def post(self, request, pk):
        member = self.member
        client = get_client_for_member(member, pk, include_deleted=True)

        def write():
            services.client_restore(client=client, actor=member.user,
                                    source=AssignmentSource.API)
            restored = _related(client_base_queryset(member=member, include_deleted=True)).get(
                pk=client.pk)
            return Response(client_body(member, restored))

        return run_idempotent(request, write)


class ClientByExternalIdView(ApiView):
    @extend_schema(operation_id="clients_by_external_id",
                   summary="One client by its external ID (document type and number)",
                   parameters=[ExternalIdQuerySerializer],
                   responses={200: ClientSerializer, **PROBLEM_RESPONSES},
                   examples=[OpenApiExample("A client", value=CLIENT_EXAMPLE,
                                            response_only=True)])
    def get(self, request):
        query = ExternalIdQuerySerializer(data=request.GET)
        query.is_valid(raise_exception=True)
        try:
            document_type = clean_document_type(query.validated_data["documentType"])
            number = clean_document_number(document_type, query.validated_data["documentNumber"])
        except FieldError:
            raise Http404("No such client") from None
        client = _related(client_base_queryset(member=self.member, include_deleted=True)).filter(
            Q(document_type=document_type) & Q(document_number=number)).first()
        if client is None:
            raise Http404("No such client")
        return Response(client_body(self.member, client))

