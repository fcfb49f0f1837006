"""What the client services share: the client's lock, its situation, its audit entries."""

from __future__ import annotations

from moonflow.audit.services import audit_record

from ..models import Client
from ..situation import recompute_situations


def client_label(client: Client) -> str:
    """How the audit log names a client: "Ana Gómez (CC 1020304050)"."""
    return f"{client.name} ({client.external_id})"


def audit_client(client: Client, *, actor, event: str, changes: dict, source: str = "screen"):
    audit_record(
        project=client.project,
        actor=actor,
        event=event,
        resource_type="client",
        resource_id=client.pk,
        resource_label=client_label(client),
        changes=changes,
        source=source,
    )


def lock_client(client: Client) -> None:
    """Serialise writers of one client (assignment rows, the two-claims rule)."""
    (Client.objects.select_for_update().filter(project_id=client.project_id, pk=client.pk)
     .values_list("pk").first())


def refresh_situation(client: Client) -> None:
    recompute_situations(project=client.project, client_ids=[client.pk])
    client.refresh_from_db(fields=["situation", "balance", "oldest_overdue_on"])
