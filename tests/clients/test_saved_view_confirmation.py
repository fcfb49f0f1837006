"""Guardar vista says it worked: the tray it opens shows "Vista «name» guardada."."""

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def spanish_around_each_test():
    """An English request leaves English active in the thread: later tests must not read it."""
    with translation.override("es"):
        yield


def create_url():
    return reverse("clients:saved_view_create", kwargs={"project": "demo"})


def save_from_dialog(browser, name):
    response = browser.post(
        create_url(), {"name": name, "consulta": "situacion=40", "vista": ""},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 204
    return browser.get(response["HX-Redirect"]).content.decode()


def test_it_confirms_the_saved_view_by_its_name(cast, as_member):
    page = save_from_dialog(as_member(cast.admin), "Mora alta")

    assert "Vista «Mora alta» guardada." in page
    assert 'class="alert alert-success' in page


def test_it_confirms_it_once(cast, as_member):
    browser = as_member(cast.admin)
    save_from_dialog(browser, "Mora alta")

    again = browser.get(reverse("clients:list", kwargs={"project": "demo"})).content.decode()

    assert "guardada." not in again


def test_it_confirms_in_english_to_an_english_reader(cast, as_member, settings):
    browser = as_member(cast.admin)
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = save_from_dialog(browser, "High arrears")

    assert "View “High arrears” saved." in page


def test_it_confirms_without_the_dialog_too(cast, as_member):
    response = as_member(cast.admin).post(
        create_url(), {"name": "Mora alta", "consulta": "", "vista": ""}, follow=True
    )

    assert "Vista «Mora alta» guardada." in response.content.decode()


def test_it_writes_the_name_as_text(cast, as_member):
    page = save_from_dialog(as_member(cast.admin), "<b>Mora</b>")

    assert "Vista «&lt;b&gt;Mora&lt;/b&gt;» guardada." in page
