"""The Papelera: clients deleted (on screen, or by an "actualizar incluyendo eliminación"
import) stay RECYCLE_BIN_DAYS days, restorable with everything linked; then the nightly
purge deletes them for good, with their payment orders, claims and history."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Client

PURGE_BATCH = 5_000


def purge_limit(now=None):
    return (now or timezone.now()) - timedelta(days=settings.RECYCLE_BIN_DAYS)


def expired_in_bin(project, *, now=None):
    return Client.objects.filter(project=project, deleted_at__lt=purge_limit(now))


def purge_expired(project, *, now=None, progress=None) -> int:
    """Delete for good the project's clients past their days in the bin; returns how many.

    In batches, each its own transaction: a million-client purge never holds one
    long transaction, and a purge interrupted half-way is finished by the next.
    """
    limit = purge_limit(now)
    purged = 0
    while True:
        with transaction.atomic():
            ids = list(Client.objects.filter(project=project, deleted_at__lt=limit)
                       .order_by("id").values_list("id", flat=True)[:PURGE_BATCH])
            if not ids:
                return purged
            # Django's collector deletes the linked rows (orders, claims, history) in bulk.
            Client.objects.filter(project=project, id__in=ids).delete()
            purged += len(ids)
        if progress is not None:
            progress(purged)

