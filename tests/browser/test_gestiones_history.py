"""The client's Gestiones panel in a real browser: the latest 20 closed gestiones, then
"Ver más" adds the older ones under them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from followups.choices import FollowUpStatus
from tests import factories
from tests.followups.helpers import make_followup

pytestmark = pytest.mark.browser


def test_ver_mas_adds_the_older_closed_gestiones(cast, log_in):
    client = factories.make_client(cast.project, name="Elena Soto", adviser=cast.restricted)
    base = timezone.now() - timedelta(days=40)
    for n in range(23):
        make_followup(client, title=f"Llamada {n:02d}", status=FollowUpStatus.DONE,
                      closed_at=base + timedelta(days=n))
    page = log_in(cast.restricted)
    page.goto(reverse("clients:detail", kwargs={"project": "demo", "pk": client.pk}))
    closed = page.get_by_role("region", name="Gestiones").get_by_role("table", name="Cerradas")
    rows = closed.get_by_role("row").filter(has_text="Llamada")
    expect(rows).to_have_count(20)
    expect(rows.first).to_contain_text("Llamada 22")
    expect(rows.last).to_contain_text("Llamada 03")

    closed.get_by_role("button", name="Ver más").click()

    expect(rows).to_have_count(23)
    expect(rows.last).to_contain_text("Llamada 00")
    expect(closed.get_by_role("button", name="Ver más")).to_have_count(0)
