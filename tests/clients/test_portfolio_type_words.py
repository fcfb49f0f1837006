"""Tipo de cartera speaks its own English: Vigente → Current, Castigada → Written-off,
while Estado's Activo stays "Active"."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from clients.choices import ClientStatus, PaymentOrderStatus, PortfolioType
from tests import factories


@pytest.fixture(autouse=True)
def spanish_around_each_test():
    """An English request leaves English active in the thread: later tests must not read it."""
    with translation.override("es"):
        yield


def test_it_names_the_portfolio_types_in_english_apart_from_the_status():
    with translation.override("en"):
        assert str(PortfolioType.CURRENT.label) == "Current"
        assert str(PortfolioType.WRITTEN_OFF.label) == "Written-off"
        assert str(ClientStatus.ACTIVE.label) == "Active"
        assert str(PaymentOrderStatus.PENDING.label) == "Active"


def test_it_keeps_the_seeds_words_in_spanish():
    with translation.override("es"):
        assert str(PortfolioType.CURRENT.label) == "Vigente"
        assert str(PortfolioType.WRITTEN_OFF.label) == "Castigada"


@pytest.mark.django_db
def test_the_client_page_shows_current_to_an_english_reader(cast, as_member, settings):
    client = factories.make_client(cast.project, name="Fabio Lara")
    browser = as_member(cast.admin)
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = browser.get(reverse("clients:detail", kwargs={"project": "demo", "pk": client.pk}))

    page = html.content.decode()
    assert re.search(r"Portfolio type</dt><dd[^>]*>Current</dd>", page)
    assert re.search(r"Status</dt><dd[^>]*>Active</dd>", page)
