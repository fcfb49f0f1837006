"""save_changes: compare, save only what changed, audit only when something did."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from clients.models import Client
from moonflow.audit.changes import save_changes
from moonflow.audit.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


def events(obj):
    return AuditEvent.objects.filter(resource_type="client", resource_id=str(obj.pk))


def test_it_writes_and_audits_only_the_fields_that_changed(cast):
    client = factories.make_client(cast.project, name="Ana", city="Cali")
    stamp = Client.objects.values_list("updated_at", flat=True).get(pk=client.pk)

    changes = save_changes(
        client, {"name": "Ana María", "city": "Cali", "supervisor": cast.supervisor},
        actor=cast.admin.user, resource_type="client", label=lambda c: c.name, source="file",
    )

    assert changes == {
        "name": ["Ana", "Ana María"],
        "supervisor": [None, f"{cast.supervisor.display_name} ({cast.supervisor.code})"],
    }
    stored = Client.objects.get(pk=client.pk)
    assert (stored.name, stored.supervisor) == ("Ana María", cast.supervisor)
    assert stored.updated_at > stamp  # auto_now fields go with the change
    event = events(client).get()
    assert (event.event, event.resource_type, event.resource_label, event.source, event.actor) == (
        "updated", "client", "Ana María", "file", cast.admin.user
    )
    assert event.changes == changes


def test_nothing_changed_writes_nothing_and_records_nothing(cast, django_assert_num_queries):
    client = factories.make_client(cast.project, name="Ana")
    with django_assert_num_queries(0):
        changes = save_changes(client, {"name": "Ana"}, actor=None, resource_type="client")
    assert changes == {} and not events(client).exists()


def test_a_conflict_becomes_the_error_asked_for(cast):
    factories.make_client(cast.project, document_type="CC", document_number="111")
    client = factories.make_client(cast.project, document_type="CC", document_number="222")
    with pytest.raises(ValidationError, match="ocupado"):
        save_changes(client, {"document_number": "111"}, actor=None, resource_type="client",
                     on_conflict=lambda: ValidationError("ocupado"))
    assert client.document_number == "222"
    with pytest.raises(IntegrityError):
        save_changes(client, {"document_number": "111"}, actor=None, resource_type="client")
    assert not events(client).exists()


def test_values_are_rendered_for_the_log(cast):
    order = factories.make_payment_order(factories.make_client(cast.project))
    changes = save_changes(order, {"amount": Decimal("12.50")}, actor=None,
                           resource_type="payment_order")
    assert changes["amount"][1] == "12.50"
