"""Carteras and En cartera on the list kernel (moonflow.lists).

`PORTFOLIOS` is CRM → Carteras: the portfolios the member sees (`portfolio_list`), with
filters Estado, Equipo and Agente and a search box by name (compared as names are: without
case or accents, `Portfolio.name_key`). Contactos is counted for the page's portfolios in
one grouped statement (`contact_counts`), never one count per row.

`PortfolioContactList(portfolio)` is Gestionar contactos → En cartera: the portfolio's
clients the member sees, newest first (the (project, portfolio, added_at, id) index: a page
costs the same at any depth) or by name; its search box finds clients as the clients tray's
does (name, document number, phone, e-mail, through the search-terms index).
"""

from dataclasses import dataclass

import django_filters
from django.db.models import F, Q, Value
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.display import external_id_display, phone_display
from clients.search import client_ids_matching
from clients.visibility import OTHER_ADVISER, may_read_adviser, readable_adviser_ids
from moonflow.lists.columns import CHOICE, DATETIME, NUMBER, TEXT, Column
from moonflow.lists.filters import ListFilterSet
from moonflow.lists.keyset import DT, SortKey
from moonflow.lists.listing import ListPage, ListSpec, SearchCondition, build_list

from .badges import icon_label, portfolio_icons
from .models import NameKey, Portfolio, PortfolioClient
from .selectors import (
    agent_choices,
    contact_counts,
    may_manage,
    portfolio_contacts,
    portfolio_list,
    team_choices,
)

NONE = "ninguno"
ACTIVE, INACTIVE = "activa", "inactiva"
STATE_CHOICES = [(ACTIVE, gettext_lazy("Activa")), (INACTIVE, gettext_lazy("Inactiva"))]


# --- Carteras ---------------------------------------------------------------------------------


class PortfolioFilterSet(ListFilterSet):
    """URL parameters (repeat one to pick several values):

        estado   activa / inactiva
        equipo   a team id | ninguno
        agente   a member id | ninguno
        q        part of the name (without case or accents)
    """

    estado = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("Estado"), choices=STATE_CHOICES, method="filter_state",
        distinct=False)
    equipo = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("Equipo"), method="filter_team", distinct=False)
    agente = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("Agente"), method="filter_agent", distinct=False)

    class Meta:
        model = Portfolio
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, member, **kwargs):
        super().__init__(data, queryset=queryset, **kwargs)
        if may_manage(member):
            teams = [(str(t.pk), t.name) for t in team_choices(member)]
            agents = [(str(m.pk), _agent_label(m)) for m in agent_choices(member)]
        else:
            teams = [(str(member.team_id), member.team.name)] if member.team_id else []
            agents = [(str(member.pk), _agent_label(member))]
        self.filters["equipo"].extra["choices"] = teams + [(NONE, str(_("Sin equipo")))]
        self.filters["agente"].extra["choices"] = agents + [(NONE, str(_("Sin agente")))]

    def filter_state(self, qs, name, value):
        wanted = {v == ACTIVE for v in value}
        return qs if len(wanted) == 2 else qs.filter(active=wanted.pop())

    @staticmethod
    def _owner(qs, field, value):
        ids = [v for v in value if v != NONE]
        q = Q(**{f"{field}_id__in": ids}) if ids else Q(pk__in=[])
        if NONE in value:
            q |= Q(**{f"{field}__isnull": True})
        return qs.filter(q)

    def filter_team(self, qs, name, value):
        return self._owner(qs, "team", value)

    def filter_agent(self, qs, name, value):
        return self._owner(qs, "agent", value)


def _agent_label(member) -> str:
    return f"{member.display_name} · {member.code}" if member.code else member.display_name


AGENT_PATHS = ("agent__user__first_name", "agent__user__last_name", "agent__user__username",
               "agent__code")


def _agent_text(row: dict) -> str:
    first = row.get("agent__user__first_name") or ""
    last = row.get("agent__user__last_name") or ""
    return f"{first} {last}".strip() or row.get("agent__user__username") or ""


PORTFOLIO_COLUMNS = [
    Column("name", gettext_lazy("Nombre de cartera"), "name", TEXT, default=True, required=True,
           sort_keys=(SortKey(F("name")),)),
    Column("team", gettext_lazy("Equipo"), "team__name", TEXT, sortable=False, default=True),
    Column("agent", gettext_lazy("Agente"), "agent_id", TEXT, sortable=False, default=True,
           extra_paths=AGENT_PATHS, display=_agent_text),
    Column("contacts", gettext_lazy("Contactos"), "id", NUMBER, sortable=False, default=True),
    Column("state", gettext_lazy("Estado"), "active", CHOICE, sortable=False, default=True,
           choices=((True, gettext_lazy("Activa")), (False, gettext_lazy("Inactiva")))),
    Column("icon", gettext_lazy("Ícono"), "name", TEXT, sortable=False, default=True),
]


@dataclass
class PortfolioRow:
    id: int
    name: str
    team: str
    agent: str
    agent_code: str
    contacts: int
    active: bool
    icon: str = ""  # the portfolio's icon as the trays show it on its clients


class PortfolioList(ListSpec):
    tray = "portfolios"
    noun_singular = gettext_lazy("cartera")
    noun_plural = gettext_lazy("carteras")
    default_sort = "name"
    row_fields = ("name", "active", "team__name", "agent_id", *AGENT_PATHS)
    section = "portfolios"
    list_url_name = "portfolios:list"
    columns_url_name = "portfolios:columns"
    view_create_url_name = "portfolios:view_create"
    view_delete_url_name = "portfolios:view_delete"

    def columns(self, member):
        return PORTFOLIO_COLUMNS

    def base_queryset(self, member, params):
        return portfolio_list(member=member)

    def filterset(self, member, params, queryset):
        return PortfolioFilterSet(params, queryset=queryset, member=member)

    def search_q(self, text):
        return Q(name_key__contains=NameKey(Value(text)))

    def draw_rows(self, member, rows, columns, *, context):
        """The page's portfolios with their contact counts (one grouped query)."""
        counts = contact_counts(member.project_id, [r["id"] for r in rows])
        readable = readable_adviser_ids(member)
        label = icon_label()
        drawn = []
        for r in rows:
            agent_id = r.get("agent_id")
            if agent_id is not None and not may_read_adviser(readable, agent_id):
                agent, code = str(OTHER_ADVISER), ""
            else:
                agent, code = _agent_text(r), r.get("agent__code") or ""
            drawn.append(PortfolioRow(id=r["id"], name=r["name"], team=r.get("team__name") or "",
                                      agent=agent if agent_id else "", agent_code=code,
                                      contacts=counts.get(r["id"], 0), active=r["active"],
                                      icon=portfolio_icons([r["name"]], label=label)))
        return drawn


PORTFOLIOS = PortfolioList()


def build_portfolio_list(*, member, params) -> ListPage:
    return build_list(PORTFOLIOS, member=member, params=params)


# --- En cartera -------------------------------------------------------------------------------


class ContactFilterSet(ListFilterSet):
    class Meta:
        model = PortfolioClient
        fields: list[str] = []


CONTACT_COLUMNS = [
    Column("name", gettext_lazy("Cliente"), "client__name", TEXT, default=True, required=True,
           sort_keys=(SortKey(F("client__name")),)),
    Column("document", gettext_lazy("Documento"), "client__document_number", TEXT,
           sortable=False, default=True, extra_paths=("client__document_type",)),
    Column("phone", gettext_lazy("Teléfono"), "client__phone", TEXT, sortable=False,
           default=True),
    Column("email", gettext_lazy("Correo electrónico"), "client__email", TEXT, sortable=False,
           default=True),
    Column("added_at", gettext_lazy("Agregado"), "added_at", DATETIME, default=True,
           sort_keys=(SortKey(F("added_at"), DT),)),
]


@dataclass
class ContactRow:
    id: int  # the contact (PortfolioClient)
    client_id: int
    name: str
    document: str
    phone: str
    email: str
    added_at: object
    binned: bool


class PortfolioContactList(ListSpec):
    tray = "portfolio_contacts"
    noun_singular = gettext_lazy("contacto")
    noun_plural = gettext_lazy("contactos")
    default_sort = "added_at"
    default_descending = True
    row_fields = ("client_id", "client__name", "client__deleted_at", "client__document_type",
                  "client__document_number", "client__phone", "client__email", "added_at")
    section = "portfolios"
    list_url_name = "portfolios:contacts"
    columns_url_name = ""
    view_create_url_name = ""
    view_delete_url_name = ""

    def __init__(self, portfolio: Portfolio):
        self.portfolio = portfolio

    def columns(self, member):
        return CONTACT_COLUMNS

    def base_queryset(self, member, params):
        return portfolio_contacts(member=member, portfolio=self.portfolio)

    def filterset(self, member, params, queryset):
        return ContactFilterSet(params, queryset=queryset)

    def search_plan(self, member, text):
        """The clients' search box (clients.search): the terms index, never a scan."""
        ids = client_ids_matching(member.project_id, text)
        if ids is None:
            return None
        return SearchCondition(Q(client_id__in=ids))

    def draw_rows(self, member, rows, columns, *, context):
        return [ContactRow(
            id=r["id"], client_id=r["client_id"], name=r["client__name"],
            document=external_id_display(r["client__document_type"],
                                         r["client__document_number"]),
            phone=phone_display(r["client__phone"] or ""), email=r["client__email"] or "",
            added_at=r["added_at"], binned=r["client__deleted_at"] is not None,
        ) for r in rows]


def build_contact_list(*, member, portfolio, params) -> ListPage:
    return build_list(PortfolioContactList(portfolio), member=member, params=params)
