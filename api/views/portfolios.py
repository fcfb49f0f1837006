"""/api/v1/portfolios/: the Carteras list (portfolios.lists, its filters), one portfolio,
create, update (name, team, agent, active) and its contacts (En cartera): list, add several
clients at once, remove one — through portfolios.selectors and portfolios.services, with the
screens' rule of who manages (admins and supervisors, on the portfolios they see)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from moonflow.lists.listing import list_query
from portfolios import services
from portfolios.lists import PORTFOLIOS, PortfolioContactList
from portfolios.selectors import (
    contact_counts,
    get_portfolio_for_member,
    portfolio_contacts,
    portfolio_list,
    require_manager,
)

from ..idempotency import run_idempotent
from ..pagination import CURSOR_PARAM, PAGE_SIZE_PARAM, list_params, page_link, read_page
from ..portfolio_input import portfolio_create_from_api, portfolio_update_from_api, refused
from ..serializers.portfolios import (
    ContactAdditionAnswerSerializer,
    ContactAdditionSerializer,
    ContactPageSerializer,
    ContactSerializer,
    PortfolioInputSerializer,
    PortfolioPageSerializer,
    PortfolioSerializer,
)
from .base import ApiView
from .clients import IDEMPOTENCY_PARAMETER
from .examples import MAY_NOT_MANAGE, PROBLEM_RESPONSES, REUSED_KEY

PORTFOLIO_EXAMPLE = {
    "id": 7, "name": "Cartera Norte", "teamId": 3, "teamName": "Equipo Norte",
    "agentUserProjectId": "HV-001", "agentName": "Helena Vargas", "active": True,
    "contactCount": 120, "createdAt": "2026-03-02T10:15:00-05:00",
    "updatedAt": "2026-03-02T10:15:00-05:00",
}
CONTACT_EXAMPLE = {"clientId": 12, "name": "Ana María Pérez", "documentType": "CC",
                   "documentNumber": "1020304050", "addedAt": "2026-03-02T10:20:00-05:00",
                   "inRecycleBin": False}
PAGING = [OpenApiParameter(CURSOR_PARAM, OpenApiTypes.STR, description="`next` / `previous`"),
          OpenApiParameter(PAGE_SIZE_PARAM, OpenApiTypes.INT, description="1 to 100 (50)")]


def _portfolios(member):
    return portfolio_list(member=member).select_related("team", "agent__user")


def portfolio_body(member, portfolio_id) -> dict:
    portfolio = _portfolios(member).get(pk=portfolio_id)
    return PortfolioSerializer(portfolio, context={
        "contact_counts": contact_counts(member.project_id, [portfolio.pk])}).data


class PortfolioListView(ApiView):
    @extend_schema(
        operation_id="portfolios_list", summary="Portfolios this key sees",
        description="Takes the Carteras list's query parameters: `estado` (activa, inactiva), "
                    "`equipo` (team id or `ninguno`), `agente` (member id or `ninguno`), `q` "
                    "(part of the name, without case or accents), `orden`; `cursor` and "
                    "`pageSize` page it.",
        parameters=[*PAGING, OpenApiParameter("estado", OpenApiTypes.STR, many=True),
                    OpenApiParameter("q", OpenApiTypes.STR)],
        responses={200: PortfolioPageSerializer, **PROBLEM_RESPONSES},
        examples=[OpenApiExample("A page", response_only=True, value={
            "results": [PORTFOLIO_EXAMPLE], "next": None, "previous": None,
            "total": {"value": 1, "exact": True}})])
    def get(self, request):
        member = self.member
        query = list_query(PORTFOLIOS, member=member, params=list_params(request.GET))
        page = read_page(query, member=member, query=request.GET, noun_singular="cartera",
                         noun_plural="carteras")
        ids = [row["id"] for row in page.page.rows]
        found = _portfolios(member).in_bulk(ids)
        counts = contact_counts(member.project_id, ids)
        return Response({
            "results": PortfolioSerializer([found[pk] for pk in ids if pk in found], many=True,
                                           context={"contact_counts": counts}).data,
            "next": page_link(request, page.next_cursor),
            "previous": page_link(request, page.previous_cursor),
            "total": {"value": page.total.value, "exact": page.total.exact},
        })

    @extend_schema(
        operation_id="portfolios_create", summary="Create a portfolio (Nueva cartera)",
        description="A name unique in the project (compared without case or accents) and a "
                    "team, an agent or both, each one the key's member may pick. Only admins "
                    "and supervisors manage portfolios.",
        request=PortfolioInputSerializer, parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: PortfolioSerializer, **PROBLEM_RESPONSES, **MAY_NOT_MANAGE,
                   **REUSED_KEY},
        examples=[OpenApiExample("New portfolio", request_only=True, value={
                      "name": "Cartera Norte", "teamId": 3, "agentUserProjectId": "HV-001"}),
                  OpenApiExample("Created", value=PORTFOLIO_EXAMPLE, response_only=True,
                                 status_codes=["201"])])
    def post(self, request):
        member = self.member
        require_manager(member)

        def write():
            serializer = PortfolioInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            portfolio = portfolio_create_from_api(member=member, data=serializer.validated_data)
            return Response(portfolio_body(member, portfolio.pk),
                            status=status.HTTP_201_CREATED,
                            headers={"Location": reverse("api:portfolio",
                                                         kwargs={"pk": portfolio.pk})})

        return run_idempotent(request, write)


class PortfolioDetailView(ApiView):
    @extend_schema(operation_id="portfolios_retrieve", summary="One portfolio",
                   responses={200: PortfolioSerializer, **PROBLEM_RESPONSES},
                   examples=[OpenApiExample("A portfolio", value=PORTFOLIO_EXAMPLE,
                                            response_only=True)])
    def get(self, request, pk):
        portfolio = get_portfolio_for_member(self.member, pk)
        return Response(portfolio_body(self.member, portfolio.pk))

    @extend_schema(operation_id="portfolios_update",
                   summary="Change a portfolio's name, team, agent or state",
                   request=PortfolioInputSerializer,
                   responses={200: PortfolioSerializer, **PROBLEM_RESPONSES, **MAY_NOT_MANAGE},
                   examples=[OpenApiExample("Deactivate", request_only=True,
                                            value={"active": False}),
                             OpenApiExample("Updated", value={**PORTFOLIO_EXAMPLE,
                                                              "active": False},
                                            response_only=True)])
    def patch(self, request, pk):
        member = self.member
        portfolio = get_portfolio_for_member(member, pk)
        require_manager(member)
        serializer = PortfolioInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        portfolio_update_from_api(member=member, portfolio=portfolio,
                                  data=serializer.validated_data)
        return Response(portfolio_body(member, portfolio.pk))


class PortfolioContactsView(ApiView):
    @extend_schema(operation_id="portfolios_contacts_list",
                   summary="The portfolio's clients this key sees (En cartera)",
                   description="`q` searches them as the clients' search box does; newest "
                               "first; `cursor` and `pageSize` page it.",
                   parameters=[*PAGING, OpenApiParameter("q", OpenApiTypes.STR)],
                   responses={200: ContactPageSerializer, **PROBLEM_RESPONSES},
                   examples=[OpenApiExample("A page", response_only=True, value={
                       "results": [CONTACT_EXAMPLE], "next": None, "previous": None,
                       "total": {"value": 1, "exact": True}})])
    def get(self, request, pk):
        member = self.member
        portfolio = get_portfolio_for_member(member, pk)
        query = list_query(PortfolioContactList(portfolio), member=member,
                           params=list_params(request.GET))
        page = read_page(query, member=member, query=request.GET, noun_singular="contacto",
                         noun_plural="contactos")
        ids = [row["id"] for row in page.page.rows]
        found = portfolio_contacts(member=member, portfolio=portfolio).select_related(
            "client").in_bulk(ids)
        return Response({
            "results": ContactSerializer([found[i] for i in ids if i in found], many=True).data,
            "next": page_link(request, page.next_cursor),
            "previous": page_link(request, page.previous_cursor),
            "total": {"value": page.total.value, "exact": page.total.exact},
        })

    @extend_schema(operation_id="portfolios_contacts_add",
                   summary="Add several clients to the portfolio",
                   description="Up to 50 client ids at once; only clients the key sees, "
                               "outside the recycle bin, are added (one audit event each); a "
                               "client already there is counted, never added twice.",
                   request=ContactAdditionSerializer, parameters=[IDEMPOTENCY_PARAMETER],
                   responses={200: ContactAdditionAnswerSerializer, **PROBLEM_RESPONSES,
                              **MAY_NOT_MANAGE, **REUSED_KEY},
                   examples=[OpenApiExample("Three clients", request_only=True,
                                            value={"clientIds": [12, 13, 14]}),
                             OpenApiExample("Added", response_only=True,
                                            value={"added": 2, "already": 1, "refused": 0})])
    def post(self, request, pk):
        member = self.member
        portfolio = get_portfolio_for_member(member, pk)
        require_manager(member)

        def write():
            serializer = ContactAdditionSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            try:
                added = services.portfolio_clients_add(
                    member=member, portfolio=portfolio,
                    client_ids=serializer.validated_data["clientIds"])
            except ValidationError as error:
                raise refused(error) from None
            return Response({"added": added.added, "already": added.already,
                             "refused": added.refused})

        return run_idempotent(request, write)


class PortfolioContactDetailView(ApiView):
    @extend_schema(operation_id="portfolios_contacts_remove",
                   summary="Take a client out of the portfolio",
                   description="The advisers who saw the client only through this portfolio "
                               "stop seeing it.",
                   responses={204: None, **PROBLEM_RESPONSES, **MAY_NOT_MANAGE},
                   examples=[OpenApiExample("Removed", value=None, response_only=True,
                                            status_codes=["204"])])
    def delete(self, request, pk, client_id):
        member = self.member
        portfolio = get_portfolio_for_member(member, pk)
        contact = portfolio_contacts(member=member, portfolio=portfolio).select_related(
            "client").filter(client_id=client_id).first()
        if contact is None:
            raise Http404("No such contact")
        services.portfolio_client_remove(member=member, portfolio=portfolio, contact=contact)
        return Response(status=status.HTTP_204_NO_CONTENT)
