"""Órdenes de pago on the list kernel: the side menu's tray and one client's orders.

`PaymentOrderList` tells `moonflow.lists` what is the orders': the base
queryset (`payment_order_base_queryset`, which carries visibility; or one
client's orders), the filters (state, kind, due date range), the search box
(number, client) and the columns. The page is in the order of the indexes
built for it, (project, due_date, id) and the open orders' partial index, so
only the due date sorts: another order would sort every order of the book
on each view (5 M at the scale measured in docs/benchmarks.md).

The state ("vigente", "vencida", "pagada", "anulada") is
`PaymentOrderQuerySet`'s: one rule for the filters, the rows and the counts.
"""

import django_filters
from django.db.models import Case, CharField, F, Q, Value, When
from django.utils.translation import gettext_lazy as _

from moonflow.jobs.models import JobKind
from moonflow.lists.columns import CHOICE, DATE, MONEY, TEXT, Column
from moonflow.lists.downloads import download_task
from moonflow.lists.exports import Field
from moonflow.lists.filters import ListFilterSet
from moonflow.lists.keyset import DAY, SortKey
from moonflow.lists.listing import ListPage, ListSpec, SearchCondition, build_list
from portfolios.badges import portfolio_names

from .choices import PaymentOrderKind
from .display import external_id_display
from .models import PaymentOrder
from .order_rows import write_order_rows
from .search import client_ids_matching
from .selectors import payment_order_base_queryset
from .situation import project_today

TRAY = "payment_orders"

STATE_CHOICES = [
    ("vigente", _("Vigente")),
    ("vencida", _("Vencida")),
    ("pagada", _("Pagada")),
    ("anulada", _("Anulada")),
]
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class PaymentOrderFilterSet(ListFilterSet):
    estado = django_filters.MultipleChoiceFilter(
        label=_("Estado"), choices=STATE_CHOICES, method="filter_state", distinct=False
    )
    tipo = django_filters.MultipleChoiceFilter(
        label=_("Tipo"), choices=PaymentOrderKind.choices, field_name="kind", distinct=False
    )
    vence_desde = django_filters.DateFilter(
        label=_("Vencimiento"), field_name="due_date", lookup_expr="gte",
        input_formats=DATE_INPUT_FORMATS,
    )
    vence_hasta = django_filters.DateFilter(
        label=_("Vencimiento"), field_name="due_date", lookup_expr="lte",
        input_formats=DATE_INPUT_FORMATS,
    )

    class Meta:
        model = PaymentOrder
        fields: list[str] = []

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.add_range("vence_desde", "vence_hasta")

    def filter_state(self, qs, name, value):
        return qs.in_state(*value, today=self.today)


def _client_text(row: dict) -> str:
    return row.get("client__name") or ""


def _document_text(row: dict) -> str:
    return external_id_display(row.get("client__document_type"), row.get("client__document_number"))


def _money(key: str, label, *, default: bool = True) -> Column:
    return Column(key, label, key, MONEY, sortable=False, default=default)


COLUMNS = [
    Column("number", _("Número"), "number", TEXT, sortable=False, default=True, required=True),
    Column("client", _("Cliente"), "client__name", TEXT, sortable=False, default=True,
           extra_paths=("client_id",), display=_client_text),
    Column("document", _("Documento"), "client__document_number", TEXT, sortable=False,
           default=True, extra_paths=("client__document_type",), display=_document_text),
    Column("kind", _("Tipo"), "kind", CHOICE, sortable=False, default=True,
           choices=tuple(PaymentOrderKind.choices)),
    Column("issued_on", _("Emisión"), "issued_on", DATE, sortable=False),
    Column("due_date", _("Vencimiento"), "due_date", DATE, default=True, required=True,
           sort_keys=(SortKey(F("due_date"), DAY),)),
    Column("state", _("Estado"), "status", TEXT, sortable=False, default=True, required=True),
    _money("amount", _("Monto")),
    _money("interest", _("Intereses"), default=False),
    _money("discounts", _("Descuentos"), default=False),
    _money("payments", _("Pagos"), default=False),
    _money("total", _("Total")),
]


class PaymentOrderList(ListSpec):
    """The orders a member sees (the side menu's tray), or one client's (`client=`)."""

    tray = TRAY
    noun_singular = _("orden")
    noun_plural = _("órdenes")
    page_sizes = (25, 50, 100)
    default_page_size = 50
    default_sort = "due_date"
    row_fields = ("client_id", "status", "paid_at", "currency")
    section = "payment_orders"
    list_url_name = "clients:payment_orders"
    columns_url_name = "clients:payment_order_columns"
    view_create_url_name = "clients:payment_order_view_create"
    view_delete_url_name = "clients:payment_order_view_delete"
    download_url_name = "clients:payment_order_download"
    export_kind = JobKind.PAYMENT_ORDER_EXPORT
    export_resource = "payment_order_export"
    file_stem = "ordenes_de_pago"
    download_dialog_title = _("Descargar órdenes de pago")

    def __init__(self, client=None):
        self.client = client

    def columns(self, member):
        if self.client is None:
            return COLUMNS
        return [c for c in COLUMNS if c.key not in ("client", "document")]

    def base_queryset(self, member, params):
        if self.client is not None:
            return PaymentOrder.objects.filter(project_id=self.client.project_id,
                                               client=self.client)
        return payment_order_base_queryset(member=member)

    def filterset(self, member, params, queryset):
        return PaymentOrderFilterSet(params, queryset=queryset,
                                     today=project_today(member.project))

    def search_plan(self, member, text):
        """The order's number, or (the side menu's list) its client as the clients' search
        box finds it: the search-terms index, never a scan of the book (clients.search)."""
        condition = Q(number__iexact=text.strip())
        if self.client is None:
            ids = client_ids_matching(member.project_id, text)
            if ids is not None:
                condition |= Q(client_id__in=ids)
        return SearchCondition(condition)

    def export_fields(self, member, columns):
        fields = []
        for column in columns:
            if column.key == "document":
                fields.append(Field(str(_("Tipo de documento")), F("client__document_type"), TEXT))
                fields.append(Field(str(_("Número de documento")), F("client__document_number"),
                                    TEXT))
            elif column.key == "state":
                today = project_today(member.project)
                fields.append(Field(str(column.label), _state_expression(today), CHOICE,
                                    tuple(STATE_CHOICES)))
            else:
                fields.append(Field(str(column.label), F(column.path), column.kind, column.choices))
        return fields

    def draw_rows(self, member, rows, columns, *, context):
        """The page's orders with their state, in the page's order: one query; and, when the
        Cliente column shows, the portfolio icons of the page's clients: one more."""
        ids = [r["id"] for r in rows]
        today = project_today(member.project)
        orders = {
            o.pk: o
            for o in PaymentOrder.objects.filter(project_id=member.project_id, pk__in=ids)
            .select_related("client")
            .with_state(today=today)
        }
        page = [orders[pk] for pk in ids if pk in orders]
        portfolios = {}
        if any(c.key == "client" for c in columns):
            portfolios = portfolio_names(member.project_id, {o.client_id for o in page})
        write_order_rows(page, columns, project_slug=member.project.slug, client=self.client,
                         here=context.get("here", ""), portfolios=portfolios)
        return page


def _state_expression(today):
    """The state of each order on `today`, as `PaymentOrderQuerySet.with_state` reads it."""
    return Case(
        *(When(PaymentOrder.objects.state_q(s, today=today), then=Value(s))
          for s, _label in STATE_CHOICES),
        default=F("status"),
        output_field=CharField(),
    )


PAYMENT_ORDERS = PaymentOrderList()

# Routed to the "exports" queue by its name (CELERY_TASK_ROUTES "*.tasks.export_*").
export_payment_orders_task = download_task("clients.tasks.export_payment_orders", PAYMENT_ORDERS)


def build_order_tray(*, member, params, client=None, here: str = "") -> ListPage:
    """One page of Órdenes de pago (every visible order, or one client's); `here` is
    where the rows' dialogs come back to."""
    spec = PAYMENT_ORDERS if client is None else PaymentOrderList(client)
    return build_list(spec, member=member, params=params, context={"here": here})
