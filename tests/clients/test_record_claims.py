"""The claim rule: Client.claim_category ↔ Claim rows, at most two open, in different categories."""

from datetime import timedelta

import pytest
from django.urls import reverse

from clients import services
from clients.choices import ClaimCategory, ClaimStatus, PaymentOrderStatus, Situation
from clients.models import Claim
from clients.situation import project_today
from clients.validation import FieldError
from moonflow.audit.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(cast):
    client = factories.make_client(cast.project)
    today = project_today(cast.project)
    factories.make_payment_order(client, number="P-1", due_date=today - timedelta(days=10))
    factories.make_payment_order(client, number="P-2", due_date=today + timedelta(days=10))
    factories.make_payment_order(client, number="P-3", status=PaymentOrderStatus.PAID)
    return client


def open_categories(client):
    return set(client.claims.filter(status=ClaimStatus.OPEN).values_list("category", flat=True))


def test_choosing_a_category_opens_one_claim_linked_to_the_pending_orders(cast, client):
    services.claim_set_category(client=client, category=ClaimCategory.BILLING, actor=cast.admin.user)

    claim = Claim.objects.get(client=client)
    assert claim.status == ClaimStatus.OPEN
    assert claim.opened_by == cast.admin.user
    assert sorted(claim.payment_orders.values_list("number", flat=True)) == ["P-1", "P-2"]
    assert client.claim_category == ClaimCategory.BILLING
    assert client.situation == Situation.CLAIM
    assert AuditEvent.objects.filter(
        resource_type="client", resource_id=str(client.pk), changes__claim_category=["none", "billing"]
    ).exists()


def test_choosing_the_open_category_again_opens_nothing_new(cast, client):
    services.claim_set_category(client=client, category=ClaimCategory.BILLING, actor=None)
    services.claim_set_category(client=client, category=ClaimCategory.BILLING, actor=None)
    assert Claim.objects.filter(client=client).count() == 1


def test_a_second_category_opens_a_second_claim_and_shows_the_latest(cast, client):
    services.claim_set_category(client=client, category=ClaimCategory.BILLING, actor=None)
    services.claim_set_category(client=client, category=ClaimCategory.PAYMENT, actor=None)

    assert open_categories(client) == {ClaimCategory.BILLING, ClaimCategory.PAYMENT}
    client.refresh_from_db()
    assert client.claim_category == ClaimCategory.PAYMENT


def test_a_third_open_claim_is_refused_naming_the_open_ones(cast, client):
    services.claim_set_category(client=client, category=ClaimCategory.BILLING, actor=None)
    services.claim_set_category(client=client, category=ClaimCategory.PAYMENT, actor=None)

    with pytest.raises(FieldError) as caught:
        services.claim_set_category(client=client, category=ClaimCategory.PRODUCT, actor=None)

    assert caught.value.field == "claim_category"
    assert "el cliente ya tiene dos reclamos abiertos" in caught.value.text
    assert "«Errores de facturación»" in caught.value.text
    assert "«Problemas con el pago»" in caught.value.text
    assert open_categories(client) == {ClaimCategory.BILLING, ClaimCategory.PAYMENT}


def test_sin_reclamo_closes_every_open_claim(cast, client):
    services.claim_set_category(client=client, category=ClaimCategory.BILLING, actor=None)
    services.claim_set_category(client=client, category=ClaimCategory.PAYMENT, actor=None)
    services.claim_set_category(client=client, category=ClaimCategory.NONE, actor=None)

    assert open_categories(client) == set()
    assert all(c.closed_at for c in Claim.objects.filter(client=client))
    client.refresh_from_db()
    assert client.claim_category == ClaimCategory.NONE
    assert client.situation == Situation.LATE_1_30
    # Closed claims no longer count: two new ones can open.
    services.claim_set_category(client=client, category=ClaimCategory.PRODUCT, actor=None)
    services.claim_set_category(client=client, category=ClaimCategory.CONTRACTUAL, actor=None)
    assert len(open_categories(client)) == 2


def test_closing_one_of_two_falls_back_to_the_other(cast, client, as_member):
    services.claim_set_category(client=client, category=ClaimCategory.BILLING, actor=None)
    services.claim_set_category(client=client, category=ClaimCategory.PAYMENT, actor=None)
    payment = client.claims.get(category=ClaimCategory.PAYMENT)

    response = as_member(cast.admin).post(
        reverse("clients:claim_close", kwargs={"project": "demo", "pk": client.pk, "claim_pk": payment.pk})
    )

    assert response.status_code == 302
    client.refresh_from_db()
    assert client.claim_category == ClaimCategory.BILLING
    assert client.situation == Situation.CLAIM
    billing = client.claims.get(category=ClaimCategory.BILLING)
    as_member(cast.admin).post(
        reverse("clients:claim_close", kwargs={"project": "demo", "pk": client.pk, "claim_pk": billing.pk})
    )
    client.refresh_from_db()
    assert client.claim_category == ClaimCategory.NONE
    assert client.situation == Situation.LATE_1_30


def test_closing_a_claim_is_404_for_whoever_may_not_see_the_client(cast, client, as_member):
    client.adviser = cast.adviser
    client.save(update_fields=["adviser"])
    services.claim_set_category(client=client, category=ClaimCategory.BILLING, actor=None)
    claim = client.claims.get()
    path = reverse("clients:claim_close", kwargs={"project": "demo", "pk": client.pk, "claim_pk": claim.pk})
    for member in (cast.restricted, cast.outsider):
        assert as_member(member).post(path).status_code == 404
    assert client.claims.get().status == ClaimStatus.OPEN
