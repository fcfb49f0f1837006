"""Cambio de gestor among several advisers: the preview's plan (round robin, balanced by clients or
by balance) with exact counts and balances, and the split applying exactly that plan."""

from decimal import Decimal

import pytest

from clients.models import Client
from tests import factories
from transfers.plans import split_plan, transfer_split
from transfers.services import TransferError

from .helpers import counts, make_held_client


@pytest.fixture
def trio(cast):
    return [factories.make_member(cast.project, username=name, code=code)
            for name, code in (("beto", "B-1"), ("carla", "C-2"), ("dora", "D-3"))]


def _book(cast, adviser, balances):
    return [factories.make_client(cast.project, adviser=adviser, balance=Decimal(b))
            for b in balances]


def _shares(plan):
    return [(s.adviser.code, s.clients, s.balance, s.book_clients, s.book_balance)
            for s in plan.shares]


def test_round_robin_deals_one_each_in_turn(cast, trio):
    leaving = _book(cast, cast.adviser, [100] * 7)
    plan = split_plan(project=cast.project, clients=[c.pk for c in leaving], advisers=trio,
                      method="round_robin")
    assert [(c, a) for c, a in plan.assignments] == [
        (client.pk, trio[i % 3].pk) for i, client in enumerate(leaving)]
    assert _shares(plan) == [("B-1", 3, 300, 3, 300), ("C-2", 2, 200, 2, 200),
                             ("D-3", 2, 200, 2, 200)]
    assert (plan.clients, plan.balance) == (7, 700)


def test_by_count_evens_the_resulting_books(cast, trio):
    beto, carla, dora = trio
    _book(cast, beto, [10] * 4)
    _book(cast, carla, [10] * 1)
    leaving = _book(cast, cast.adviser, [50] * 8)
    plan = split_plan(project=cast.project, clients=Client.objects.filter(adviser=cast.adviser),
                      advisers=trio, method="by_count")
    # 4 + 1 + 0 + 8 = 13 clients: books of 5, 4 and 4.
    assert _shares(plan) == [("B-1", 1, 50, 5, 90), ("C-2", 3, 150, 4, 160),
                             ("D-3", 4, 200, 4, 200)]
    assert sorted(c for c, _a in plan.assignments) == sorted(c.pk for c in leaving)


def test_by_balance_evens_what_each_book_owes(cast, trio):
    beto, carla, dora = trio
    _book(cast, beto, [1000])
    leaving = _book(cast, cast.adviser, [900, 700, 600, 500, 300, 200, 100])
    plan = split_plan(project=cast.project, clients=[c.pk for c in leaving], advisers=trio,
                      method="by_balance")
    # Largest first, each to the book that owes least (Beto starts owing 1000): 900→C,
    # 700→D, 600→D (700), 500→C (900), 300→B (1000), 200→B (B and D owe 1300 with two
    # clients each: the first picked), 100→D (1300). Books: 1500, 1400, 1400.
    owner = dict(plan.assignments)
    assert [owner[c.pk] for c in leaving] == [carla.pk, dora.pk, dora.pk, carla.pk, beto.pk,
                                              beto.pk, dora.pk]
    assert _shares(plan) == [("B-1", 2, 500, 3, 1500), ("C-2", 2, 1400, 2, 1400),
                             ("D-3", 3, 1400, 3, 1400)]


def test_a_client_of_the_selection_held_by_a_target_counts_out_of_their_book(cast, trio):
    beto, carla, _dora = trio
    mine = _book(cast, beto, [100, 100])
    plan = split_plan(project=cast.project, clients=[c.pk for c in mine], advisers=[beto, carla],
                      method="by_count")
    assert _shares(plan)[0][3] + _shares(plan)[1][3] == 2
    assert [s.book_clients for s in plan.shares] == [1, 1]


def test_the_split_applies_exactly_the_preview_and_moves_the_linked_records(cast, trio):
    leaving = [make_held_client(cast.project, cast.adviser, balance=Decimal(b))
               for b in (400, 300, 200, 100)]
    ids = [c.pk for c in leaving]
    preview = split_plan(project=cast.project, clients=ids, advisers=trio[:2],
                         method="by_balance")
    plan, result = transfer_split(project=cast.project, actor=cast.admin.user, clients=ids,
                                  advisers=trio[:2], method="by_balance", digest=preview.digest,
                                  note="Reparto")
    assert plan.assignments == preview.assignments
    held = dict(Client.objects.filter(pk__in=ids).values_list("pk", "adviser_id"))
    assert held == dict(preview.assignments)
    assert result.clients == 4
    assert result.routes == {(cast.adviser.pk, trio[0].pk): 2, (cast.adviser.pk, trio[1].pk): 2}
    after = counts(cast.project)
    assert after["open_followups"][trio[0].pk] == after["open_followups"][trio[1].pk] == 6
    assert after["open_followups"][cast.adviser.pk] == 0


def test_a_stale_preview_is_refused_and_nothing_moves(cast, trio):
    leaving = _book(cast, cast.adviser, [100, 200, 300])
    preview = split_plan(project=cast.project, clients=[c.pk for c in leaving],
                         advisers=trio[:2], method="by_count")
    _book(cast, trio[0], [5, 5])  # Beto got two clients meanwhile: the balanced plan changes
    with pytest.raises(TransferError, match="cambiaron desde la vista previa"):
        transfer_split(project=cast.project, actor=None, clients=[c.pk for c in leaving],
                       advisers=trio[:2], method="by_count", digest=preview.digest)
    assert set(Client.objects.filter(pk__in=[c.pk for c in leaving])
               .values_list("adviser_id", flat=True)) == {cast.adviser.pk}


def test_an_unknown_method_or_no_adviser_is_refused(cast, trio):
    with pytest.raises(TransferError, match="Elija cómo repartir"):
        split_plan(project=cast.project, clients=[], advisers=trio, method="alfabetico")
    with pytest.raises(TransferError, match="al menos un asesor"):
        split_plan(project=cast.project, clients=[], advisers=[], method="round_robin")
