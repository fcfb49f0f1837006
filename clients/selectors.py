"""The one access path to clients and what hangs from them."""

from django.http import Http404

from .models import Client, PaymentOrder
from .visibility import client_visibility_q


def client_base_queryset(*, member, include_deleted: bool = False):
    """Every client the member may see, in their project. All reads start here."""
    qs = Client.objects.filter(project_id=member.project_id).filter(client_visibility_q(member))
    if not include_deleted:
        qs = qs.filter(deleted_at__isnull=True)
    return qs


def get_client_for_member(member, pk, *, include_deleted: bool = False) -> Client:
    """Another project's client, or one the member may not see, answers 404."""
    client = (
        client_base_queryset(member=member, include_deleted=include_deleted)
        .select_related("segment", "adviser__user", "supervisor__user")
        .filter(pk=pk)
        .first()
    )
    if client is None:
        raise Http404("No such client")
    return client


def payment_order_base_queryset(*, member):
    return PaymentOrder.objects.filter(project_id=member.project_id).filter(
        client_visibility_q(member, prefix="client__"), client__deleted_at__isnull=True
    )


# --- One access helper per entity: another project's id, or one the member may not
# see, answers 404 exactly like a missing one ---------------------------------------

from django.db.models import Count, Prefetch, Q  # noqa: E402

from .models import (  # noqa: E402
    Claim,
    ClientAssignment,
    ClientContact,
    ClientReference,
    CustomVariable,
    Segment,
)


def get_payment_order_for_member(member, pk) -> PaymentOrder:
    """An order of a client the member sees, outside the recycle bin, in their project."""
    order = (
        payment_order_base_queryset(member=member)
        .select_related("client__project")
        .filter(pk=pk)
        .first()
    )
    if order is None:
        raise Http404("No such payment order")
    return order


def get_claim_for_member(member, pk, *, client: Client | None = None) -> Claim:
    """A claim of a client the member sees, outside the recycle bin (of `client`, if given)."""
    qs = Claim.objects.filter(project_id=member.project_id, pk=pk).filter(
        client_visibility_q(member, prefix="client__"), client__deleted_at__isnull=True
    )
    if client is not None:
        qs = qs.filter(client_id=client.pk)
    claim = qs.select_related("client__project").first()
    if claim is None:
        raise Http404("No such claim")
    return claim


def get_segment_for_member(member, pk) -> Segment:
    """A segment of the member's project."""
    segment = Segment.objects.filter(project_id=member.project_id, pk=pk).first()
    if segment is None:
        raise Http404("No such segment")
    return segment


def get_custom_variable_for_member(member, pk) -> CustomVariable:
    """A custom variable of the member's project."""
    variable = CustomVariable.objects.filter(project_id=member.project_id, pk=pk).first()
    if variable is None:
        raise Http404("No such variable")
    return variable


# --- Ajustes: the project's vocabulary for clients ---------------------------------------


def segment_list_with_counts(*, member):
    """The project's segments with how many clients (outside the bin) use each."""
    return Segment.objects.filter(project_id=member.project_id).annotate(
        n_clients=Count("client", filter=Q(client__deleted_at__isnull=True))
    )


def custom_variable_list(*, member):
    return CustomVariable.objects.filter(project_id=member.project_id)


# --- The client page: what hangs from a client already reached through
# `get_client_for_member` ----------------------------------------------------------------


def client_payment_orders(*, client: Client, today):
    """The client's orders by due date, each annotated with its `state` on `today`."""
    return (
        PaymentOrder.objects.filter(project_id=client.project_id, client=client)
        .with_state(today=today)
        .order_by("due_date", "id")
    )


def client_payment_order_counts(*, client: Client, today) -> dict:
    """How many of the client's orders are in each state: {"vigente": n, …}."""
    return PaymentOrder.objects.filter(
        project_id=client.project_id, client=client
    ).state_counts(today=today)


def client_assignment_history(*, client: Client):
    """Who held the client from when to when, latest first."""
    return (
        ClientAssignment.objects.filter(project_id=client.project_id, client=client)
        .select_related("adviser__user", "changed_by", "job")
        .order_by("-started_at", "-id")
    )


def client_claims(*, client: Client):
    # The disputed orders named by project too: the link table's join alone would be planned
    # on every shard (docs/distribution.md).
    orders = PaymentOrder.objects.filter(project_id=client.project_id)
    return Claim.objects.filter(project_id=client.project_id, client=client).prefetch_related(
        Prefetch("payment_orders", queryset=orders)
    )


def client_contacts(*, client: Client):
    return ClientContact.objects.filter(project_id=client.project_id, client=client).order_by(
        "kind", "id"
    )


def client_references(*, client: Client):
    return ClientReference.objects.filter(project_id=client.project_id, client=client).order_by(
        "name", "id"
    )
