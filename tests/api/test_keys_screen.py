"""Ajustes → Integraciones → API: admins create keys (the secret shown once), list them with
scope and last use, and revoke one after confirming; nobody else opens the screen."""

import pytest
from django.urls import reverse

from api.models import ApiKey
from moonflow.audit.models import AuditEvent

from .helpers import Api, make_key

pytestmark = pytest.mark.django_db


def url(cast, name="api_keys:index", **kwargs):
    return reverse(name, kwargs={"project": cast.project.slug, **kwargs})


def test_it_is_linked_from_integraciones(cast, as_member):
    page = as_member(cast.admin).get(reverse("integrations:index",
                                             kwargs={"project": cast.project.slug}))
    assert url(cast) in page.content.decode()


@pytest.mark.parametrize("who", ["supervisor", "adviser", "restricted"])
def test_it_is_for_admins_only(cast, as_member, who):
    browser = as_member(getattr(cast, who))
    assert browser.get(url(cast)).status_code == 403
    assert browser.post(url(cast), {"name": "X", "scope": "admin"}).status_code == 403
    assert not ApiKey.objects.exists()


def test_an_outsider_gets_404(cast, as_member):
    assert as_member(cast.outsider).get(url(cast)).status_code == 404


def test_it_shows_the_secret_once_and_it_works(cast, as_member):
    browser = as_member(cast.admin)
    created = browser.post(url(cast), {"name": "ERP", "scope": "admin"})
    assert created.status_code == 302 and created["Location"] == url(cast)
    page = browser.get(url(cast))
    assert page["Cache-Control"] == "no-store"
    text = page.context["secret"]
    html = page.content.decode()
    assert "Cópiela ahora: no se volverá a mostrar." in html
    assert text in html
    assert Api(text).get("/api/v1/clients/").status_code == 200
    again = browser.get(url(cast)).content.decode()
    assert text not in again
    assert "Cópiela ahora" not in again
    assert "ERP" in again
    key = ApiKey.objects.get()
    assert key.prefix in again
    assert AuditEvent.objects.filter(resource_type="api_key", event="created",
                                     resource_id=key.prefix).exists()
    assert not browser.session.get("api_new_key")


def test_a_member_key_names_the_member_it_acts_as(cast, as_member):
    browser = as_member(cast.admin)
    page = browser.post(url(cast), {"name": "CRM", "scope": "member",
                                    "member": cast.restricted.pk})
    assert page.status_code == 302
    key = ApiKey.objects.get()
    assert (key.scope, key.member) == ("member", cast.restricted)
    assert f"Como {cast.restricted.display_name} ({cast.restricted.code})" in \
        browser.get(url(cast)).content.decode()


def test_a_member_key_needs_its_member(cast, as_member):
    page = as_member(cast.admin).post(url(cast), {"name": "CRM", "scope": "member"})
    assert page.status_code == 400
    assert "Elija el usuario como el que actúa la clave." in page.content.decode()
    assert not ApiKey.objects.exists()


def test_it_shows_the_last_use(cast, as_member):
    _key, text = make_key(cast.admin, name="ERP")
    browser = as_member(cast.admin)
    assert "Nunca" in browser.get(url(cast)).content.decode()
    Api(text).get("/api/v1/clients/")
    assert "Nunca" not in browser.get(url(cast)).content.decode()


def test_revoking_asks_first_then_refuses_the_key_at_once(cast, as_member):
    key, text = make_key(cast.admin, name="ERP")
    browser = as_member(cast.admin)
    dialog = browser.get(url(cast, "api_keys:revoke", prefix=key.prefix), HTTP_HX_REQUEST="true")
    assert "¿Revocar la clave <strong>ERP</strong>" in dialog.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is None
    done = browser.post(url(cast, "api_keys:revoke", prefix=key.prefix), HTTP_HX_REQUEST="true")
    assert done.status_code == 204
    assert Api(text).get("/api/v1/clients/").status_code == 401
    assert "Revocada el" in browser.get(url(cast)).content.decode()
    assert AuditEvent.objects.filter(resource_type="api_key", event="deactivated").exists()


def test_another_project_s_key_cannot_be_revoked(cast, as_member):
    key, _text = make_key(cast.outsider)
    response = as_member(cast.admin).post(url(cast, "api_keys:revoke", prefix=key.prefix))
    assert response.status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None


def test_integraciones_shows_the_api_card_to_admins_only(cast, as_member):
    integrations = reverse("integrations:index", kwargs={"project": cast.project.slug})
    page = as_member(cast.supervisor).get(integrations)
    assert page.status_code == 200
    assert "Claves de API" not in page.content.decode()
