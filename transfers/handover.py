"""Deactivating an adviser and handing their book over, in one step.

Ajustes → Usuarios offers it when the member still holds clients: the member
is deactivated and the TRANSFER job of their whole book (`from_adviser`) is
recorded in one transaction, so both happen or neither does. The job is sent
to the worker once that transaction commits (moonflow.jobs), and it moves the
book with the one transfer rule, after the member is already inactive.
"""

from django.db import transaction

from advisers.services import member_set_active
from moonflow.tenancy.models import Member

from .jobs import transfer_request


def member_deactivate_handing_over(*, member: Member, target: Member, handover: dict | None):
    """Deactivate `target` (as `member`, an admin) and, with `handover` (what
    `transfer_request` takes besides the clients: `to_adviser`, or `advisers`, `method` and
    the preview's `digest`, and `note`), queue the transfer of their book. Returns the job,
    or None when the clients stay assigned to `target`."""
    with transaction.atomic():
        member_set_active(member=target, actor=member.user, active=False)
        if not handover:
            return None
        return transfer_request(member=member, from_adviser=target, **handover)
