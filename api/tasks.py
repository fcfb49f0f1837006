"""The API's Celery tasks: the nightly purge, and the bulk upsert's import job task
(api.bulk_importer, registered here so the worker knows it)."""

from celery import shared_task

from .bulk_importer import bulk_upsert_task  # noqa: F401
from .services import idempotent_answers_purge


@shared_task(name="api.tasks.purge_idempotent_answers")
def purge_idempotent_answers() -> int:
    """Nightly: a retried POST is recognised for 24 h (api.services.IDEMPOTENCY_KEEP)."""
    return idempotent_answers_purge()
