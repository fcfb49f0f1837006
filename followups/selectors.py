"""The one access path to gestiones and client notes.

Every read hangs from a client the member may see (`client_visibility_q`,
the one rule) outside the recycle bin: another project's gestión, or one of
a client the member may not see, answers 404 exactly like a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Case, Count, F, Q, QuerySet, Sum, Value, When
from django.http import Http404

from clients.models import Client
from clients.situation import project_today
from clients.visibility import client_visibility_q
from moonflow.lists.keyset import DT, RowCompare, decode_cursor, encode_cursor

from .choices import FollowUpKind, FollowUpStatus
from .models import ClientNote, FollowUp

UPCOMING_DAYS = 7  # "Próximas": what is due in the coming week
HISTORY_PAGE_SIZE = 20  # closed gestiones and notes shown at once on the client's page


def followup_base_queryset(*, member) -> QuerySet:
    """Every gestión of a client the member sees, in their project, outside the bin."""
    return FollowUp.objects.filter(project_id=member.project_id).filter(
        client_visibility_q(member, prefix="client__"), client__deleted_at__isnull=True)


def get_followup_for_member(member, pk) -> FollowUp:
    followup = (followup_base_queryset(member=member)
                .select_related("client__project", "adviser__user", "created_by", "closed_by")
                .filter(pk=pk).first())
    if followup is None:
        raise Http404("No such follow-up")
    return followup


# --- A client's gestiones and notes (a client reached through get_client_for_member) -------


def client_followups(*, client: Client) -> QuerySet:
    """The client's gestiones: the open ones by due date first, then the closed, latest first."""
    return (FollowUp.objects.filter(project_id=client.project_id, client=client)
            .select_related("adviser__user", "created_by", "closed_by")
            .order_by(Case(When(status=FollowUpStatus.PENDING, then=0), default=1),
                      F("closed_at").desc(nulls_first=True), "due_on", "due_time", "id"))


def client_open_followups(*, client: Client) -> QuerySet:
    """The client's open gestiones, by due date (a client has few: all of them are shown)."""
    return (FollowUp.objects.filter(project_id=client.project_id, client=client,
                                    status=FollowUpStatus.PENDING)
            .select_related("adviser__user", "created_by")
            .order_by("due_on", "due_time", "id"))


@dataclass
class HistoryPage:
    """One page of a client's history, latest first; `next_cursor` reads the page after it
    ("Ver más"), None on the last."""

    items: list
    next_cursor: str | None


class BadCursor(ValueError):
    """A "Ver más" cursor that is not one of ours."""


def _latest_first(queryset: QuerySet, moment: str, cursor: str | None,
                  size: int) -> HistoryPage:
    """Keyset page of `queryset` by (`moment`, id) descending, after `cursor`."""
    if cursor:
        after = decode_cursor(cursor, [DT])
        if after is None:
            raise BadCursor(cursor)
        queryset = queryset.filter(
            RowCompare([F(moment), F("id")], [Value(v) for v in after], "<"))
    items = list(queryset.order_by(F(moment).desc(), "-id")[:size + 1])
    more = len(items) > size
    items = items[:size]
    last = items[-1] if more else None
    return HistoryPage(items=items, next_cursor=encode_cursor(
        [getattr(last, moment), last.pk]) if last is not None else None)


def client_closed_followups(*, client: Client, cursor: str | None = None,
                            size: int = HISTORY_PAGE_SIZE) -> HistoryPage:
    """The client's done and cancelled gestiones, the latest closed first, a page at a time."""
    closed = (FollowUp.objects.filter(project_id=client.project_id, client=client)
              .exclude(status=FollowUpStatus.PENDING)
              .select_related("adviser__user", "created_by", "closed_by"))
    return _latest_first(closed, "closed_at", cursor, size)


def client_notes_page(*, client: Client, cursor: str | None = None,
                      size: int = HISTORY_PAGE_SIZE) -> HistoryPage:
    """The client's notes (hand-off notes too), the latest first, a page at a time."""
    return _latest_first(client_notes(client=client), "created_at", cursor, size)


def open_followup_counts(*, project_id: int, client_ids) -> dict:
    """Open gestiones of these clients, by kind, with the promised amount still pending:
    {"task": n, "promise": n, "contact": n, "promised": Decimal}. One query."""
    counts = FollowUp.objects.filter(
        project_id=project_id, client_id__in=client_ids, status=FollowUpStatus.PENDING,
    ).aggregate(
        **{kind: Count("id", filter=Q(kind=kind)) for kind in FollowUpKind.values},
        promised=Sum("amount", filter=Q(kind=FollowUpKind.PROMISE)),
    )
    counts["promised"] = counts["promised"] or 0
    return counts


def client_notes(*, client: Client) -> QuerySet:
    return (ClientNote.objects.filter(project_id=client.project_id, client=client)
            .select_related("author", "from_adviser__user", "to_adviser__user")
            .order_by("-created_at", "-id"))


# --- Mis gestiones -----------------------------------------------------------------------


@dataclass
class AdviserDay:
    """An adviser's open gestiones, as their day reads them."""

    today: date
    overdue: QuerySet  # due before today
    due_today: QuerySet
    upcoming: QuerySet  # due in the next UPCOMING_DAYS days


def adviser_day(*, member, today: date | None = None, upcoming_days: int = UPCOMING_DAYS
                ) -> AdviserDay:
    """What `member` holds open, on clients they see, by day in the project's timezone.

    Each list reads the partial index (project, adviser, due_on, id) of the open ones.
    """
    today = today or project_today(member.project)
    mine = (followup_base_queryset(member=member)
            .filter(adviser=member, status=FollowUpStatus.PENDING)
            .select_related("client")
            .order_by("due_on", "due_time", "id"))
    return AdviserDay(
        today=today,
        overdue=mine.filter(due_on__lt=today),
        due_today=mine.filter(due_on=today),
        upcoming=mine.filter(due_on__gt=today, due_on__lte=today + timedelta(days=upcoming_days)),
    )
