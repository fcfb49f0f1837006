"""moonflow.dialogs: one way to open a dialog, one way to close it."""

import json

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from moonflow.dialogs import close_dialog, htmx_redirect, is_partial, safe_next

HTMX = {"HTTP_HX_REQUEST": "true"}


def request(method="get", path="/p/demo/", data=None, **headers):
    req = getattr(RequestFactory(), method)(path, data or {}, **headers)
    req.session = {}
    req._messages = FallbackStorage(req)
    return req


def test_closing_reloads_the_page_beneath_by_default():
    response = close_dialog(request(**HTMX), "Guardado.", url="/p/demo/clientes/")
    assert response.status_code == 204
    assert json.loads(response["HX-Trigger"]) == {"closeModal": True}
    assert response["HX-Refresh"] == "true"


def test_closing_can_fire_events_instead_of_reloading():
    response = close_dialog(request(**HTMX), "Guardado.", url="/x/", events=["membersChanged"])
    assert json.loads(response["HX-Trigger"]) == {"closeModal": True, "membersChanged": True}
    assert "HX-Refresh" not in response and "HX-Redirect" not in response


def test_closing_can_open_another_page():
    response = close_dialog(request(**HTMX), "Creado.", url="/p/demo/clientes/7/", redirect=True)
    assert response["HX-Redirect"] == "/p/demo/clientes/7/"


def test_without_htmx_it_redirects_with_the_message():
    req = request()
    response = close_dialog(req, "Guardado.", url="/p/demo/clientes/")
    assert (response.status_code, response["Location"]) == (302, "/p/demo/clientes/")
    assert [str(m) for m in req._messages] == ["Guardado."]


def test_htmx_redirect_and_partial():
    assert htmx_redirect(request(**HTMX), "/a/")["HX-Redirect"] == "/a/"
    assert htmx_redirect(request(), "/a/")["Location"] == "/a/"
    assert is_partial(request(**HTMX))
    assert not is_partial(request(**HTMX, HTTP_HX_HISTORY_RESTORE_REQUEST="true"))


@pytest.mark.parametrize("candidate, expected", [
    ("/p/demo/clientes/?q=1", "/p/demo/clientes/?q=1"),
    ("//evil.example/", "/fallback/"),
    ("https://evil.example/", "/fallback/"),
    ("-1", "/fallback/"),
    ("", "/fallback/"),
])
def test_safe_next_only_takes_a_path_of_this_site(candidate, expected):
    assert safe_next(request(data={"next": candidate}), "/fallback/") == expected
