"""Payment orders: create, edit a pending one, mark paid, annul.

Every change recomputes the client's situation in the same transaction.
Paid and annulled orders are history: they are not edited.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from moonflow.audit.changes import audit_value, save_changes
from moonflow.audit.models import AuditEventKind
from moonflow.audit.services import audit_record

from ..choices import PaymentOrderKind, PaymentOrderStatus
from ..models import Client, PaymentOrder
from ..validation import FieldError
from .common import lock_client, refresh_situation

ORDER_UPDATABLE = {
    "number",
    "kind",
    "amount",
    "interest",
    "discounts",
    "payments",
    "currency",
    "issued_on",
    "due_date",
}


def _order_label(order: PaymentOrder) -> str:
    return f"{order.number} · {order.client.name}"


def _audit_order(order: PaymentOrder, *, actor, event: str, changes: dict, source="screen"):
    audit_record(
        project=order.client.project,
        actor=actor,
        event=event,
        resource_type="payment_order",
        resource_id=order.pk,
        resource_label=_order_label(order),
        changes=changes,
        source=source,
    )


def _order_number_taken(number: str) -> FieldError:
    return FieldError(
        "number",
        number,
        _("Número «%(number)s»: ya existe una orden de pago con ese número en el proyecto.")
        % {"number": number},
    )


def _check_order_number_free(*, project, number: str, exclude_pk=None) -> None:
    qs = PaymentOrder.objects.filter(project=project, number=number)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise _order_number_taken(number)


class PaymentOrderStateError(FieldError):
    """An action the order's state does not allow (paying an annulled one…)."""

    def __init__(self, order: PaymentOrder, message: str):
        super().__init__("status", order.get_status_display(), message)


@transaction.atomic
def payment_order_create(
    *,
    client: Client,
    actor,
    number: str,
    due_date: date,
    amount: Decimal,
    kind: str = PaymentOrderKind.INVOICE,
    interest: Decimal = Decimal("0"),
    discounts: Decimal = Decimal("0"),
    payments: Decimal = Decimal("0"),
    currency: str | None = None,
    issued_on: date | None = None,
    source: str = "screen",
) -> PaymentOrder:
    lock_client(client)
    _check_order_number_free(project=client.project, number=number)
    order = PaymentOrder(
        project=client.project,
        client=client,
        number=number,
        kind=kind,
        amount=amount,
        interest=interest,
        discounts=discounts,
        payments=payments,
        currency=currency or client.project.currency,
        issued_on=issued_on,
        due_date=due_date,
    )
    try:
        with transaction.atomic():
            order.save(force_insert=True)
    except IntegrityError:
        raise _order_number_taken(number) from None
    _audit_order(
        order,
        actor=actor,
        event=AuditEventKind.CREATED,
        changes={
            "number": [None, number],
            "amount": [None, audit_value(amount)],
            "due_date": [None, audit_value(due_date)],
        },
        source=source,
    )
    refresh_situation(client)
    return order


@transaction.atomic
def payment_order_update(*, order: PaymentOrder, actor, source: str = "screen", **fields) -> PaymentOrder:
    """Change a pending order's data. Paid and annulled orders are history."""
    unknown = set(fields) - ORDER_UPDATABLE
    if unknown:
        raise TypeError(f"payment_order_update() got unexpected fields: {sorted(unknown)}")
    lock_client(order.client)
    order.refresh_from_db(fields=["status"])
    if order.status != PaymentOrderStatus.PENDING:
        raise PaymentOrderStateError(
            order,
            _("La orden de pago %(number)s está %(status)s: no se puede editar.")
            % {"number": order.number, "status": order.get_status_display().lower()},
        )
    if "number" in fields and fields["number"] != order.number:
        _check_order_number_free(project=order.project, number=fields["number"], exclude_pk=order.pk)
    changes = save_changes(
        order,
        fields,
        actor=actor,
        resource_type="payment_order",
        label=_order_label,
        source=source,
        project=order.client.project,
        on_conflict=lambda: _order_number_taken(fields.get("number", order.number)),
    )
    if not changes:
        return order
    order.refresh_from_db(fields=["total"])
    refresh_situation(order.client)
    return order


@transaction.atomic
def payment_order_mark_paid(
    *, order: PaymentOrder, actor, paid_at: datetime | None = None, source: str = "screen"
) -> PaymentOrder:
    """Record the order as paid: what was still owed counts as paid now."""
    lock_client(order.client)
    order.refresh_from_db(fields=["status", "payments", "amount", "interest", "discounts"])
    if order.status == PaymentOrderStatus.PAID:
        return order
    if order.status == PaymentOrderStatus.ANNULLED:
        raise PaymentOrderStateError(
            order,
            _("La orden de pago %(number)s está anulada: no se puede marcar como pagada.")
            % {"number": order.number},
        )
    old_payments = order.payments
    order.status = PaymentOrderStatus.PAID
    order.paid_at = paid_at or timezone.now()
    # Total = amount + interest − discounts − payments: a paid order owes nothing.
    order.payments = order.amount + order.interest - order.discounts
    order.save(update_fields=["status", "paid_at", "payments", "updated_at"])
    order.refresh_from_db(fields=["total"])
    _audit_order(
        order,
        actor=actor,
        event=AuditEventKind.UPDATED,
        changes={
            "status": [PaymentOrderStatus.PENDING, PaymentOrderStatus.PAID],
            "payments": [audit_value(old_payments), audit_value(order.payments)],
            "paid_at": [None, audit_value(order.paid_at)],
        },
        source=source,
    )
    refresh_situation(order.client)
    return order


@transaction.atomic
def payment_order_annul(*, order: PaymentOrder, actor, source: str = "screen") -> PaymentOrder:
    """Annul a pending order: it no longer counts for the situation or the balance."""
    lock_client(order.client)
    order.refresh_from_db(fields=["status"])
    if order.status == PaymentOrderStatus.ANNULLED:
        return order
    if order.status == PaymentOrderStatus.PAID:
        raise PaymentOrderStateError(
            order,
            _("La orden de pago %(number)s está pagada: no se puede anular.")
            % {"number": order.number},
        )
    order.status = PaymentOrderStatus.ANNULLED
    order.annulled_at = timezone.now()
    order.save(update_fields=["status", "annulled_at", "updated_at"])
    _audit_order(
        order,
        actor=actor,
        event=AuditEventKind.UPDATED,
        changes={
            "status": [PaymentOrderStatus.PENDING, PaymentOrderStatus.ANNULLED],
            "annulled_at": [None, audit_value(order.annulled_at)],
        },
        source=source,
    )
    refresh_situation(order.client)
    return order
