"""What the transfer screens read: who may receive clients, and what a transfer would move."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count, F, QuerySet, Sum

from clients.models import Client, PaymentOrder, PaymentOrderQuerySet
from clients.selectors import client_base_queryset
from clients.situation import project_today
from clients.visibility import adviser_choices
from followups.choices import FollowUpStatus
from followups.models import FollowUp
from followups.selectors import open_followup_counts
from moonflow.tenancy.models import Member
from portfolios.models import PortfolioClient

from .services import member_label


def may_transfer(member: Member) -> bool:
    """Admins and supervisors hand clients out; advisers do not."""
    return member.can_manage


def transfer_targets(*, member: Member, text: str = "") -> list[Member]:
    """The active advisers `member` may hand clients to, by name or Asesor ID (any case):
    everyone for a member who sees the whole book, a restricted supervisor's teams' advisers."""
    advisers, _supervisors = adviser_choices(member)
    text = (text or "").strip().casefold()
    if not text:
        return advisers
    return [m for m in advisers
            if text in m.display_name.casefold() or text in (m.code or "").casefold()]


def selected_clients(*, member: Member, ids) -> QuerySet:
    """The clients of `ids` (ticked in the clients tray) that `member` may see now, outside
    the recycle bin: an id of another project, of a client they may not see or of one in the
    bin is left out, never transferred."""
    return client_base_queryset(member=member).filter(pk__in=list(ids))


def adviser_book(*, member: Member, adviser: Member) -> QuerySet:
    """`adviser`'s clients outside the recycle bin, as `member` sees them (the whole book, for
    an admin): what the hand-over offered when an adviser is deactivated moves."""
    return client_base_queryset(member=member).filter(adviser_id=adviser.pk)


@dataclass
class TransferPreview:
    """What a transfer of a selection would move, before it is confirmed."""

    clients: int = 0
    balance: Decimal = Decimal(0)
    by_adviser: list = field(default_factory=list)  # [(label, clients)], largest first
    open_followups: dict = field(default_factory=dict)  # kind → open gestiones that move
    promised: Decimal = Decimal(0)  # amount of the pending promises that move
    open_orders: int = 0  # payment orders still owed (they stay on the client)
    in_portfolios: int = 0  # clients in an active portfolio of their current adviser

    @property
    def moving_followups(self) -> int:
        return sum(self.open_followups.values())


def transfer_preview(*, project, clients, to_adviser: Member | None = None) -> TransferPreview:
    """Counts of what moves with `clients` (ids or a queryset of Client): a few queries,
    whatever the number of clients. With `to_adviser`, the clients it already holds are
    left out (nothing moves for them)."""
    if isinstance(clients, QuerySet):
        chosen = clients.filter(project_id=project.pk).order_by()
    else:
        chosen = Client.objects.filter(project_id=project.pk, pk__in=list(clients))
    if to_adviser is not None:
        chosen = chosen.exclude(adviser_id=to_adviser.pk)
    ids = chosen.values("id")
    preview = TransferPreview()
    rows = list(chosen.values("adviser_id").annotate(n=Count("id"), owed=Sum("balance"))
                .order_by("-n"))
    people = {m.pk: m for m in Member.objects.filter(
        project_id=project.pk, pk__in=[r["adviser_id"] for r in rows if r["adviser_id"]])
        .select_related("user")}
    preview.clients = sum(r["n"] for r in rows)
    preview.balance = sum((r["owed"] or Decimal(0) for r in rows), Decimal(0))
    preview.by_adviser = [(member_label(people.get(r["adviser_id"])), r["n"]) for r in rows]
    counts = open_followup_counts(project_id=project.pk, client_ids=ids)
    preview.promised = counts.pop("promised")
    preview.open_followups = counts
    preview.open_orders = (PaymentOrder.objects.filter(project_id=project.pk, client_id__in=ids)
                           .in_state(*PaymentOrderQuerySet.OPEN, today=project_today(project))
                           .count())
    # A restricted former adviser still sees a client kept in a portfolio they own: the
    # screen says so, and the portfolio's owner decides.
    preview.in_portfolios = (PortfolioClient.objects.filter(
        project_id=project.pk, client_id__in=ids, portfolio__active=True,
        portfolio__agent_id=F("client__adviser_id"))
        .values("client_id").distinct().count())
    return preview


def open_followups_by_route(*, project_id: int, routes: dict) -> dict:
    """The open gestiones that would follow the clients of each route: one query.

    `routes`: (source adviser, target adviser) → [client ids]; returns route → count.
    """
    keys = list(routes)
    ids, positions = [], []
    for position, key in enumerate(keys):
        ids += routes[key]
        positions += [position] * len(routes[key])
    if not ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT k.position, count(f.id)
            FROM unnest(%s::bigint[], %s::int[]) AS k(client_id, position)
            JOIN {FollowUp._meta.db_table} f
              ON f.project_id = %s AND f.client_id = k.client_id AND f.status = %s
            GROUP BY k.position
            """,
            [ids, positions, project_id, FollowUpStatus.PENDING.value],
        )
        return {keys[position]: n for position, n in cursor.fetchall()}
