"""Logging in and out, password reset by email, and brute-force protection."""

import re

import pytest
from django.core import mail

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_it_shows_the_login_page_in_spanish(client):
    page = client.get("/cuenta/ingresar/").content.decode()
    assert "Ingresar" in page
    assert 'for="id_username"' in page and 'for="id_password"' in page


def test_it_logs_in_and_opens_the_clients_tray(client, cast):
    response = client.post(
        "/cuenta/ingresar/", {"username": "admin", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/p/demo/clientes/"
    assert "Cuentas por cobrar" in response.content.decode()


def test_it_refuses_a_wrong_password(client, cast):
    response = client.post("/cuenta/ingresar/", {"username": "admin", "password": "nope"})
    assert "Usuario o contraseña incorrectos." in response.content.decode()


def test_it_locks_out_after_repeated_failures(client, cast, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/cuenta/ingresar/", {"username": "admin", "password": "nope"})
    response = client.post("/cuenta/ingresar/", {"username": "admin", "password": PASSWORD})
    assert response.status_code == 429
    assert "Demasiados intentos fallidos" in response.content.decode()


def test_it_logs_out_with_a_post(client, cast):
    client.post("/cuenta/ingresar/", {"username": "admin", "password": PASSWORD})
    response = client.post("/cuenta/salir/")
    assert response.status_code == 302
    assert client.get("/p/demo/clientes/").status_code == 302


def test_it_sends_a_password_reset_link_that_works(client, cast):
    response = client.post("/cuenta/restablecer/", {"email": cast.admin.user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/cuenta/restablecer/\S+)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert "Elige una nueva contraseña" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Cobranza-2026!x", "new_password2": "Cobranza-2026!x"},
        follow=True,
    )
    assert "Tu contraseña fue guardada." in done.content.decode()
    cast.admin.user.refresh_from_db()
    assert cast.admin.user.check_password("Cobranza-2026!x")


def test_it_sends_anonymous_visitors_to_the_login_page(client, cast):
    response = client.get("/p/demo/clientes/")
    assert response.status_code == 302
    assert response["Location"].startswith("/cuenta/ingresar/?next=/p/demo/clientes/")


def test_it_speaks_the_projects_language_until_the_user_chooses(client, cast, as_member):
    cast.project.language = "en"
    cast.project.save(update_fields=["language"])
    browser = as_member(cast.admin)
    assert '<html lang="en">' in browser.get("/p/demo/procesos/").content.decode()
    browser.post("/i18n/setlang/", {"language": "es", "next": "/p/demo/procesos/"})
    assert '<html lang="es">' in browser.get("/p/demo/procesos/").content.decode()


def test_it_shows_only_the_users_projects_in_the_switcher(cast, as_member):
    page = as_member(cast.admin).get("/p/demo/procesos/").content.decode()
    assert "Demo Cobranzas" in page
    assert "Otra Empresa" not in page
