"""The client's situation, derived from payment orders and claims.

Rules (product brief), evaluated in this order:
1. an open claim                                     → Con reclamo
2. no payment orders, or every one paid (annulled
   orders are ignored)                                → Finalizado
3. no pending order past its due date                 → Al día
4. days since the oldest pending overdue due date,
   counted in the project's timezone: 1-30, 31-60,
   61-90, more than 90                                → Mora …

An order due today is not overdue yet. "Pending" and "overdue" are the
payment-order states "vigente"/"vencida" of `PaymentOrderQuerySet`, written
into the SQL by its `state_sql`. The situation is a stored, indexed
column: it is recomputed set-based, for a few clients when their orders or
claims change, and for whole projects by the nightly job (dates move).
"""

from datetime import date
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone

from .choices import Situation
from .models import PaymentOrderQuerySet as Orders

_SQL = """
WITH agg AS (
    SELECT c.id,
           EXISTS (
               SELECT 1 FROM clients_claim cl
               WHERE cl.project_id = %(project_id)s AND cl.client_id = c.id AND cl.status = 'open'
           ) AS has_claim,
           count(po.id) FILTER (WHERE {open}) AS n_pending,
           min(po.due_date) FILTER (WHERE {overdue}) AS oldest_overdue,
           coalesce(sum(po.total) FILTER (WHERE {open}), 0) AS balance
    FROM clients_client c
    LEFT JOIN clients_paymentorder po
           ON po.project_id = c.project_id AND po.client_id = c.id
    WHERE c.project_id = %(project_id)s {client_filter}
    GROUP BY c.project_id, c.id
), computed AS (
    SELECT id, oldest_overdue, balance,
           CASE
               WHEN has_claim THEN {claim}
               WHEN n_pending = 0 THEN {finished}
               WHEN oldest_overdue IS NULL THEN {up_to_date}
               WHEN %(today)s - oldest_overdue <= 30 THEN {late_30}
               WHEN %(today)s - oldest_overdue <= 60 THEN {late_60}
               WHEN %(today)s - oldest_overdue <= 90 THEN {late_90}
               ELSE {late_more}
           END AS situation
    FROM agg
)
UPDATE clients_client c
   SET situation = computed.situation,
       oldest_overdue_on = computed.oldest_overdue,
       balance = computed.balance
  FROM computed
 WHERE c.id = computed.id
   AND c.project_id = %(project_id)s
   AND (c.situation, c.oldest_overdue_on, c.balance)
       IS DISTINCT FROM (computed.situation, computed.oldest_overdue, computed.balance)
"""


def project_today(project) -> date:
    return timezone.localdate(timezone=ZoneInfo(project.timezone))


def recompute_situations(*, project, client_ids=None, today: date | None = None) -> int:
    """Recompute stored situations; returns how many clients changed."""
    today = today or project_today(project)
    client_filter = "AND c.id = ANY(%(client_ids)s)" if client_ids is not None else ""
    sql = _SQL.format(
        client_filter=client_filter,
        # The payment-order states, from their one definition (PaymentOrderQuerySet).
        open=Orders.state_sql(*Orders.OPEN, alias="po"),
        overdue=Orders.state_sql("vencida", alias="po"),
        claim=Situation.CLAIM.value,
        finished=Situation.FINISHED.value,
        up_to_date=Situation.UP_TO_DATE.value,
        late_30=Situation.LATE_1_30.value,
        late_60=Situation.LATE_31_60.value,
        late_90=Situation.LATE_61_90.value,
        late_more=Situation.LATE_90_PLUS.value,
    )
    params = {"project_id": project.pk, "today": today}
    if client_ids is not None:
        params["client_ids"] = list(client_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
