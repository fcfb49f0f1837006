"""Ajustes → Integraciones → API in a real browser: an admin creates a key, copies it (shown
once), the key opens the API, and Revocar asks before refusing it."""

import pytest
from django.test import Client as HttpClient
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _api_status(text: str) -> int:
    return HttpClient().get("/api/v1/clients/", HTTP_AUTHORIZATION=f"Bearer {text}").status_code


def test_an_admin_creates_and_revokes_a_key(cast, log_in):
    page = log_in(cast.admin)
    page.goto(f"/p/{cast.project.slug}/ajustes/integraciones/")
    page.get_by_role("link", name="Claves de API").click()
    expect(page.get_by_role("heading", name="Claves de API")).to_be_visible()
    expect(page.get_by_text("Todavía no hay claves de API.")).to_be_visible()

    page.get_by_label("Nombre").fill("ERP")
    page.get_by_role("button", name="Crear clave").click()
    expect(page.get_by_text("Cópiela ahora: no se volverá a mostrar.")).to_be_visible()
    text = page.get_by_label("Clave", exact=True).input_value()
    assert text.startswith("mf_")
    assert _api_status(text) == 200

    page.reload()
    expect(page.get_by_text("Cópiela ahora")).to_have_count(0)
    assert text not in page.content()
    keys = page.get_by_test_id("api-keys")
    expect(keys.get_by_role("cell", name="ERP")).to_be_visible()
    expect(keys.get_by_text("Activa")).to_be_visible()

    keys.get_by_role("link", name="Revocar").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("¿Revocar la clave")).to_be_visible()
    assert _api_status(text) == 200  # nothing happens before confirming
    dialog.get_by_role("button", name="Revocar").click()
    expect(page.get_by_text("Clave ERP revocada: ya no abre la API.")).to_be_visible()
    expect(keys.get_by_text("Revocada el")).to_be_visible()
    assert _api_status(text) == 401
