"""Writes of the API's own records: keys (audited) and stored idempotent answers."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from moonflow.audit.models import AuditEventKind
from moonflow.audit.services import audit_record

from .keys import key_hash, new_key_text
from moonflow.jobs.models import ProcessJob

from .models import ApiKey, ApiKeyScope, BulkRowResult, IdempotentRequest

# A key's last use is written at most this often: not one write per request.
LAST_USED_EVERY = timedelta(minutes=1)
IDEMPOTENCY_KEEP = timedelta(hours=24)


def _audit(key: ApiKey, *, actor, event: str, changes: dict) -> None:
    audit_record(project=key.project, actor=actor, event=event, resource_type="api_key",
                 resource_id=key.prefix, resource_label=f"{key.name} ({key.prefix})",
                 changes=changes, source="screen")


@transaction.atomic
def api_key_create(*, project, actor, name: str, scope: str, member) -> tuple[ApiKey, str]:
    """Create a key acting as `member` (the creating admin for an admin key); returns the key
    and its whole text, which is never stored nor shown again."""
    for _attempt in range(5):
        prefix, text = new_key_text(project.pk)
        try:
            with transaction.atomic():
                key = ApiKey.objects.create(project=project, name=name.strip()[:120],
                                            scope=scope, member=member, prefix=prefix,
                                            key_hash=key_hash(text), created_by=actor)
            break
        except IntegrityError:  # the same random prefix twice in a project: draw again
            continue
    else:  # pragma: no cover - 32^8 prefixes
        raise RuntimeError("Could not draw a free API key prefix")
    _audit(key, actor=actor, event=AuditEventKind.CREATED, changes={
        "name": [None, key.name],
        "scope": [None, key.scope],
        **({"member": [None, member.code]} if scope == ApiKeyScope.MEMBER else {}),
    })
    return key, text


@transaction.atomic
def api_key_revoke(*, key: ApiKey, actor) -> bool:
    """Revoke the key at once (the next request with it is refused); False if it already was."""
    now = timezone.now()
    revoked = ApiKey.objects.filter(project_id=key.project_id, prefix=key.prefix,
                                    revoked_at__isnull=True).update(revoked_at=now)
    if not revoked:
        return False
    key.revoked_at = now
    _audit(key, actor=actor, event=AuditEventKind.DEACTIVATED,
           changes={"revoked_at": [None, now.isoformat()]})
    return True


def api_key_touch(*, key: ApiKey, now=None) -> None:
    """Record the key's use, at most once per LAST_USED_EVERY (a conditional UPDATE)."""
    now = now or timezone.now()
    if key.last_used_at is not None and now - key.last_used_at < LAST_USED_EVERY:
        return
    ApiKey.objects.filter(project_id=key.project_id, prefix=key.prefix).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_EVERY)
    ).update(last_used_at=now)


def idempotent_answers_purge(*, now=None) -> int:
    """Forget stored answers older than IDEMPOTENCY_KEEP (the nightly task), and the row
    results of bulk jobs that ended before then (those a worker ran while the request gave
    up waiting: the request that reads them drops them)."""
    limit = (now or timezone.now()) - IDEMPOTENCY_KEEP
    deleted, _by_model = IdempotentRequest.objects.filter(created_at__lt=limit).delete()
    finished = ProcessJob.objects.filter(finished_at__lt=limit).values("id")
    BulkRowResult.objects.filter(job_id__in=finished).delete()
    return deleted
