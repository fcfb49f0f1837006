"""Payment orders, interactions and portfolios: another project's ids answer 404 on every
endpoint, like a missing id, and a key acting as a restricted member sees only its clients'
orders and interactions (lists, totals, retrieve)."""

import pytest

from clients.models import PaymentOrder
from interactions.models import Interaction
from portfolios.models import Portfolio, PortfolioClient
from tests import factories

from .helpers import Api, make_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def other(cast):
    client = factories.make_client(cast.other_project, document_number="777777", name="Ajeno")
    order = factories.make_payment_order(client, number="AJENA-1")
    record = factories.make_interaction(client)
    portfolio = Portfolio.objects.create(project=cast.other_project, name="Ajena")
    PortfolioClient.objects.create(project=cast.other_project, portfolio=portfolio,
                                   client=client)
    return {"client": client, "order": order, "record": record, "portfolio": portfolio}


def test_another_project_s_ids_are_not_found_anywhere(cast, other):
    api = Api(make_key(cast.admin)[1])
    client, order = other["client"], other["order"]
    record, portfolio = other["record"], other["portfolio"]
    calls = [
        ("get", f"/api/v1/clients/{client.pk}/payment-orders/", None),
        ("post", f"/api/v1/clients/{client.pk}/payment-orders/",
         {"number": "X-1", "amount": "1", "dueDate": "2026-03-31"}),
        ("get", f"/api/v1/payment-orders/{order.pk}/", None),
        ("patch", f"/api/v1/payment-orders/{order.pk}/", {"amount": "1"}),
        ("get", f"/api/v1/interactions/{record.pk}/", None),
        ("get", f"/api/v1/portfolios/{portfolio.pk}/", None),
        ("patch", f"/api/v1/portfolios/{portfolio.pk}/", {"name": "Mía"}),
        ("get", f"/api/v1/portfolios/{portfolio.pk}/contacts/", None),
        ("post", f"/api/v1/portfolios/{portfolio.pk}/contacts/", {"clientIds": [client.pk]}),
        ("delete", f"/api/v1/portfolios/{portfolio.pk}/contacts/{client.pk}/", None),
    ]
    for method, url, data in calls:
        response = getattr(api, method)(url, data) if data is not None else \
            getattr(api, method)(url)
        assert response.status_code == 404, (method, url, response.status_code)
        assert response["Content-Type"] == "application/problem+json"
    order.refresh_from_db()
    portfolio.refresh_from_db()
    assert order.amount != 1 and portfolio.name == "Ajena"
    assert PortfolioClient.objects.filter(portfolio=portfolio).count() == 1
    assert not PaymentOrder.objects.filter(number="X-1").exists()


def test_another_project_s_records_are_in_no_list(cast, other):
    api = Api(make_key(cast.admin)[1])
    for url in ("/api/v1/payment-orders/", "/api/v1/interactions/", "/api/v1/portfolios/"):
        body = api.get(url).json()
        assert body["results"] == [] and body["total"]["value"] == 0, url


def test_a_batch_never_reaches_another_project_s_clients(cast, other):
    api = Api(make_key(cast.admin)[1])
    response = api.post("/api/v1/payment-orders/bulk/", {"paymentOrders": [
        {"documentType": "CC", "documentNumber": "777777", "number": "AJENA-1",
         "amount": "5", "dueDate": "2026-03-31"}]})
    [row] = response.json()["results"]
    assert row["result"] == "failed" and row["paymentOrderId"] is None
    response = api.post("/api/v1/interactions/bulk/", {"interactions": [
        {"documentType": "CC", "documentNumber": "777777", "channel": "sms",
         "scheduledAt": "2026-03-15 10:30", "recipients": "+573001234567",
         "status": "sent"}]})
    [row] = response.json()["results"]
    assert row["result"] == "failed" and row["interactionId"] is None
    assert Interaction.objects.count() == 1
    other["order"].refresh_from_db()
    assert other["order"].amount != 5


@pytest.fixture
def book(cast):
    mine = factories.make_client(cast.project, name="Mía", adviser=cast.restricted)
    theirs = factories.make_client(cast.project, name="Ajena", adviser=cast.adviser)
    return {
        "mine": mine, "theirs": theirs,
        "my_order": factories.make_payment_order(mine, number="MIA-1"),
        "their_order": factories.make_payment_order(theirs, number="AJENA-1"),
        "my_record": factories.make_interaction(mine, adviser=cast.restricted),
        "their_record": factories.make_interaction(theirs, adviser=cast.adviser),
    }


def test_a_restricted_key_lists_and_counts_only_its_clients_orders(cast, book):
    api = Api(make_key(cast.restricted)[1])
    body = api.get("/api/v1/payment-orders/").json()
    assert [o["number"] for o in body["results"]] == ["MIA-1"]
    assert body["total"] == {"value": 1, "exact": True}
    assert api.get(f"/api/v1/payment-orders/{book['their_order'].pk}/").status_code == 404
    assert api.patch(f"/api/v1/payment-orders/{book['their_order'].pk}/",
                     {"amount": "1"}).status_code == 404
    assert api.get(f"/api/v1/clients/{book['theirs'].pk}/payment-orders/").status_code == 404
    assert api.post(f"/api/v1/clients/{book['theirs'].pk}/payment-orders/", {
        "number": "N-1", "amount": "1", "dueDate": "2026-03-31"}).status_code == 404
    assert api.get(f"/api/v1/payment-orders/{book['my_order'].pk}/").json()["number"] == "MIA-1"


def test_a_restricted_key_lists_and_counts_only_its_clients_interactions(cast, book):
    api = Api(make_key(cast.restricted)[1])
    body = api.get("/api/v1/interactions/").json()
    assert [r["id"] for r in body["results"]] == [book["my_record"].pk]
    assert body["total"] == {"value": 1, "exact": True}
    assert api.get(f"/api/v1/interactions/{book['their_record'].pk}/").status_code == 404
    mine = api.get(f"/api/v1/interactions/{book['my_record'].pk}/").json()
    assert mine["adviserUserProjectId"] == cast.restricted.code


def test_a_client_seen_through_a_portfolio_shows_its_records_but_not_its_adviser(cast, book):
    portfolio = Portfolio.objects.create(project=cast.project, name="Compartida",
                                         agent=cast.restricted)
    PortfolioClient.objects.create(project=cast.project, portfolio=portfolio,
                                   client=book["theirs"])
    api = Api(make_key(cast.restricted)[1])
    record = api.get(f"/api/v1/interactions/{book['their_record'].pk}/").json()
    assert record["adviserUserProjectId"] is None and record["adviserName"] == "Otro asesor"
    assert api.get("/api/v1/payment-orders/").json()["total"]["value"] == 2
