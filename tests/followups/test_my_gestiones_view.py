"""Mis gestiones: the member's open gestiones grouped Vencidas / Hoy / Próximos 7 días, by the
day in the project's timezone, each linking to its client; only their own."""

import re
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from unittest import mock

import pytest
from django.urls import reverse

from followups.choices import FollowUpStatus
from tests import factories
from tests.conftest import login

from .helpers import make_followup

pytestmark = pytest.mark.django_db

URL = reverse("followups:mine", kwargs={"project": "demo"})
# 03:30 UTC on 10 March is still 9 March in Bogotá (UTC-5).
NOW = datetime(2026, 3, 10, 3, 30, tzinfo=dt_timezone.utc)
TODAY = date(2026, 3, 9)


def group(html: str, key: str) -> str:
    return re.search(rf'id="{key}">(.*?)</section>', html, re.S).group(1)


@pytest.fixture
def bogota(cast):
    cast.project.timezone = "America/Bogota"
    cast.project.save(update_fields=["timezone"])
    return cast


def test_it_groups_by_the_day_in_the_projects_timezone(bogota):
    cast = bogota
    client = factories.make_client(cast.project, name="Ana Gómez", adviser=cast.restricted)
    for title, day in [("Ayer", TODAY - timedelta(days=1)), ("Hoy mismo", TODAY),
                       ("Mañana UTC", TODAY + timedelta(days=1)),
                       ("En siete", TODAY + timedelta(days=7)),
                       ("En ocho", TODAY + timedelta(days=8))]:
        make_followup(client, title=title, due_on=day)

    with mock.patch("django.utils.timezone.now", return_value=NOW):
        html = login(cast.restricted).get(URL).content.decode()

    assert "Ayer" in group(html, "vencidas") and "Hoy mismo" not in group(html, "vencidas")
    assert "Hoy mismo" in group(html, "hoy") and "Mañana UTC" not in group(html, "hoy")
    upcoming = group(html, "proximas")
    assert "Mañana UTC" in upcoming and "En siete" in upcoming
    assert "En ocho" not in html
    assert reverse("clients:detail", kwargs={"project": "demo", "pk": client.pk}) in upcoming
    assert reverse("followups:complete", kwargs={"project": "demo", "pk": client.followups.get(
        title="Hoy mismo").pk}) in group(html, "hoy")


def test_it_lists_only_the_members_own_open_gestiones(cast):
    today = date.today()
    mine = factories.make_client(cast.project, adviser=cast.adviser)
    make_followup(mine, title="La mía", due_on=today)
    make_followup(mine, title="Ya hecha", due_on=today, status=FollowUpStatus.DONE)
    theirs = factories.make_client(cast.project, adviser=cast.restricted)
    make_followup(theirs, title="La del otro", due_on=today)

    html = login(cast.adviser).get(URL).content.decode()

    assert "La mía" in html
    assert "Ya hecha" not in html and "La del otro" not in html


def test_it_says_when_there_is_nothing_pending(cast):
    html = login(cast.admin).get(URL).content.decode()

    assert html.count("Nada pendiente.") == 3
    assert "Mis gestiones" in html


def test_it_is_in_the_side_menu(cast):
    html = login(cast.restricted).get(reverse("clients:list", kwargs={"project": "demo"}))
    assert URL in html.content.decode()


def test_it_answers_an_outsider_404(cast):
    assert login(cast.outsider).get(URL).status_code == 404
