"""The situation's boundaries: days overdue counted in the project's timezone."""

from datetime import date, datetime, timedelta, timezone as dt_timezone
from decimal import Decimal
from unittest import mock

import pytest

from clients import services
from clients.choices import ClaimCategory, PaymentOrderStatus, Situation
from clients.situation import project_today, recompute_situations
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = date(2024, 7, 15)


def situation_of(client, today=TODAY):
    recompute_situations(project=client.project, client_ids=[client.pk], today=today)
    client.refresh_from_db()
    return client.situation


@pytest.mark.parametrize(
    "days_overdue, expected",
    [
        (-10, Situation.UP_TO_DATE),
        (0, Situation.UP_TO_DATE),  # due today is not overdue yet
        (1, Situation.LATE_1_30),
        (30, Situation.LATE_1_30),
        (31, Situation.LATE_31_60),
        (60, Situation.LATE_31_60),
        (61, Situation.LATE_61_90),
        (90, Situation.LATE_61_90),
        (91, Situation.LATE_90_PLUS),
        (400, Situation.LATE_90_PLUS),
    ],
)
def test_it_classifies_days_overdue_at_each_boundary(cast, days_overdue, expected):
    client = factories.make_client(cast.project)
    factories.make_payment_order(client, due_date=TODAY - timedelta(days=days_overdue))

    assert situation_of(client) == expected
    assert client.get_situation_display() == expected.label
    if days_overdue > 0:
        assert client.oldest_overdue_on == TODAY - timedelta(days=days_overdue)
    else:
        assert client.oldest_overdue_on is None


def test_it_counts_from_the_oldest_unpaid_overdue_order(cast):
    client = factories.make_client(cast.project)
    factories.make_payment_order(client, due_date=TODAY - timedelta(days=5), amount=Decimal("10"))
    factories.make_payment_order(client, due_date=TODAY - timedelta(days=45), amount=Decimal("20"))
    # Older, but paid or annulled: ignored.
    factories.make_payment_order(
        client, due_date=TODAY - timedelta(days=200), status=PaymentOrderStatus.PAID
    )
    factories.make_payment_order(
        client, due_date=TODAY - timedelta(days=300), status=PaymentOrderStatus.ANNULLED
    )

    assert situation_of(client) == Situation.LATE_31_60
    assert client.balance == Decimal("30")


@pytest.mark.parametrize(
    "statuses",
    [[], [PaymentOrderStatus.PAID, PaymentOrderStatus.PAID], [PaymentOrderStatus.ANNULLED],
     [PaymentOrderStatus.PAID, PaymentOrderStatus.ANNULLED]],
    ids=["no orders", "all paid", "only annulled", "paid and annulled"],
)
def test_it_is_finalizado_without_pending_orders(cast, statuses):
    client = factories.make_client(cast.project, situation=Situation.UP_TO_DATE)
    for status in statuses:
        factories.make_payment_order(client, due_date=TODAY - timedelta(days=100), status=status)

    assert situation_of(client) == Situation.FINISHED
    assert client.get_situation_display() == "Finalizado"
    assert client.balance == 0


def test_an_open_claim_wins_over_overdue_orders(cast):
    client = factories.make_client(cast.project)
    factories.make_payment_order(client, due_date=TODAY - timedelta(days=100))
    services.claim_set_category(client=client, category=ClaimCategory.PAYMENT, actor=None)

    assert situation_of(client) == Situation.CLAIM
    assert client.get_situation_display() == "Con reclamo"

    services.claim_set_category(client=client, category=ClaimCategory.NONE, actor=None)
    assert situation_of(client) == Situation.LATE_90_PLUS


def test_it_recomputes_only_the_clients_asked_for(cast):
    asked = factories.make_client(cast.project)
    other = factories.make_client(cast.project, situation=Situation.UP_TO_DATE)
    factories.make_payment_order(asked, due_date=TODAY - timedelta(days=2))
    factories.make_payment_order(other, due_date=TODAY - timedelta(days=2))

    assert recompute_situations(project=cast.project, client_ids=[asked.pk], today=TODAY) == 1
    other.refresh_from_db()
    assert other.situation == Situation.UP_TO_DATE


# --- Across midnight: the project's day, not the server's -------------------------------

# 23:30 on 14/07/2024 in Bogotá (UTC−5) is already 04:30 on 15/07 in UTC.
BOGOTA_2330 = datetime(2024, 7, 15, 4, 30, tzinfo=dt_timezone.utc)


def test_today_is_the_projects_local_date(cast):
    utc_project = factories.make_project("UTC", slug="utc", timezone="UTC")
    with mock.patch("django.utils.timezone.now", return_value=BOGOTA_2330):
        assert cast.project.timezone == "America/Bogota"
        assert project_today(cast.project) == date(2024, 7, 14)
        assert project_today(utc_project) == date(2024, 7, 15)


def test_an_order_due_today_in_bogota_is_not_overdue_at_2330_local(cast):
    client = factories.make_client(cast.project)
    with mock.patch("django.utils.timezone.now", return_value=BOGOTA_2330):
        # Created through the service, which recomputes with the project's today.
        services.payment_order_create(
            client=client, actor=None, number="HOY", due_date=date(2024, 7, 14),
            amount=Decimal("100"),
        )
    client.refresh_from_db()
    # In UTC it is already the 15th, and the order would count as one day late.
    assert client.situation == Situation.UP_TO_DATE
    assert client.oldest_overdue_on is None


def test_an_order_due_yesterday_in_bogota_is_one_day_late_at_2330_local(cast):
    client = factories.make_client(cast.project)
    with mock.patch("django.utils.timezone.now", return_value=BOGOTA_2330):
        services.payment_order_create(
            client=client, actor=None, number="AYER", due_date=date(2024, 7, 13),
            amount=Decimal("100"),
        )
    client.refresh_from_db()
    assert client.situation == Situation.LATE_1_30
    assert client.oldest_overdue_on == date(2024, 7, 13)


def test_the_same_instant_is_already_the_next_day_in_a_utc_project(cast):
    utc_project = factories.make_project("UTC", slug="utc", timezone="UTC")
    client = factories.make_client(utc_project)
    factories.make_payment_order(client, due_date=date(2024, 7, 14))
    with mock.patch("django.utils.timezone.now", return_value=BOGOTA_2330):
        recompute_situations(project=utc_project, client_ids=[client.pk])
    client.refresh_from_db()
    assert client.situation == Situation.LATE_1_30


def test_thirty_days_late_turns_thirty_one_at_local_midnight(cast):
    client = factories.make_client(cast.project)
    factories.make_payment_order(client, due_date=date(2024, 6, 14))  # 30 days before 14/07
    before = datetime(2024, 7, 15, 4, 59, tzinfo=dt_timezone.utc)  # 23:59 on 14/07 in Bogotá
    after = datetime(2024, 7, 15, 5, 0, tzinfo=dt_timezone.utc)  # 00:00 on 15/07 in Bogotá
    with mock.patch("django.utils.timezone.now", return_value=before):
        recompute_situations(project=cast.project, client_ids=[client.pk])
    client.refresh_from_db()
    assert client.situation == Situation.LATE_1_30
    with mock.patch("django.utils.timezone.now", return_value=after):
        recompute_situations(project=cast.project, client_ids=[client.pk])
    client.refresh_from_db()
    assert client.situation == Situation.LATE_31_60
