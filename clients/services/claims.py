"""Claims: the rule that ties `Client.claim_category` to the Claim rows.

- Choosing a category (Condiciones contractuales, Errores de facturación,
  Problemas con el pago, Problemas con producto/servicio) opens a claim of
  that category unless one is already open. A client has at most two open
  claims, in different categories: a third category is refused with a message
  naming the open ones. A new claim is linked to the payment orders chosen, or
  by default to every pending order of the client (the debt in dispute).
- "Sin reclamo / Reclamo cerrado" closes every open claim.
- `Client.claim_category` always shows the most recently opened claim that is
  still open, or "Sin reclamo / Reclamo cerrado" when none is; closing one of
  two open claims falls back to the other.
- Any change recomputes the situation (an open claim → "Con reclamo").
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from moonflow.audit.models import AuditEventKind

from ..choices import ClaimCategory, ClaimStatus, PaymentOrderStatus
from ..models import Claim, ClaimPaymentOrder, Client, PaymentOrder
from ..validation import FieldError
from .common import audit_client, lock_client, refresh_situation

MAX_OPEN_CLAIMS = 2


def _open_claims(client: Client):
    return Claim.objects.filter(
        project=client.project, client=client, status=ClaimStatus.OPEN
    ).order_by("-opened_at", "-id")


def _sync_claim_category(client: Client, *, actor, source: str) -> None:
    """Client.claim_category shows the latest open claim, or none."""
    latest = _open_claims(client).values_list("category", flat=True).first()
    new = latest or ClaimCategory.NONE
    if client.claim_category != new:
        old = client.claim_category
        client.claim_category = new
        client.save(update_fields=["claim_category", "updated_at"])
        audit_client(
            client,
            actor=actor,
            event=AuditEventKind.UPDATED,
            changes={"claim_category": [old, new]},
            source=source,
        )


def apply_claim_category(client: Client, *, category: str, actor, source: str, payment_orders=None):
    """The claim rule for `category`, on a locked client (no situation recomputed)."""
    open_claims = list(_open_claims(client))
    now = timezone.now()
    if category == ClaimCategory.NONE:
        for claim in open_claims:
            claim.status = ClaimStatus.CLOSED
            claim.closed_at = now
            claim.save(update_fields=["status", "closed_at"])
    elif not any(c.category == category for c in open_claims):
        if len(open_claims) >= MAX_OPEN_CLAIMS:
            names = " y ".join(f"«{c.get_category_display()}»" for c in open_claims)
            raise FieldError(
                "claim_category",
                ClaimCategory(category).label,
                _(
                    "Reclamo «%(category)s»: el cliente ya tiene dos reclamos abiertos "
                    "(%(open)s). Cierre uno antes de abrir otro."
                )
                % {"category": ClaimCategory(category).label, "open": names},
            )
        claim = Claim.objects.create(
            project=client.project, client=client, category=category, opened_by=actor
        )
        if payment_orders is None:
            payment_orders = PaymentOrder.objects.filter(
                project=client.project, client=client, status=PaymentOrderStatus.PENDING
            )
        # Only this client's orders can be in dispute in this client's claim.
        ClaimPaymentOrder.objects.bulk_create(
            ClaimPaymentOrder(project=client.project, claim=claim, paymentorder=order)
            for order in payment_orders if order.client_id == client.pk
        )
    else:
        # Already open: choosing it again makes it the one the client shows.
        claim = next(c for c in open_claims if c.category == category)
        if client.claim_category != category:
            old = client.claim_category
            client.claim_category = category
            client.save(update_fields=["claim_category", "updated_at"])
            audit_client(
                client,
                actor=actor,
                event=AuditEventKind.UPDATED,
                changes={"claim_category": [old, category]},
                source=source,
            )
        return
    _sync_claim_category(client, actor=actor, source=source)


@transaction.atomic
def claim_set_category(
    *, client: Client, category: str, actor, payment_orders=None, source: str = "screen"
) -> Client:
    """Apply the claim rule for a category chosen in the record (see module doc)."""
    lock_client(client)
    client.refresh_from_db(fields=["claim_category"])
    apply_claim_category(
        client, category=category, actor=actor, source=source, payment_orders=payment_orders
    )
    refresh_situation(client)
    return client


@transaction.atomic
def claim_close(*, claim: Claim, actor, source: str = "screen") -> Claim:
    """Close one claim; the client shows the other open one, if any."""
    client = claim.client
    lock_client(client)
    claim.refresh_from_db(fields=["status"])
    if claim.status == ClaimStatus.CLOSED:
        return claim
    claim.status = ClaimStatus.CLOSED
    claim.closed_at = timezone.now()
    claim.save(update_fields=["status", "closed_at"])
    client.refresh_from_db(fields=["claim_category"])
    _sync_claim_category(client, actor=actor, source=source)
    refresh_situation(client)
    return claim
