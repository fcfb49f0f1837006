"""Interacciones on the list kernel: the side menu's tray and one client's communications.

`InteractionList` tells `moonflow.lists` what is the interactions': the base
queryset (`interaction_base_queryset`, which carries visibility through the
client; or one client's), the filters, the search box (the client, as the
clients' search box finds it: `clients.search.client_search`, ClientSearchCondition), the
columns and how a row is drawn (interactions/rows.py). `INTERACTIONS` is the
tray's; `InteractionList(client)` is the client's page (the envelope "Ver
comunicaciones"), with the same columns but the client's own two.

Decisions written down here:

- **Fecha de envío** (`scheduled_at`) is the tray's date. With no valid date in
  the parameters the tray shows the last `DEFAULT_DAYS` days up to today in
  the project's timezone (today included); the date inputs hold those days
  and the page says it is the default. A bound is a whole day in the
  project's timezone. The range always has a bound, so an interaction without
  a send date never appears in the tray: it is on its client's page, last.
  `send_range(project, params)` says which days a list's parameters mean
  (for the download's 45-day limit too).
- **Sort**: Fecha de envío (newest first by default), from the
  (project, [filter column,] -scheduled_at, -id) indexes, and Fecha de envío
  real (no index: it sorts the filtered range's rows, NULL as oldest).
- **Última comunicación asociada**: the client's most recent *other*
  interaction with a send date (any channel, any direction), its date and
  channel; "—" when the client has no other. The most recent one, not the
  one before the row's: that is what a collector wants to know next to an
  old message ("what was the last contact with this client?"). One query per
  page (a LATERAL probe of the (project, client, -scheduled_at) index per row).
- **Nombres de cartera**: the client's active portfolios, by name; one query
  per page (`portfolios.badges.portfolio_names`), the same that draws the
  portfolio icon next to the client's name (always, column or not). The
  download writes the names, never the icon.
- **Flujo, evento o campaña** and **Plantilla** filter on the exact name
  (the project-led indexes serve `=`; a "contains" would scan the range).
- **Asesor**: the choices of `clients.visibility.adviser_choices` (a
  restricted adviser picks only themselves); an adviser whose identity the
  member may not read shows as "Otro asesor".

For the download: `list_query(INTERACTIONS, member=…, params=…)` (moonflow.lists.listing)
gives the filtered, visible, ordered queryset (`.ordered`) with the default range
applied; `INTERACTIONS.export_fields(member, columns)` the file's fields.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import django_filters
from django.contrib.postgres.aggregates import StringAgg
from django.db.models import (
    BooleanField,
    Case,
    DateTimeField,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.columns import member_name
from clients.display import external_id_display
from clients.models import Client
from clients.search import N_HASHED, plan_rows, client_search
from clients.situation import project_today
from clients.visibility import OTHER_ADVISER, adviser_choices, readable_adviser_ids
from moonflow.lists.columns import CHOICE, DATE, DATETIME, MONEY, TEXT, Column
from moonflow.lists.exports import Field
from moonflow.lists.filters import ListFilterSet
from moonflow.lists.keyset import DT, SortKey
from moonflow.lists.listing import ListPage, ListSpec, SearchCondition, build_list
from portfolios.models import PortfolioClient

from .models import (
    CampaignKind,
    Channel,
    Direction,
    Interaction,
    InteractionSource,
    InteractionStatus,
    Outcome,
    RecipientKind,
)
from .rows import interaction_rows
from .selectors import client_interaction_queryset, interaction_base_queryset

TRAY = "interactions"
DEFAULT_DAYS = 7
FROM_PARAM, TO_PARAM = "envio_desde", "envio_hasta"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
NONE = "ninguno"
# What an empty date sorts as: older than any interaction (a sort key is never NULL).
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# --- The send-date range ----------------------------------------------------------------------


@dataclass(frozen=True)
class SendRange:
    first: date | None  # the first day (inclusive), None: open
    last: date | None  # the last day (inclusive), None: open
    default: bool  # no valid date was given: the last DEFAULT_DAYS days

    @property
    def days(self) -> int | None:
        """How many days the range spans; None when a bound is open."""
        if self.first is None or self.last is None:
            return None
        return (self.last - self.first).days + 1


def _parse_day(text) -> date | None:
    text = (text or "").strip()
    for fmt in DATE_INPUT_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def default_range(project) -> tuple[date, date]:
    today = project_today(project)
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def send_range(project, params) -> SendRange:
    """The days of Fecha de envío that a tray's parameters ask for (see the docstring)."""
    params = params if params is not None else {}
    first, last = _parse_day(params.get(FROM_PARAM)), _parse_day(params.get(TO_PARAM))
    if first is None and last is None:
        first, last = default_range(project)
        return SendRange(first, last, True)
    return SendRange(first, last, False)


# --- Filters ----------------------------------------------------------------------------------


def _multiple(label, choices=(), **kwargs):
    return django_filters.MultipleChoiceFilter(label=label, choices=choices, distinct=False,
                                               **kwargs)


def _member_label(m) -> str:
    return f"{m.display_name} · {m.code}" if m.code else m.display_name


OUTCOME_CHOICES = [(v, lbl) for v, lbl in Outcome.choices if v]


class InteractionFilterSet(ListFilterSet):
    """URL parameters (repeat one to pick several values, OR-ed; filters are AND-ed):

        envio_desde / envio_hasta  dd/mm/aaaa, whole days in the project's timezone
        tipo        saliente / entrante (Direction)
        estado      InteractionStatus
        canal       Channel
        asesor      a member id | ninguno
        flujo       CampaignKind
        campana     the exact name of the flow, event or campaign
        plantilla   the exact template
        origen      InteractionSource
        resultado   Outcome (promise, to_verify)
    """

    envio_desde = django_filters.DateFilter(label=gettext_lazy("Fecha de envío"),
                                            method="filter_from", input_formats=DATE_INPUT_FORMATS)
    envio_hasta = django_filters.DateFilter(label=gettext_lazy("Fecha de envío"),
                                            method="filter_to", input_formats=DATE_INPUT_FORMATS)
    tipo = _multiple(gettext_lazy("Tipo"), Direction.choices, field_name="direction")
    estado = _multiple(gettext_lazy("Estado"), InteractionStatus.choices, field_name="status")
    canal = _multiple(gettext_lazy("Canal"), Channel.choices, field_name="channel")
    asesor = _multiple(gettext_lazy("Asesor"), method="filter_adviser")
    flujo = _multiple(gettext_lazy("Tipo de flujo"), CampaignKind.choices,
                      field_name="campaign_kind")
    campana = django_filters.CharFilter(label=gettext_lazy("Flujo, evento o campaña"),
                                        method="filter_campaign")
    plantilla = django_filters.CharFilter(label=gettext_lazy("Plantilla"),
                                          method="filter_template")
    origen = _multiple(gettext_lazy("Origen"), InteractionSource.choices, field_name="source")
    resultado = _multiple(gettext_lazy("Resultado de pago"), OUTCOME_CHOICES,
                          field_name="outcome")

    class Meta:
        model = Interaction
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, member, use_default_range=True, **kwargs):
        self.member = member
        self.tz = ZoneInfo(member.project.timezone or "UTC")
        self.default_range: SendRange | None = None
        self.ignored_dates: list[str] = []
        if use_default_range:
            data, self.default_range, self.ignored_dates = self._with_default(member.project,
                                                                              data)
        super().__init__(data, queryset=queryset, **kwargs)
        self.add_range(FROM_PARAM, TO_PARAM)
        self.typed_options.update({"campana", "plantilla"})
        advisers, supervisors = adviser_choices(member)
        if readable_adviser_ids(member) is None:
            people = advisers + supervisors
        else:
            # A restricted supervisor picks their teams' advisers, and themselves.
            people = advisers if any(m.pk == member.pk for m in advisers) else [member, *advisers]
        self.filters["asesor"].extra["choices"] = [
            (str(m.pk), _member_label(m)) for m in people
        ] + [(NONE, str(_("Sin asesor")))]

    @staticmethod
    def _with_default(project, data):
        """`data` with the default days when it holds no valid date (and which dates it
        held that were not valid, to say so)."""
        data = data if data is not None else QueryDict()
        chosen = send_range(project, data)
        if not chosen.default:
            return data, None, []
        ignored = [name for name in (FROM_PARAM, TO_PARAM) if (data.get(name) or "").strip()]
        filled = data.copy()
        filled[FROM_PARAM] = chosen.first.strftime("%d/%m/%Y")
        filled[TO_PARAM] = chosen.last.strftime("%d/%m/%Y")
        return filled, chosen, ignored

    def _start_of(self, day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=self.tz)

    # A bound at the calendar's ends would overflow once moved to UTC (or to the next day):
    # it bounds nothing, so it is left out.
    def filter_from(self, qs, name, value):
        if value <= date.min + timedelta(days=1):
            return qs
        return qs.filter(scheduled_at__gte=self._start_of(value))

    def filter_to(self, qs, name, value):
        if value >= date.max - timedelta(days=1):
            return qs
        return qs.filter(scheduled_at__lt=self._start_of(value + timedelta(days=1)))

    def filter_adviser(self, qs, name, value):
        ids = [v for v in value if v != NONE]
        q = Q(adviser_id__in=ids) if ids else Q(pk__in=[])
        if NONE in value:
            q |= Q(adviser_id__isnull=True)
        return qs.filter(q)

    def filter_campaign(self, qs, name, value):
        value = value.strip()
        return qs.filter(campaign=value) if value else qs

    def filter_template(self, qs, name, value):
        value = value.strip()
        return qs.filter(template=value) if value else qs

    def notices(self):
        notices = super().notices()
        if self.ignored_dates:
            notices.append(_("Se ignoró el filtro «%(label)s»: su valor no es válido (use "
                             "dd/mm/aaaa). Se muestran los últimos %(days)s días.")
                           % {"label": _("Fecha de envío"), "days": DEFAULT_DAYS})
        return notices

    def chips(self, search=""):
        chips = super().chips(search)
        if self.default_range is not None:
            # The default is said once, next to the chips, and cannot be removed.
            chips = [c for c in chips if c.param not in (FROM_PARAM, TO_PARAM)]
        return chips

    def controls(self):
        controls = super().controls()
        if self.default_range is not None:
            for control in controls:
                if control.name == FROM_PARAM:
                    control.active = False
        return controls

    @property
    def default_range_label(self) -> str:
        if self.default_range is None:
            return ""
        return _("Fecha de envío: últimos %(days)s días (%(first)s – %(last)s)") % {
            "days": DEFAULT_DAYS,
            "first": self.default_range.first.strftime("%d/%m/%Y"),
            "last": self.default_range.last.strftime("%d/%m/%Y"),
        }


# --- Columns ----------------------------------------------------------------------------------


def _client_text(row: dict) -> str:
    return row.get("client__name") or ""


def _document_text(row: dict) -> str:
    return external_id_display(row.get("client__document_type"), row.get("client__document_number"))


def _label_of(enum, value) -> str:
    if not value:
        return ""
    try:
        return str(enum(value).label)
    except ValueError:
        return str(value)


def _campaign_text(row: dict) -> str:
    name = row.get("campaign") or ""
    kind = _label_of(CampaignKind, row.get("campaign_kind"))
    return f"{kind}: {name}" if kind and name else (name or kind)


def _recipients_text(row: dict) -> str:
    kind = _label_of(RecipientKind, row.get("recipient_kind"))
    recipients = row.get("recipients") or ""
    return f"{kind}: {recipients}" if recipients else ""


def _adviser_text(row: dict) -> str:
    first = row.get("adviser__user__first_name") or ""
    last = row.get("adviser__user__last_name") or ""
    return f"{first} {last}".strip() or row.get("adviser__user__username") or ""


ADVISER_PATHS = ("adviser__user__first_name", "adviser__user__last_name",
                 "adviser__user__username")


def _date_keys(field: str, *, nullable: bool, indexed: bool) -> tuple[SortKey, ...]:
    expression = F(field)
    if nullable:
        expression = Coalesce(F(field), Value(EPOCH, output_field=DateTimeField()),
                              output_field=DateTimeField())
    return (SortKey(expression, DT, indexed=indexed),)


def _columns(*, tray: bool) -> list[Column]:
    """The list's columns; the tray's Fecha de envío is never NULL (its range has a bound),
    so it sorts by the indexed column itself; one client's page puts undated ones last."""
    columns = [
        Column("client", gettext_lazy("Cliente"), "client__name", TEXT, sortable=False,
               default=True, extra_paths=("client_id",), display=_client_text),
        Column("document", gettext_lazy("Documento"), "client__document_number", TEXT,
               sortable=False, default=True, extra_paths=("client__document_type",),
               display=_document_text),
        Column("scheduled_at", gettext_lazy("Fecha de envío"), "scheduled_at", DATETIME,
               default=True, required=True,
               sort_keys=_date_keys("scheduled_at", nullable=not tray, indexed=tray)),
        Column("direction", gettext_lazy("Tipo"), "direction", CHOICE, sortable=False,
               default=True, choices=tuple(Direction.choices)),
        Column("channel", gettext_lazy("Canal"), "channel", CHOICE, sortable=False,
               default=True, choices=tuple(Channel.choices)),
        Column("campaign", gettext_lazy("Flujo, evento o campaña"), "campaign", TEXT,
               sortable=False, default=True, extra_paths=("campaign_kind",),
               display=_campaign_text),
        Column("template", gettext_lazy("Plantilla"), "template", TEXT, sortable=False,
               default=True),
        Column("recipients", gettext_lazy("Destinatarios"), "recipients", TEXT,
               sortable=False, default=True, extra_paths=("recipient_kind",),
               display=_recipients_text),
        Column("status", gettext_lazy("Estado"), "status", CHOICE, sortable=False,
               default=True, choices=tuple(InteractionStatus.choices)),
        Column("adviser", gettext_lazy("Asesor"), "adviser_id", TEXT, sortable=False,
               default=True, extra_paths=ADVISER_PATHS, display=_adviser_text),
        Column("sent_at", gettext_lazy("Fecha de envío real"), "sent_at", DATETIME,
               sort_keys=_date_keys("sent_at", nullable=True, indexed=False)),
        Column("portfolios", gettext_lazy("Nombres de cartera"), "client_id", TEXT,
               sortable=False),
        Column("last_related", gettext_lazy("Última comunicación asociada"), "client_id", TEXT,
               sortable=False),
        Column("error_message", gettext_lazy("Mensaje de error"), "error_message", TEXT,
               sortable=False),
        Column("source", gettext_lazy("Origen"), "source", CHOICE, sortable=False,
               choices=tuple(InteractionSource.choices)),
        Column("outcome", gettext_lazy("Resultado de pago"), "outcome", CHOICE, sortable=False,
               choices=tuple(Outcome.choices), extra_paths=("promise_amount", "promise_date")),
    ]
    if not tray:
        columns = [c for c in columns if c.key not in ("client", "document")]
    return columns


TRAY_COLUMNS = _columns(tray=True)
CLIENT_COLUMNS = _columns(tray=False)


# --- File fields (Descargar) ------------------------------------------------------------------


def _portfolio_names():
    return Subquery(
        PortfolioClient.objects.filter(project_id=OuterRef("project_id"),
                                       client_id=OuterRef("client_id"), portfolio__active=True)
        .order_by()
        .values("client_id")
        .annotate(names=StringAgg("portfolio__name", ", ", order_by="portfolio__name"))
        .values("names")[:1]
    )


def _last_related(field: str):
    return Subquery(
        Interaction.objects.filter(project_id=OuterRef("project_id"),
                                   client_id=OuterRef("client_id"),
                                   scheduled_at__isnull=False)
        .exclude(pk=OuterRef("pk"))
        .order_by("-scheduled_at", "-id")
        .values(field)[:1]
    )


def _adviser_name(readable: set[int] | None):
    name = member_name("adviser")
    if readable is None:
        return name
    return Case(When(adviser_id__isnull=True, then=Value("")),
                When(adviser_id__in=sorted(readable), then=name),
                default=Value(str(OTHER_ADVISER)))


def interaction_export_fields(member, columns: list[Column]) -> list[Field]:
    """The file's fields for the columns: one value per cell, as people read them."""
    fields = []
    for column in columns:
        label = str(column.label)
        key = column.key
        if key == "document":
            fields.append(Field(str(_("Tipo de documento")), F("client__document_type"), TEXT))
            fields.append(Field(str(_("Número de documento")), F("client__document_number"),
                                TEXT))
        elif key == "campaign":
            fields.append(Field(str(_("Tipo de flujo")), F("campaign_kind"), CHOICE,
                                tuple(CampaignKind.choices)))
            fields.append(Field(label, F("campaign"), TEXT))
        elif key == "recipients":
            fields.append(Field(str(_("Tipo de destinatario")), F("recipient_kind"), CHOICE,
                                tuple(RecipientKind.choices)))
            fields.append(Field(label, F("recipients"), TEXT))
        elif key == "adviser":
            fields.append(Field(label, _adviser_name(readable_adviser_ids(member)), TEXT))
        elif key == "portfolios":
            fields.append(Field(label, _portfolio_names(), TEXT))
        elif key == "last_related":
            fields.append(Field(label, _last_related("scheduled_at"), DATETIME))
            fields.append(Field(str(_("Canal de la última comunicación asociada")),
                                _last_related("channel"), CHOICE, tuple(Channel.choices)))
        elif key == "outcome":
            fields.append(Field(label, F("outcome"), CHOICE, tuple(Outcome.choices)))
            fields.append(Field(str(_("Monto prometido")), F("promise_amount"), MONEY))
            fields.append(Field(str(_("Fecha de la promesa")), F("promise_date"), DATE))
        else:
            fields.append(Field(label, F(column.path), column.kind,
                                column.choices if column.kind == CHOICE else ()))
    return fields


# --- The list ---------------------------------------------------------------------------------


class InteractionList(ListSpec):
    """The interactions a member sees (the side menu's tray), or one client's (`client=`)."""

    tray = TRAY
    noun_singular = gettext_lazy("interacción")
    noun_plural = gettext_lazy("interacciones")
    page_sizes = (25, 50, 100)
    default_page_size = 50
    default_sort = "scheduled_at"
    default_descending = True
    row_fields = ("client_id",)
    section = "interactions"
    list_url_name = "interactions:list"
    columns_url_name = "interactions:columns"
    view_create_url_name = "interactions:view_create"
    view_delete_url_name = "interactions:view_delete"
    export_resource = "interaction_export"
    file_stem = "interacciones"
    download_dialog_title = gettext_lazy("Descargar interacciones")
    # The download runs at night (interactions.night_downloads): no count before the file.
    download_counts_first = False

    def __init__(self, client=None):
        self.client = client

    def columns(self, member):
        return TRAY_COLUMNS if self.client is None else CLIENT_COLUMNS

    def base_queryset(self, member, params):
        if self.client is not None:
            return client_interaction_queryset(member=member, client=self.client)
        # The range always has a bound (see the docstring): the sort key is never NULL.
        return interaction_base_queryset(member=member).filter(scheduled_at__isnull=False)

    def filterset(self, member, params, queryset):
        return InteractionFilterSet(params, queryset=queryset, member=member,
                                    use_default_range=self.client is None)

    def search_plan(self, member, text):
        """The client, as the clients' search box finds it (name, document…): the
        search-terms index, never a scan (clients.search); see ClientSearchCondition."""
        if self.client is not None:
            return None
        search = client_search(member.project_id, text)
        if search is None:
            return None
        return ClientSearchCondition(member, search)

    def draw_rows(self, member, rows, columns, *, context):
        return interaction_rows(member, rows, columns, client=self.client,
                                here=context.get("here", ""))

    def export_fields(self, member, columns):
        return interaction_export_fields(member, columns)


class ClientSearchCondition(SearchCondition):
    """The interactions of the clients a search finds, read the cheap way for its size.

    - Few matching clients (the search collected their ids): their interactions are
      read by the (project, client, -scheduled_at) index, each client's few rows.
    - Many (a common surname: 18,000 clients of a million): the list's own date index
      is walked and each row's client looked up in the hashed matches; a page reads
      about page / share rows. Written `(client_id IN (…)) IS TRUE` so that PostgreSQL
      keeps it a hashed filter: a plain `IN` becomes a join that reads every match's
      interactions of the range and joins them to the whole clients table (0.9 s on
      20 M interactions, bench-interactions). The total is the range's estimate times
      the share of the project's clients that match, never a count of the walk.
    - Very many (more than clients.search.N_HASHED estimated): the plain `IN`.
    """

    def __init__(self, member, search):
        self.member = member
        self.search = search
        ids = search.collected()
        self.hashed = ids is None and search.estimate() <= N_HASHED
        if ids is not None:
            condition = Q(client_id__in=RawSQL("SELECT unnest(%s::bigint[])", [ids]))
        else:
            sql, params = search.matches_sql()
            if self.hashed:
                condition = RawSQL(
                    f'("interactions_interaction"."client_id" IN ({sql})) IS TRUE', params,
                    output_field=BooleanField())
            else:
                condition = Q(client_id__in=RawSQL(sql, params))
        super().__init__(condition)

    def total(self, queryset):
        if not self.hashed:
            return None  # few: the kernel counts them; very many: its estimate
        clients = plan_rows(*Client.objects.filter(project_id=self.member.project_id,
                                                    deleted_at__isnull=True)
                             .values("pk").query.sql_with_params())
        in_range = plan_rows(*queryset.order_by().values("pk").query.sql_with_params())
        share = min(1.0, self.search.estimate() / max(clients, 1))
        return None, int(in_range * share)


INTERACTIONS = InteractionList()


def build_interaction_tray(*, member, params, client=None, here: str = "") -> ListPage:
    """One page of Interacciones (every visible interaction, or one client's)."""
    spec = INTERACTIONS if client is None else InteractionList(client)
    tray = build_list(spec, member=member, params=params, context={"here": here})
    tray.extra["default_range"] = tray.query.filterset.default_range_label
    return tray
