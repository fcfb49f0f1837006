"""The language switch in the header: Spanish by default, English on request."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

SPANISH_MENU = ["Cuentas por cobrar", "Ajustes", "Log de procesos", "Órdenes de pago"]
ENGLISH_MENU = ["Accounts receivable", "Settings", "Process log", "Payment orders"]


def clients_tray_url(cast) -> str:
    return reverse("clients:list", kwargs={"project": cast.project.slug})


def assert_page_language(page: str, lang: str) -> None:
    shown, hidden = (ENGLISH_MENU, SPANISH_MENU) if lang == "en" else (SPANISH_MENU, ENGLISH_MENU)
    assert f'<html lang="{lang}">' in page
    for label in shown:
        assert label in page, f"{label!r} missing from the {lang} page"
    for label in hidden:
        assert label not in page, f"{label!r} shown on the {lang} page"


def assert_in_english(page: str) -> None:
    assert_page_language(page, "en")


def assert_in_spanish(page: str) -> None:
    assert_page_language(page, "es")


def test_it_shows_the_clients_tray_in_spanish_without_the_language_cookie(cast, as_member):
    response = as_member(cast.admin).get(clients_tray_url(cast))
    assert response.status_code == 200
    assert_in_spanish(response.content.decode())


def test_it_shows_the_clients_tray_in_english_with_the_language_cookie(cast, as_member):
    browser = as_member(cast.admin)
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = browser.get(clients_tray_url(cast))
    assert response.status_code == 200
    assert_in_english(response.content.decode())


def test_it_offers_the_language_switch_in_the_header(cast, as_member):
    page = as_member(cast.admin).get(clients_tray_url(cast)).content.decode()
    form = re.search(
        r'<form action="%s" method="post"[^>]*>(.*?)</form>' % re.escape(reverse("set_language")),
        page,
        re.S,
    )
    assert form is not None, "the header has no language switch"
    switch = form.group(1)
    assert f'name="next" type="hidden" value="{clients_tray_url(cast)}"' in switch
    assert '<option value="es" selected>ES</option>' in switch
    assert '<option value="en">EN</option>' in switch


def test_it_switches_to_english_and_back_from_the_header(cast, as_member):
    browser = as_member(cast.admin)
    url = clients_tray_url(cast)
    assert_in_spanish(browser.get(url).content.decode())

    response = browser.post(reverse("set_language"), {"language": "en", "next": url})
    assert response.status_code == 302
    assert response["Location"] == url
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = browser.get(response["Location"]).content.decode()
    assert_in_english(page)
    assert '<option value="en" selected>EN</option>' in page

    response = browser.post(reverse("set_language"), {"language": "es", "next": url}, follow=True)
    assert browser.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert_in_spanish(response.content.decode())
