"""The Papelera: clients deleted (on screen, or by an "actualizar incluyendo eliminación"
import) stay RECYCLE_BIN_DAYS days, restorable with everything linked; then the nightly
purge deletes them for good, with their payment orders, claims, interactions, gestiones,
notes and history.

Each client in the bin says how it got there (`bin_details`): an import records a
`ClientDeletion` with its job (`send_absent_to_bin`); a client without one for its
`deleted_at` was deleted by hand. And when it goes for good (`purge_after`): the nightly
purge takes the clients whose days in the bin are over.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import CASCADE, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from moonflow.jobs.runner import job_message

from .choices import AssignmentSource
from .models import Client, ClientDeletion

PURGE_BATCH = 5_000


def purge_limit(now=None):
    return (now or timezone.now()) - timedelta(days=settings.RECYCLE_BIN_DAYS)


def purge_after(deleted_at: datetime) -> datetime:
    """The instant from which the nightly purge deletes a client sent to the bin at
    `deleted_at`."""
    return deleted_at + timedelta(days=settings.RECYCLE_BIN_DAYS)


def purge_date(deleted_at: datetime, project) -> date:
    """The day (in the project's timezone) from which the client is deleted for good."""
    return timezone.localtime(purge_after(deleted_at), ZoneInfo(project.timezone)).date()


def expired_in_bin(project, *, now=None):
    return Client.objects.filter(project=project, deleted_at__lt=purge_limit(now))


# --- How a client got to the bin ---------------------------------------------------------------


@dataclass(frozen=True)
class BinDetails:
    deleted_at: datetime
    source: str  # AssignmentSource: "screen" (by hand), "file", "sftp", "api"
    job_id: int | None
    purge_after: datetime

    @property
    def by_import(self) -> bool:
        return self.job_id is not None

    @property
    def how(self) -> str:
        """"A mano", or "Importación #12 (Archivo)"."""
        if self.job_id is None:
            return _("A mano")
        return _("Importación #%(id)s (%(source)s)") % {
            "id": self.job_id, "source": AssignmentSource(self.source).label}


def with_bin_source(queryset):
    """Clients annotated with how they reached the bin: `bin_source` and `bin_job_id` (both
    None for a client deleted by hand, or not in the bin). One correlated lookup per row of
    the index (project, client, -deleted_at)."""
    entry = ClientDeletion.objects.filter(
        project_id=OuterRef("project_id"), client_id=OuterRef("pk"),
        deleted_at=OuterRef("deleted_at")).order_by("-deleted_at")
    return queryset.annotate(bin_source=Subquery(entry.values("source")[:1]),
                             bin_job_id=Subquery(entry.values("job_id")[:1]))


def bin_details(*, project, client_ids) -> dict[int, BinDetails]:
    """client id → how and when each of these clients in the bin got there; one query."""
    rows = with_bin_source(Client.objects.filter(
        project_id=project.pk, pk__in=client_ids, deleted_at__isnull=False)).values_list(
        "pk", "deleted_at", "bin_source", "bin_job_id")
    return {pk: BinDetails(deleted_at=deleted_at, source=source or AssignmentSource.SCREEN,
                           job_id=job_id, purge_after=purge_after(deleted_at))
            for pk, deleted_at, source, job_id in rows}


def send_absent_to_bin(*, project_id: int, client_sql: str, params: list, actor_id, reason: str,
                       source: str, job_id: int, now=None) -> int:
    """Send to the bin the live clients that `client_sql` (a SELECT of ids) names, recording
    how (the import's job); one statement. Returns how many went."""
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH binned AS (
                UPDATE clients_client SET deleted_at = %s, deleted_by_id = %s,
                       deletion_reason = %s, updated_at = %s
                WHERE project_id = %s AND deleted_at IS NULL AND id IN ({client_sql})
                RETURNING id
            )
            INSERT INTO {ClientDeletion._meta.db_table}
                (project_id, client_id, deleted_at, source, job_id, deleted_by_id)
            SELECT %s, b.id, %s, %s, %s, %s FROM binned b
            """,
            [now, actor_id, reason, now, project_id, *params,
             project_id, now, source, job_id, actor_id],
        )
        return cursor.rowcount


# --- The nightly purge ------------------------------------------------------------------------


def purge_expired(project, *, now=None, progress=None, linked: Counter | None = None) -> int:
    """Delete for good the project's clients past their days in the bin; returns how many.

    In batches, each its own transaction: a million-client purge never holds one
    long transaction, and a purge interrupted half-way is finished by the next (run twice,
    the second finds nothing). `linked`, when given, receives how many rows of each linked
    table went with them ("clients.PaymentOrder": n, "followups.FollowUp": n, …).
    """
    limit = purge_limit(now)
    purged = 0
    while True:
        with transaction.atomic():
            ids = list(Client.objects.filter(project=project, deleted_at__lt=limit)
                       .order_by("id").values_list("id", flat=True)[:PURGE_BATCH])
            if not ids:
                return purged
            per_model = _delete_with_linked_rows(project.pk, ids)
            purged += len(ids)
            if linked is not None:
                linked.update(per_model)
        if progress is not None:
            progress(purged)


def _delete_with_linked_rows(project_id: int, ids: list[int]) -> Counter:
    """Delete the project's clients `ids` with every row linked to them by a CASCADE key
    (orders, claims and their links, interactions, gestiones, notes, history, portfolio
    memberships), one DELETE per table and batch, each naming the project: on plain
    PostgreSQL an index that starts with project_id serves it, on Citus it goes to the
    project's shard alone (Django's collector would delete by `client_id IN (…)` only).
    Returns the rows removed per linked model."""
    removed = Counter()
    with connection.cursor() as cursor:
        _delete_linked(cursor, Client, "SELECT unnest(%s::bigint[])", [ids], project_id, removed)
        cursor.execute("DELETE FROM clients_client WHERE project_id = %s AND id = ANY(%s)",
                       [project_id, ids])
    return removed


def _delete_linked(cursor, model, ids_sql: str, params: list, project_id: int,
                   removed: Counter) -> None:
    """Delete the rows pointing at `model`'s rows `ids_sql` through a CASCADE key, their
    own linked rows first."""
    for relation in model._meta.get_fields(include_hidden=True):
        if not (relation.one_to_many and relation.auto_created and not relation.concrete
                and relation.on_delete is CASCADE):
            continue
        linked = relation.related_model
        table, column = linked._meta.db_table, relation.field.column
        linked_ids = (f"SELECT id FROM {table} WHERE project_id = %s AND {column} IN ({ids_sql})")
        _delete_linked(cursor, linked, linked_ids, [project_id, *params], project_id, removed)
        cursor.execute(f"DELETE FROM {table} WHERE project_id = %s AND {column} IN ({ids_sql})",
                       [project_id, *params])
        removed[linked._meta.label] += cursor.rowcount


# The linked tables the purge's message names (Django's model label → what it says). Link rows
# (a claim's orders) go with their records and are kept in the job's options only.
LINKED_NAMES = {
    "clients.PaymentOrder": "orders",
    "clients.Claim": "claims",
    "interactions.Interaction": "interactions",
    "followups.FollowUp": "followups",
    "followups.ClientNote": "notes",
    "clients.ClientContact": "contacts",
    "clients.ClientReference": "contacts",
    "clients.ClientAssignment": "history",
    "clients.ClientDeletion": "history",
    "portfolios.PortfolioClient": "portfolios",
}
PURGE_MESSAGE = gettext_lazy(
    "Papelera vaciada: %(purged)s clientes con más de %(days)s días en la papelera se "
    "eliminaron definitivamente, con %(orders)s órdenes de pago, %(claims)s reclamos, "
    "%(interactions)s interacciones, %(followups)s gestiones (tareas, promesas y contactos), "
    "%(notes)s notas, %(contacts)s contactos y referencias, %(history)s registros del "
    "historial de asesores y de la papelera, y %(portfolios)s pertenencias a carteras.")


def purge_message(*, purged: int, linked: Counter):
    """What the Log de procesos says of a purge: the clients, and the rows of each linked
    table that went with them."""
    named = Counter({name: 0 for name in LINKED_NAMES.values()})
    for label, n in linked.items():
        if label in LINKED_NAMES:
            named[LINKED_NAMES[label]] += n
    return job_message(PURGE_MESSAGE, purged=purged, days=settings.RECYCLE_BIN_DAYS, **named)


def purge_job(run):
    """The nightly purge of one project as a job: its count of clients (Eliminados), the rows
    of each linked table in its message and in its options (`purged_linked`, per model)."""
    project = run.project
    run.set_total(expired_in_bin(project).count())
    linked = Counter()
    purged = purge_expired(project, progress=lambda n: run.progress(n, deleted=n),
                           linked=linked)
    run.job.options = {**(run.job.options or {}), "purged_linked": dict(sorted(linked.items()))}
    run.save_options()
    run.progress(purged, force=True, deleted=purged)
    return purge_message(purged=purged, linked=linked)
