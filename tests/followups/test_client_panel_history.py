"""The client's Gestiones panel stays short: every open gestión, the latest 20 closed ones and
notes, "Ver más" for the next (keyset); and Reprogramar refuses a day already gone."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.situation import project_today
from followups.choices import FollowUpStatus
from followups.models import ClientNote, FollowUp
from tests import factories
from tests.conftest import login

from .helpers import make_followup, make_note

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


class MoreLinks(HTMLParser):
    """The hx-get of each "Ver más" button of a fragment."""

    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "button" and "hx-get" in attrs and "hx-swap" in attrs:
            self.links.append(attrs["hx-get"])


def more_links(html: str) -> list[str]:
    parser = MoreLinks()
    parser.feed(html)
    return parser.links


def panel(browser, client) -> str:
    response = browser.get(reverse("followups:client_panel",
                                   kwargs={"project": "demo", "pk": client.pk}), **HTMX)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def client(cast):
    return factories.make_client(cast.project, name="Ana Gómez", adviser=cast.adviser)


@pytest.fixture
def history(client):
    """3 open gestiones, 25 closed ones (some closed at the same instant), 23 notes."""
    for n in range(3):
        make_followup(client, title=f"Abierta {n}")
    base = timezone.now() - timedelta(days=30)
    for n in range(25):
        make_followup(client, title=f"Cerrada {n:02d}", status=FollowUpStatus.DONE,
                      closed_at=base + timedelta(hours=n // 2))  # pairs share their instant
    for n in range(23):
        note = make_note(client, text=f"Nota {n:02d}")
        ClientNote.objects.filter(pk=note.pk).update(created_at=base + timedelta(hours=n))


def titles(html: str, prefix: str) -> list[str]:
    """The numbered titles of `prefix` in the order they appear."""
    return re.findall(rf"{prefix} \d\d", html)


def test_it_shows_every_open_gestion_and_the_latest_20_closed_and_notes(cast, client, history):
    html = panel(login(cast.admin), client)

    for n in range(3):
        assert f"Abierta {n}" in html
    # Latest first (closed at the same instant: the latest recorded first).
    assert titles(html, "Cerrada") == [f"Cerrada {n:02d}" for n in range(24, 4, -1)]
    assert titles(html, "Nota") == [f"Nota {n:02d}" for n in range(22, 2, -1)]
    assert html.count("Ver más") == 2


def test_ver_mas_loads_the_next_ones_without_repeating_or_skipping(cast, client, history):
    browser = login(cast.admin)
    closed_more, notes_more = more_links(panel(browser, client))
    assert "/gestiones/cerradas/?despues=" in closed_more
    assert "/notas/?despues=" in notes_more

    rest = browser.get(closed_more, **HTMX)
    assert rest.status_code == 200
    html = rest.content.decode()
    # "Cerrada 05" and "Cerrada 04" were closed at the same instant: the page ends between.
    assert titles(html, "Cerrada") == [f"Cerrada {n:02d}" for n in range(4, -1, -1)]
    assert "Ver más" not in html

    html = browser.get(notes_more, **HTMX).content.decode()
    assert titles(html, "Nota") == [f"Nota {n:02d}" for n in range(2, -1, -1)]
    assert "Ver más" not in html


def test_a_page_of_exactly_20_offers_no_ver_mas(cast, client):
    for n in range(20):
        make_followup(client, title=f"Cerrada {n:02d}", status=FollowUpStatus.CANCELLED)
    html = panel(login(cast.admin), client)
    assert len(titles(html, "Cerrada")) == 20
    assert "Ver más" not in html


def test_a_cursor_that_is_not_ours_is_refused(cast, client, history):
    browser = login(cast.admin)
    for name in ("closed_more", "notes_more"):
        url = reverse(f"followups:{name}", kwargs={"project": "demo", "pk": client.pk})
        for cursor in ("", "nada", "W10", "WyIyMDI2IiwxXQ"):
            assert browser.get(url, {"despues": cursor}, **HTMX).status_code == 400


def test_ver_mas_answers_404_for_a_client_the_member_may_not_see(cast, client, history):
    closed_more, notes_more = more_links(panel(login(cast.admin), client))
    for link in (closed_more, notes_more):
        assert login(cast.restricted).get(link, **HTMX).status_code == 404
        assert login(cast.outsider).get(link, **HTMX).status_code == 404


def test_reprogramar_refuses_a_day_already_gone(cast, client):
    task = make_followup(client, title="Llamar")
    today = project_today(cast.project)
    url = reverse("followups:reschedule", kwargs={"project": "demo", "pk": task.pk})
    browser = login(cast.adviser)

    response = browser.post(url, {"due_on": (today - timedelta(days=1)).isoformat()}, **HTMX)

    assert (f"Nueva fecha: no puede ser anterior a hoy ({today.strftime('%d/%m/%Y')}); "
            "reprograme para hoy o un día siguiente.") in response.content.decode()
    before = task.due_on
    task.refresh_from_db()
    assert task.due_on == before

    assert browser.post(url, {"due_on": today.isoformat()}, **HTMX).status_code == 204
    assert FollowUp.objects.get(pk=task.pk).due_on == today
