"""Clients (debtors), their payment orders, claims, contacts and history."""

import re

from django.conf import settings
from django.db import models
from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.utils.translation import gettext_lazy as _

from moonflow.db.fields import ProjectForeignKey, TenantRow

from .choices import (
    AssignmentSource,
    ClaimCategory,
    ClaimStatus,
    ClientStatus,
    ContactAlert,
    Contactability,
    ContactKind,
    DocumentType,
    PaymentOrderKind,
    PaymentOrderStatus,
    PortfolioType,
    Situation,
    VariableType,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


class Segment(TenantRow):
    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("Segmento"), max_length=80)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="segment_unique_name")
        ]

    def __str__(self):
        return self.name


# A custom variable's key: how files map a column to it and the name of its planner
# statistics (clients/variable_statistics.py), so nothing else is accepted.
CUSTOM_VARIABLE_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class CustomVariable(TenantRow):
    """A per-project extra field of clients, typed, usable as filter and column."""

    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="+")
    key = models.SlugField(_("Clave"), max_length=40, db_index=False)
    label = models.CharField(_("Nombre"), max_length=80)
    type = models.CharField(_("Tipo"), max_length=10, choices=VariableType.choices)
    choices = models.JSONField(_("Opciones"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "label"]
        constraints = [
            models.UniqueConstraint(fields=["project", "key"], name="customvariable_unique_key")
        ]

    def __str__(self):
        return self.label


_ALIVE = Q(deleted_at__isnull=True)
_TRAY_FILTER_INDEXES = (
    ("status", "client_status_tray_idx"),
    ("portfolio_type", "client_ptype_tray_idx"),
    ("supervisor", "client_supervisor_tray_idx"),
    ("segment", "client_segment_tray_idx"),
    ("claim_category", "client_claim_tray_idx"),
    ("contactability", "client_contact_tray_idx"),
    ("contact_alert", "client_alert_tray_idx"),
)


class Client(TenantRow):
    # Every index of this table is rewritten when a client's situation, balance or adviser
    # changes (no HOT update), so none is redundant: the project is the leading
    # column of the unique external ID and of every tray index.
    project = models.ForeignKey(
        "tenancy.Project", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    document_type = models.CharField(
        _("Tipo de documento"), max_length=5, choices=DocumentType.choices
    )
    document_number = models.CharField(_("Número de documento"), max_length=30)
    name = models.CharField(_("Nombre"), max_length=200)
    email = models.EmailField(_("Correo electrónico"), max_length=200, blank=True)
    phone = models.CharField(_("Teléfono"), max_length=30, blank=True)
    city = models.CharField(_("Ciudad"), max_length=80, blank=True)
    # No single-column indexes on the foreign keys below: every query the product runs on
    # them starts with the project and is served by a tray index (project, <key>, …), and
    # each index more is one more entry written by every change of adviser (a transfer
    # rewrites every index of the row). Members and segments are never deleted.
    segment = ProjectForeignKey(
        Segment, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("Segmento"),
        db_index=False, db_constraint=False,
    )
    status = models.CharField(
        _("Estado"), max_length=10, choices=ClientStatus.choices, default=ClientStatus.ACTIVE
    )
    portfolio_type = models.CharField(
        _("Tipo de cartera"),
        max_length=12,
        choices=PortfolioType.choices,
        default=PortfolioType.CURRENT,
    )
    adviser = models.ForeignKey(
        "tenancy.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_clients",
        verbose_name=_("Asesor asignado"),
        db_index=False,
    )
    supervisor = models.ForeignKey(
        "tenancy.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervised_clients",
        verbose_name=_("Supervisor asignado"),
        db_index=False,
    )
    claim_category = models.CharField(
        _("Reclamo"), max_length=12, choices=ClaimCategory.choices, default=ClaimCategory.NONE
    )
    contactability = models.CharField(
        _("Contactabilidad"),
        max_length=16,
        choices=Contactability.choices,
        default=Contactability.CONTACTABLE,
    )
    contact_alert = models.CharField(
        _("Alertas de contacto"),
        max_length=20,
        choices=ContactAlert.choices,
        default=ContactAlert.NONE,
    )
    extra = models.JSONField(_("Variables adicionales"), default=dict, blank=True)
    situation = models.PositiveSmallIntegerField(
        _("Situación"), choices=Situation.choices, default=Situation.FINISHED
    )
    balance = models.DecimalField(_("Saldo"), default=0, **MONEY)
    oldest_overdue_on = models.DateField(_("Vencimiento más antiguo"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("Eliminado"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    deletion_reason = models.CharField(_("Motivo"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("Creado"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Actualizado"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "document_type", "document_number"],
                name="client_unique_external_id",
            )
        ]
        indexes = [
            models.Index(
                fields=["project", "name", "id"],
                name="client_tray_idx",
                condition=Q(deleted_at__isnull=True),
            ),
            models.Index(
                fields=["project", "adviser", "name", "id"],
                name="client_adviser_tray_idx",
                condition=Q(deleted_at__isnull=True),
            ),
            models.Index(
                fields=["project", "situation", "name", "id"],
                name="client_situation_tray_idx",
                condition=Q(deleted_at__isnull=True),
            ),
            models.Index(
                fields=["project", "deleted_at"],
                name="client_recycle_bin_idx",
                condition=Q(deleted_at__isnull=False),
            ),
            # The clients tray (clients/tray.py): one index per filter that matches the
            # filter *and* the default order (name, id), so a keyset page costs the same
            # at any depth; and the sort orders people use on large books.
            *(
                models.Index(
                    fields=["project", field, "name", "id"], name=name, condition=_ALIVE
                )
                for field, name in _TRAY_FILTER_INDEXES
            ),
            models.Index(
                fields=["project", "created_at", "id"], name="client_created_tray_idx",
                condition=_ALIVE,
            ),
            models.Index(
                fields=["project", "balance", "id"], name="client_balance_tray_idx",
                condition=_ALIVE,
            ),
            # Every sort in its own order (migration 0011): a filter with a sort then costs
            # an index range, not a sort of the book.
            *(
                models.Index(fields=["project", field, "id"], name=name, condition=_ALIVE)
                for field, name in (("email", "client_email_tray_idx"),
                                    ("phone", "client_phone_tray_idx"),
                                    ("city", "client_city_tray_idx"))
            ),
            # The balance depends on the situation (finished: 0) and on the segment (loan
            # sizes): only these composites keep "filter + sort by Saldo" to one range.
            models.Index(
                fields=["project", "situation", "balance", "id"],
                name="client_sit_balance_tray_idx", condition=_ALIVE,
            ),
            models.Index(
                fields=["project", "segment", "balance", "id"],
                name="client_seg_balance_tray_idx", condition=_ALIVE,
            ),
            # The search boxes read ClientSearchTerm (clients/search.py), not this table.
        ]

    def __str__(self):
        return f"{self.name} ({self.document_type} {self.document_number})"

    @property
    def external_id(self) -> str:
        return f"{self.document_type} {self.document_number}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class ClientSearchTerm(TenantRow):
    """One term a client is found by in the search boxes (see clients/search.py).

    A name word, "@" + the e-mail, "#" + the document number without
    punctuation, or "+" + the phone's digits read from the end, with the
    client's name (the default sort, read from this index alone). PostgreSQL
    triggers keep the rows in step with `Client` (migration 0010): every
    insert (COPY too), every update of a searched column, every delete. The
    key starts with the project, so a prefix is one range of one index within
    one project.
    """

    pk = models.CompositePrimaryKey("project_id", "term", "name", "client_id")
    project = models.ForeignKey(
        "tenancy.Project", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
        related_name="+",
    )
    # "C": a prefix is an exact byte range of the index, whatever the database's collation.
    term = models.CharField(max_length=255, db_collation="C")
    # The client's name, with the same collation as Client.name: the tray's order.
    name = models.CharField(max_length=200)
    client = ProjectForeignKey(
        Client, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
        related_name="+",
    )

    def __str__(self):
        return self.term


class ClientContact(TenantRow):
    """Further emails and phones; mobiles keep their country code apart."""

    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="+")
    client = ProjectForeignKey(Client, on_delete=models.CASCADE, related_name="contacts",
                               db_index=False, db_constraint=False)
    kind = models.CharField(_("Tipo"), max_length=10, choices=ContactKind.choices)
    country_code = models.CharField(_("Código de país"), max_length=5, blank=True)
    value = models.CharField(_("Valor"), max_length=200)
    label = models.CharField(_("Etiqueta"), max_length=60, blank=True)

    class Meta:
        indexes = [models.Index(fields=["project", "client"], name="clientcontact_client_idx")]


class ClientReference(TenantRow):
    """A personal reference or a guarantor (codeudor) of the client."""

    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="+")
    client = ProjectForeignKey(Client, on_delete=models.CASCADE, related_name="references",
                               db_index=False, db_constraint=False)
    name = models.CharField(_("Nombre"), max_length=200)
    relationship = models.CharField(_("Relación"), max_length=60, blank=True)
    phone = models.CharField(_("Teléfono"), max_length=30, blank=True)
    email = models.EmailField(_("Correo electrónico"), blank=True)
    is_guarantor = models.BooleanField(_("Codeudor"), default=False)

    class Meta:
        indexes = [models.Index(fields=["project", "client"], name="clientref_client_idx")]


class PaymentOrderQuerySet(models.QuerySet):
    """The state people read on a payment order, one definition for every query.

    "Vigente", "Vencida", "Pagada" and "Anulada". "Vencida" is not stored: it
    is a pending order whose due date is before `today`, the project's date
    (`clients.situation.project_today`); an order due today is still "vigente".
    The situation (clients/situation.py, through `state_sql`), the client page,
    the order counts and the Órdenes de pago filters all read it from here.
    """

    # state → (stored status, how the due date compares with today, if it matters)
    STATES = {
        "vigente": (PaymentOrderStatus.PENDING, "gte"),
        "vencida": (PaymentOrderStatus.PENDING, "lt"),
        "pagada": (PaymentOrderStatus.PAID, None),
        "anulada": (PaymentOrderStatus.ANNULLED, None),
    }
    # What the client still owes: the open orders, due or not.
    OPEN = ("vigente", "vencida")

    @staticmethod
    def _terms(states) -> list[tuple[str, str | None]]:
        """(status, due-date comparison or None) per stored status; both comparisons
        of one status ("vigente" and "vencida") need no date at all."""
        if not states:
            raise ValueError("No payment order state given")
        by_status: dict[str, set] = {}
        for state in states:
            try:
                status, due = PaymentOrderQuerySet.STATES[state]
            except KeyError:
                raise ValueError(f"Unknown payment order state: {state!r}") from None
            by_status.setdefault(status, set()).add(due)
        return [
            (status, next(iter(dues)) if len(dues) == 1 else None)
            for status, dues in by_status.items()
        ]

    @staticmethod
    def state_q(*states, today, prefix: str = "") -> Q:
        """A Q over PaymentOrder (or over a model whose `prefix` leads to one)."""
        condition = Q()
        for status, due in PaymentOrderQuerySet._terms(states):
            term = Q(**{f"{prefix}status": status})
            if due is not None:
                term &= Q(**{f"{prefix}due_date__{due}": today})
            condition |= term
        return condition

    @staticmethod
    def state_sql(*states, alias: str = "po", today: str = "%(today)s") -> str:
        """The same condition as SQL on the table aliased `alias`, for set-based
        statements; `today` is the placeholder of the date parameter."""
        operators = {"lt": "<", "gte": ">="}
        terms = []
        for status, due in PaymentOrderQuerySet._terms(states):
            term = f"{alias}.status = '{status}'"
            if due is not None:
                term += f" AND {alias}.due_date {operators[due]} {today}"
            terms.append(f"({term})")
        return "(" + " OR ".join(terms) + ")"

    @staticmethod
    def state_of(order, *, today) -> str:
        """The state of an order already loaded, by the same rule."""
        for state, (status, due) in PaymentOrderQuerySet.STATES.items():
            if order.status == status and (
                due is None or (due == "lt") == (order.due_date < today)
            ):
                return state
        return order.status

    def in_state(self, *states, today):
        """The orders in any of `states` ("vigente", "vencida", "pagada", "anulada") on `today`."""
        return self.filter(self.state_q(*states, today=today))

    def with_state(self, *, today):
        """Each order annotated with its `state` on `today`."""
        return self.annotate(
            state=Case(
                *(When(self.state_q(s, today=today), then=Value(s)) for s in self.STATES),
                default=F("status"),
                output_field=CharField(),
            )
        )

    def state_counts(self, *, today) -> dict:
        """How many orders are in each state on `today`, in one query: {"vigente": n, …}."""
        return self.aggregate(
            **{s: Count("id", filter=self.state_q(s, today=today)) for s in self.STATES}
        )


class PaymentOrder(TenantRow):
    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="+")
    client = ProjectForeignKey(Client, on_delete=models.CASCADE, related_name="payment_orders",
                               db_index=False, db_constraint=False)
    number = models.CharField(_("Número"), max_length=40)
    kind = models.CharField(
        _("Tipo"), max_length=14, choices=PaymentOrderKind.choices, default=PaymentOrderKind.INVOICE
    )
    amount = models.DecimalField(_("Monto"), **MONEY)
    interest = models.DecimalField(_("Intereses"), default=0, **MONEY)
    discounts = models.DecimalField(_("Descuentos"), default=0, **MONEY)
    payments = models.DecimalField(_("Pagos"), default=0, **MONEY)
    total = models.GeneratedField(
        expression=F("amount") + F("interest") - F("discounts") - F("payments"),
        output_field=models.DecimalField(**MONEY),
        db_persist=True,
        verbose_name=_("Total"),
    )
    currency = models.CharField(_("Moneda"), max_length=3, default="COP")
    issued_on = models.DateField(_("Emisión"), null=True, blank=True)
    due_date = models.DateField(_("Vencimiento"))
    status = models.CharField(
        _("Estado"),
        max_length=10,
        choices=PaymentOrderStatus.choices,
        default=PaymentOrderStatus.PENDING,
    )
    paid_at = models.DateTimeField(_("Pagada el"), null=True, blank=True)
    annulled_at = models.DateTimeField(_("Anulada el"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PaymentOrderQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="paymentorder_unique_number")
        ]
        indexes = [
            models.Index(
                fields=["project", "client", "status", "due_date"], name="paymentorder_client_idx"
            ),
            # Cuentas por cobrar → Órdenes de pago: keyset pages in (due_date, id) order.
            models.Index(fields=["project", "due_date", "id"], name="paymentorder_tray_idx"),
            # Its "Vigente" and "Vencida" filters: the open orders alone, in the same order.
            models.Index(
                fields=["project", "due_date", "id"],
                name="paymentorder_open_tray_idx",
                condition=Q(status="pending"),
            ),
        ]

    def __str__(self):
        return self.number


class Claim(TenantRow):
    """A client dispute: at most two open per client, in different categories."""

    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="+")
    client = ProjectForeignKey(Client, on_delete=models.CASCADE, related_name="claims",
                               db_index=False, db_constraint=False)
    category = models.CharField(_("Categoría"), max_length=12, choices=ClaimCategory.choices)
    status = models.CharField(
        _("Estado"), max_length=6, choices=ClaimStatus.choices, default=ClaimStatus.OPEN
    )
    description = models.TextField(_("Descripción"), blank=True)
    payment_orders = models.ManyToManyField(PaymentOrder, blank=True, related_name="claims",
                                            through="ClaimPaymentOrder")
    opened_at = models.DateTimeField(_("Abierto"), auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", db_index=False,
    )
    closed_at = models.DateTimeField(_("Cerrado"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "client", "category"],
                condition=Q(status="open"),
                name="claim_one_open_per_category",
            )
        ]
        indexes = [models.Index(fields=["project", "client", "status"], name="claim_client_idx")]


class ClaimPaymentOrder(TenantRow):
    """A payment order a claim disputes: the link carries the project like every tenant
    row, so it is distributed with the claim and the order (docs/distribution.md)."""

    project = models.ForeignKey(
        "tenancy.Project", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    claim = ProjectForeignKey(
        Claim, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    paymentorder = ProjectForeignKey(
        PaymentOrder, on_delete=models.CASCADE, related_name="+", db_index=False,
        db_constraint=False,
    )

    class Meta:
        db_table = "clients_claim_payment_orders"
        constraints = [
            models.UniqueConstraint(
                fields=["project", "claim", "paymentorder"], name="claim_payment_order_unique"
            )
        ]
        indexes = [
            models.Index(fields=["project", "paymentorder"], name="claim_payment_order_idx")
        ]


class ClientAssignment(TenantRow):
    """Assignment history: who held a client from when to when, and why."""

    # Read by (project, client) only (assignment_client_idx), the purge too (it deletes
    # by project and client, clients/recycle_bin.py). The other keys have no index: a
    # transfer or an import writes one row per client moved.
    project = models.ForeignKey(
        "tenancy.Project", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    client = ProjectForeignKey(Client, on_delete=models.CASCADE, related_name="assignments",
                               db_index=False, db_constraint=False)
    adviser = models.ForeignKey(
        "tenancy.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False,
    )
    started_at = models.DateTimeField(_("Desde"))
    ended_at = models.DateTimeField(_("Hasta"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", db_index=False,
    )
    source = models.CharField(_("Origen"), max_length=10, choices=AssignmentSource.choices)
    job = ProjectForeignKey(
        "jobs.ProcessJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False, db_constraint=False,
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["project", "client", "-started_at"], name="assignment_client_idx")
        ]



class ClientDeletion(TenantRow):
    """How a client went to the recycle bin, when an import sent it there (a file or an SFTP
    drop that no longer names it, mode "actualizar incluyendo eliminación"): the bin labels it
    with the job. A client in the bin without the row for its `deleted_at` was deleted by hand.
    See clients/recycle_bin.py."""

    project = models.ForeignKey(
        "tenancy.Project", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    client = ProjectForeignKey(
        Client, on_delete=models.CASCADE, related_name="deletions", db_index=False,
        db_constraint=False,
    )
    deleted_at = models.DateTimeField(_("Eliminado"))
    source = models.CharField(_("Origen"), max_length=10, choices=AssignmentSource.choices)
    job = ProjectForeignKey(
        "jobs.ProcessJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False, db_constraint=False,
    )
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", db_index=False,
    )

    class Meta:
        indexes = [
            models.Index(fields=["project", "client", "-deleted_at"], name="clientdeletion_idx")
        ]
