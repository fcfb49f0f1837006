"""The one access path to interactions: through the visibility of their client."""

from django.db.models import F

from clients.visibility import client_visibility_q

from .models import Interaction


def interaction_base_queryset(*, member):
    """Every interaction the member may see: of visible clients not in the recycle bin."""
    return Interaction.objects.filter(project_id=member.project_id).filter(
        client_visibility_q(member, prefix="client__"), client__deleted_at__isnull=True
    )


def client_interactions(*, member, client):
    """One client's interactions, newest first.

    `client` must come from `clients.selectors.get_client_for_member`, which
    already decided the member may see it (deleted clients included, so the
    recycle bin still shows their history).
    """
    return (
        Interaction.objects.filter(project_id=member.project_id, client_id=client.pk)
        .select_related("adviser__user")
        .order_by(F("scheduled_at").desc(nulls_last=True), "-id")
    )


def client_interaction_queryset(*, member, client):
    """One client's interactions, unordered (the list orders them), for the list kernel.

    `client` comes from `clients.selectors.get_client_for_member`, as for
    `client_interactions`.
    """
    return Interaction.objects.filter(project_id=member.project_id, client_id=client.pk)
