"""Cambio de gestor among several advisers: the plan (who receives which client) and its preview.

Methods:
- "round_robin": the clients, in id order, dealt one each in turn in the
  order the advisers were picked: each receives the same number (±1);
- "by_count": balanced by number of clients: each client goes to the adviser
  whose book (what they hold now, plus what they received) is smallest, so
  the books end as even as they can;
- "by_balance": balanced by outstanding balance: the clients from the largest
  balance down, each to the adviser whose book owes least so far (ties: fewer
  clients, then the order picked).

A book counts the adviser's clients outside the recycle bin that are not
part of the selection. The plan is deterministic for a given book, and its
`digest` names it: `transfer_split` applies a plan only when the book still
gives the same one (else the preview is stale, and the user sees it again).
"""

from __future__ import annotations

import hashlib
import heapq
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from clients.models import Client
from moonflow.tenancy.models import Member

from .services import TransferError, check_targets, member_label, selection_sql, transfer_pairs

METHODS = ("round_robin", "by_count", "by_balance")


@dataclass
class Share:
    """What one adviser receives, and what their book becomes."""

    adviser: Member
    clients: int
    balance: Decimal
    book_clients: int  # after the transfer
    book_balance: Decimal

    @property
    def label(self) -> str:
        return member_label(self.adviser)


@dataclass
class SplitPlan:
    method: str
    shares: list[Share]
    assignments: list[tuple[int, int]]  # (client id, adviser id), in client id order
    digest: str

    @property
    def clients(self) -> int:
        return len(self.assignments)

    @property
    def balance(self) -> Decimal:
        return sum((s.balance for s in self.shares), Decimal(0))


def _selection(project, clients) -> list[tuple[int, int | None, Decimal, bool]]:
    """(id, adviser, balance, in the bin) of each selected client of the project, by id."""
    sql, params = selection_sql(project, clients)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT c.id, c.adviser_id, c.balance, c.deleted_at IS NOT NULL
            FROM clients_client c
            WHERE c.project_id = %s AND c.id IN ({sql})
            ORDER BY c.id
            """,
            [project.pk, *params],
        )
        return cursor.fetchall()


def _books(project, advisers: list[int], selected) -> dict[int, tuple[int, Decimal]]:
    """Each adviser's book without the selected clients: (clients, balance)."""
    books = {pk: [0, Decimal(0)] for pk in advisers}
    for row in (Client.objects.filter(project_id=project.pk, adviser_id__in=advisers,
                                      deleted_at__isnull=True)
                .values("adviser_id").annotate(n=Count("id"), owed=Sum("balance"))):
        books[row["adviser_id"]] = [row["n"], row["owed"] or Decimal(0)]
    for _pk, adviser, balance, deleted in selected:
        if adviser in books and not deleted:
            books[adviser][0] -= 1
            books[adviser][1] -= balance
    return {pk: (n, owed) for pk, (n, owed) in books.items()}


def _deal(method: str, selected, order: list[int], books) -> dict[int, int]:
    """client id → adviser id."""
    if method == "round_robin":
        return {row[0]: order[i % len(order)] for i, row in enumerate(selected)}
    position = {pk: i for i, pk in enumerate(order)}
    plan = {}
    if method == "by_count":
        heap = [(books[pk][0], position[pk], pk) for pk in order]
        heapq.heapify(heap)
        for row in selected:
            size, pos, pk = heapq.heappop(heap)
            plan[row[0]] = pk
            heapq.heappush(heap, (size + 1, pos, pk))
        return plan
    heap = [(books[pk][1], books[pk][0], position[pk], pk) for pk in order]
    heapq.heapify(heap)
    for row in sorted(selected, key=lambda r: (-r[2], r[0])):
        owed, size, pos, pk = heapq.heappop(heap)
        plan[row[0]] = pk
        heapq.heappush(heap, (owed + row[2], size + 1, pos, pk))
    return plan


def split_plan(*, project, clients, advisers, method: str) -> SplitPlan:
    """Who receives which of `clients` (ids or a queryset of Client), and the preview:
    per adviser, the clients and balance received and their book afterwards."""
    if method not in METHODS:
        raise TransferError(_("Elija cómo repartir: por turnos, por número de clientes o por "
                              "saldo pendiente."))
    order = []
    for adviser in advisers:
        pk = adviser.pk if isinstance(adviser, Member) else int(adviser)
        if pk not in order:
            order.append(pk)
    if not order:
        raise TransferError(_("Elija al menos un asesor para recibir los clientes."))
    targets = check_targets(project, order)
    selected = _selection(project, clients)
    books = _books(project, order, selected)
    plan = _deal(method, selected, order, books)
    balance_of = {row[0]: row[2] for row in selected}
    received = {pk: [0, Decimal(0)] for pk in order}
    for client_id, pk in plan.items():
        received[pk][0] += 1
        received[pk][1] += balance_of[client_id]
    shares = [Share(adviser=targets[pk], clients=received[pk][0], balance=received[pk][1],
                    book_clients=books[pk][0] + received[pk][0],
                    book_balance=books[pk][1] + received[pk][1]) for pk in order]
    assignments = sorted(plan.items())
    digest = hashlib.sha256(
        (method + ";" + ";".join(f"{c}:{a}" for c, a in assignments)).encode()).hexdigest()
    return SplitPlan(method=method, shares=shares, assignments=assignments, digest=digest)


def transfer_split(*, project, actor, clients, advisers, method: str, through: str = "bulk",
                   note: str = "", job=None, digest: str | None = None):
    """Apply the split the preview showed: the plan is computed again and applied only when it
    is the same one (`digest`, from `split_plan`); returns (plan, TransferResult)."""
    plan = split_plan(project=project, clients=clients, advisers=advisers, method=method)
    if digest is not None and plan.digest != digest:
        raise TransferError(_("Los clientes o las carteras de los asesores cambiaron desde la "
                              "vista previa: revise el nuevo reparto y confirme otra vez."))
    result = transfer_pairs(project=project, actor=actor, pairs=plan.assignments,
                            through=through, note=note, job=job)
    return plan, result
