"""404, 403, 400 and 500 in the product's layout and the user's language, with DEBUG off."""

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from .test_language_switch import assert_in_english, assert_in_spanish

pytestmark = pytest.mark.django_db


def test_it_runs_with_debug_off():
    assert settings.DEBUG is False


def test_it_shows_a_missing_page_inside_the_project_layout(cast, as_member):
    response = as_member(cast.admin).get(f"/p/{cast.project.slug}/clientes/999999999/")

    page = response.content.decode()
    assert response.status_code == 404
    assert "Página no encontrada" in page and "Error 404" in page
    assert_in_spanish(page)  # the side menu and the header are there
    assert f'href="{reverse("project_home", kwargs={"project": cast.project.slug})}"' in page


def test_it_shows_a_missing_page_in_english(cast, as_member):
    browser = as_member(cast.admin)
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = browser.get(f"/p/{cast.project.slug}/clientes/999999999/").content.decode()

    assert "Page not found" in page
    assert_in_english(page)


def test_it_shows_a_forbidden_page_in_the_layout(cast, as_member):
    # Ajustes → Usuarios is for admins only.
    response = as_member(cast.adviser).get(reverse("advisers:list", kwargs={"project": "demo"}))

    page = response.content.decode()
    assert response.status_code == 403
    assert "No tienes permiso" in page and "pídesela a un administrador" in page
    assert "Cuentas por cobrar" in page and "Log de procesos" in page


def test_it_shows_another_projects_page_as_missing_without_its_menu(cast, as_member):
    response = as_member(cast.outsider).get(reverse("clients:list", kwargs={"project": "demo"}))

    page = response.content.decode()
    assert response.status_code == 404
    assert "Página no encontrada" in page
    assert "Demo Cobranzas" not in page


@pytest.mark.parametrize("language, title", [("es", "Algo salió mal"), ("en", "Something went wrong")])
def test_it_shows_a_server_error_without_touching_the_database(language, title,
                                                              django_assert_num_queries):
    request = RequestFactory().get("/")
    with translation.override(language), django_assert_num_queries(0):
        response = server_error(request)

    page = response.content.decode()
    assert response.status_code == 500
    assert title in page and "Error 500" in page
    assert f'<html lang="{language}">' in page
    assert "bootstrap.min.css" in page
