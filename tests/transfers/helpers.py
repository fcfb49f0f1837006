"""A book whose clients carry every kind of linked record, and its counts per table and adviser."""

from collections import Counter
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from clients.models import ClientAssignment
from followups.choices import FollowUpKind, FollowUpStatus
from tests import factories
from tests.followups.helpers import make_followup, make_note


def make_held_client(project, adviser, *, author=None, **fields):
    """A client of `adviser` (with its assignment row) carrying: two payment orders, one claim,
    two interactions by the adviser, an open task, a pending promise, a scheduled contact, a
    done task and a kept promise (closed by the adviser's user), and a note."""
    client = factories.make_client(project, adviser=adviser, **fields)
    ClientAssignment.objects.create(project=project, client=client, adviser=adviser,
                                    started_at=timezone.now() - timedelta(days=30),
                                    source="file")
    factories.make_payment_order(client)
    factories.make_payment_order(client, status="paid")
    from clients.models import Claim

    Claim.objects.create(project=project, client=client, category="billing")
    factories.make_interaction(client, adviser=adviser)
    factories.make_interaction(client, adviser=adviser)
    user = adviser.user if adviser is not None else author
    make_followup(client, kind=FollowUpKind.TASK, created_by=user)
    make_followup(client, kind=FollowUpKind.PROMISE, created_by=user)
    make_followup(client, kind=FollowUpKind.CONTACT, created_by=user)
    make_followup(client, kind=FollowUpKind.TASK, status=FollowUpStatus.DONE, created_by=user,
                  closed_by=user)
    make_followup(client, kind=FollowUpKind.PROMISE, status=FollowUpStatus.DONE,
                  created_by=user, closed_by=user)
    make_note(client, author=user)
    return client


TABLES = {
    "clients": "SELECT adviser_id, count(*) FROM clients_client WHERE project_id = %s "
               "GROUP BY 1",
    "open_followups": "SELECT adviser_id, count(*) FROM followups_followup "
                      "WHERE project_id = %s AND status = 'pending' GROUP BY 1",
    "closed_followups": "SELECT adviser_id, count(*) FROM followups_followup "
                        "WHERE project_id = %s AND status <> 'pending' GROUP BY 1",
    "closed_by": "SELECT closed_by_id, count(*) FROM followups_followup "
                 "WHERE project_id = %s AND closed_by_id IS NOT NULL GROUP BY 1",
    "interactions": "SELECT adviser_id, count(*) FROM interactions_interaction "
                    "WHERE project_id = %s GROUP BY 1",
    "payment_orders": "SELECT c.adviser_id, count(*) FROM clients_paymentorder o "
                      "JOIN clients_client c ON c.project_id = o.project_id AND c.id = o.client_id "
                      "WHERE o.project_id = %s "
                      "GROUP BY 1",
    "claims": "SELECT c.adviser_id, count(*) FROM clients_claim x "
              "JOIN clients_client c ON c.project_id = x.project_id AND c.id = x.client_id "
              "WHERE x.project_id = %s GROUP BY 1",
    "notes": "SELECT author_id, count(*) FROM followups_clientnote WHERE project_id = %s "
             "AND kind = 'note' GROUP BY 1",
    "open_assignments": "SELECT adviser_id, count(*) FROM clients_clientassignment "
                        "WHERE project_id = %s AND ended_at IS NULL GROUP BY 1",
}


def counts(project) -> dict[str, Counter]:
    """table → Counter(adviser or user id → rows)."""
    out = {}
    with connection.cursor() as cursor:
        for name, sql in TABLES.items():
            cursor.execute(sql, [project.pk])
            out[name] = Counter(dict(cursor.fetchall()))
    return out


def totals(project) -> dict[str, int]:
    """Rows per linked table, whoever holds them: nothing may be lost or duplicated."""
    with connection.cursor() as cursor:
        out = {}
        for table in ("clients_client", "clients_paymentorder", "clients_claim",
                      "interactions_interaction", "followups_followup", "followups_clientnote",
                      "clients_clientassignment"):
            cursor.execute(f"SELECT count(*) FROM {table} WHERE project_id = %s", [project.pk])
            out[table] = cursor.fetchone()[0]
        return out
