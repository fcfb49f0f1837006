"""The payment-order state ("vigente", "vencida", "pagada", "anulada"): one definition
on PaymentOrder's queryset, read by the client page, the counts and the situation."""

from datetime import timedelta

import pytest
from django.db import connection

from clients.choices import PaymentOrderStatus, Situation
from clients.models import PaymentOrder, PaymentOrderQuerySet
from clients.situation import project_today, recompute_situations
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(cast):
    today = project_today(cast.project)
    client = factories.make_client(cast.project)
    made = {
        "vigente": factories.make_payment_order(client, due_date=today + timedelta(days=3)),
        "hoy": factories.make_payment_order(client, due_date=today),  # due today: not overdue
        "vencida": factories.make_payment_order(client, due_date=today - timedelta(days=1)),
        "pagada": factories.make_payment_order(
            client, due_date=today - timedelta(days=9), status=PaymentOrderStatus.PAID
        ),
        "anulada": factories.make_payment_order(
            client, due_date=today - timedelta(days=9), status=PaymentOrderStatus.ANNULLED
        ),
    }
    return client, today, made


def test_in_state_filters_each_state(orders):
    client, today, made = orders
    qs = PaymentOrder.objects.filter(client=client)
    assert set(qs.in_state("vigente", today=today)) == {made["vigente"], made["hoy"]}
    assert set(qs.in_state("vencida", today=today)) == {made["vencida"]}
    assert set(qs.in_state("pagada", today=today)) == {made["pagada"]}
    assert set(qs.in_state("anulada", today=today)) == {made["anulada"]}
    assert set(qs.in_state("vigente", "vencida", today=today)) == {
        made["vigente"], made["hoy"], made["vencida"]
    }
    with pytest.raises(ValueError):
        qs.in_state("borrada", today=today)


def test_the_annotation_the_counts_and_a_loaded_order_agree(orders):
    client, today, made = orders
    orders = PaymentOrder.objects.filter(client=client).with_state(today=today)
    annotated = {o.pk: o.state for o in orders}
    for order in made.values():
        assert annotated[order.pk] == PaymentOrder.objects.state_of(order, today=today)
    assert annotated[made["hoy"].pk] == "vigente"
    assert PaymentOrder.objects.filter(client=client).state_counts(today=today) == {
        "vigente": 2, "vencida": 1, "pagada": 1, "anulada": 1,
    }


def test_the_sql_form_selects_the_same_orders(orders):
    client, today, made = orders
    every = (("vigente",), ("vencida",), ("pagada",), ("anulada",), PaymentOrderQuerySet.OPEN)
    for states in every:
        condition = PaymentOrderQuerySet.state_sql(*states, alias="po")
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT po.id FROM clients_paymentorder po WHERE po.client_id = %(client)s "
                f"AND {condition}",
                {"client": client.pk, "today": today},
            )
            ids = {pk for (pk,) in cursor.fetchall()}
        expected = set(
            PaymentOrder.objects.filter(client=client).in_state(*states, today=today)
            .values_list("pk", flat=True)
        )
        assert ids == expected, states


def test_the_situation_counts_what_the_states_say(cast, orders):
    client, today, made = orders
    recompute_situations(project=cast.project, client_ids=[client.pk], today=today)
    client.refresh_from_db()
    assert client.situation == Situation.LATE_1_30
    assert client.oldest_overdue_on == made["vencida"].due_date
    owed = sum(o.total for o in PaymentOrder.objects.filter(client=client).in_state(
        *PaymentOrderQuerySet.OPEN, today=today))
    assert client.balance == owed


def test_the_client_page_shows_each_state(cast, as_member, orders):
    from django.urls import reverse

    client, _today, _made = orders
    html = as_member(cast.admin).get(
        reverse("clients:detail", kwargs={"project": "demo", "pk": client.pk})
    ).content.decode()
    for label in ("Vigente", "Vencida", "Pagada", "Anulada"):
        assert label in html
    assert "Vigentes: 2" in html and "Vencidas: 1" in html
