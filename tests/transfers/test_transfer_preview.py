"""What the transfer screens read before confirming: who may receive clients (by name or Asesor ID)
and what would move (clients, open gestiones, pending promises, open orders)."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients.models import Client
from portfolios.models import Portfolio, PortfolioClient
from tests import factories
from transfers.selectors import may_transfer, transfer_preview, transfer_targets

from .helpers import make_held_client


def test_it_counts_what_moves_for_any_number_of_clients_in_a_few_queries(cast):
    carla = factories.make_member(cast.project, username="carla", code="C-30")
    clients = [make_held_client(cast.project, cast.adviser, balance=Decimal("1000"))
               for _ in range(3)]
    make_held_client(cast.project, cast.restricted, balance=Decimal("500"))
    make_held_client(cast.project, carla)  # already Carla's: nothing of it moves
    with CaptureQueriesContext(connection) as queries:
        preview = transfer_preview(project=cast.project,
                                   clients=Client.objects.exclude(adviser=None),
                                   to_adviser=carla)
    assert len(queries) <= 6
    assert (preview.clients, preview.balance) == (4, Decimal("3500"))
    assert preview.by_adviser == [(f"Asesor1 ({cast.adviser.code})", 3),
                                  (f"Asesor2 ({cast.restricted.code})", 1)]
    assert preview.open_followups == {"task": 4, "promise": 4, "contact": 4}
    assert (preview.moving_followups, preview.promised) == (12, Decimal("600000.00"))
    assert preview.open_orders == 4  # one pending order each; the paid ones are not owed
    assert len(clients) == 3


def test_it_warns_of_clients_kept_in_a_portfolio_of_their_adviser(cast):
    client = make_held_client(cast.project, cast.restricted)
    own = Portfolio.objects.create(project=cast.project, name="Mis VIP", agent=cast.restricted)
    PortfolioClient.objects.create(project=cast.project, portfolio=own, client=client)
    preview = transfer_preview(project=cast.project, clients=[client.pk])
    assert preview.in_portfolios == 1


def test_the_advisers_offered_follow_who_may_hand_clients_out(cast):
    stranger = factories.make_member(cast.project, username="lejana", code="LJ-1")
    everyone = transfer_targets(member=cast.admin)
    assert {cast.adviser, cast.restricted, stranger} <= set(everyone)
    assert transfer_targets(member=cast.admin, text="lj-") == [stranger]
    assert transfer_targets(member=cast.admin, text="ASESOR2") == [cast.restricted]
    cast.supervisor.restricted_to_assigned = True
    assert stranger not in transfer_targets(member=cast.supervisor)
    assert (may_transfer(cast.admin), may_transfer(cast.supervisor),
            may_transfer(cast.adviser)) == (True, True, False)
