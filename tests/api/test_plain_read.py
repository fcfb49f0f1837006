"""The list pages' fast reading writes exactly the JSON DRF's own reading writes."""

from datetime import date
from decimal import Decimal

import pytest
from rest_framework import serializers

from api.serializers.clients import ClientSerializer
from api.serializers.payment_orders import PaymentOrderSerializer
from clients.models import Client, PaymentOrder
from tests import factories

pytestmark = pytest.mark.django_db


def _drf(serializer, instance):
    return serializers.Serializer.to_representation(serializer, instance)


def test_a_client_reads_as_drf_reads_it(cast):
    segment = factories.make_segment(cast.project, "Consumo")
    client = factories.make_client(cast.project, name="Ana Ríos", adviser=cast.adviser,
                                   segment=segment, extra={"plan": "oro"})
    Client.objects.filter(pk=client.pk).update(balance=Decimal("1234.5"))
    client = Client.objects.select_related("segment", "adviser__user").get(pk=client.pk)
    for readable in (None, set()):
        serializer = ClientSerializer(context={"readable_adviser_ids": readable})
        fast = serializer.to_representation(client)
        assert fast == _drf(serializer, client)
    assert fast["balance"] == "1234.50" and fast["adviserName"] != cast.adviser.display_name


def test_a_payment_order_reads_as_drf_reads_it(cast):
    order = factories.make_payment_order(factories.make_client(cast.project))
    order = PaymentOrder.objects.with_state(today=date(2026, 3, 1)).get(pk=order.pk)
    serializer = PaymentOrderSerializer()
    fast = serializer.to_representation(order)
    assert fast == _drf(serializer, order)
    assert fast["issuedOn"] is None or isinstance(fast["issuedOn"], str)
