import pytest

from moonflow.tenancy.models import Role

from .helpers import HTMX, text, url


def _url(member, project="demo"):
    return url("advisers:history", project=project, pk=member.pk)


def test_it_shows_who_changed_what_and_when(cast, as_member):
    browser = as_member(cast.admin)
    old = cast.adviser.code
    browser.post(url("advisers:edit", pk=cast.adviser.pk), {"code": "ASE-9"}, **HTMX)
    browser.post(
        url("advisers:permissions", pk=cast.adviser.pk),
        {"restricted_to_assigned": "on", "role": Role.SUPERVISOR},
        **HTMX,
    )

    body = text(browser.get(_url(cast.adviser), **HTMX))

    assert "Historial: Asesor1" in body
    for heading in ("Fecha", "Quién", "Campo", "Antes", "Después"):
        assert f">{heading}</th>" in body
    rows = [r for r in body.split("<tr>")[2:]]
    assert any("<td>ID</td>" in r and f"<td>{old}</td>" in r and "<td>ASE-9</td>" in r
               and "<td>Admin</td>" in r for r in rows)
    assert any("<td>Asignación de asesor</td>" in r and "<td>No</td>" in r and "<td>Sí</td>" in r
               for r in rows)
    assert any("<td>Rol</td>" in r and "<td>Asesor</td>" in r and "<td>Supervisor</td>" in r
               for r in rows)
    assert any("<td>Equipo</td>" in r and "<td>Equipo Norte</td>" in r and "<td>—</td>" in r
               for r in rows)


def test_it_shows_deactivation(cast, as_member):
    browser = as_member(cast.admin)
    browser.post(url("advisers:deactivate", pk=cast.adviser.pk), **HTMX)

    body = text(browser.get(_url(cast.adviser), **HTMX))

    assert "<td>Desactivado</td>" in body
    assert "<td>Activo</td>" in body and "<td>Inactivo</td>" in body


def test_it_shows_only_that_members_history(cast, as_member):
    browser = as_member(cast.admin)
    browser.post(url("advisers:edit", pk=cast.restricted.pk), {"code": "OTRO-1"}, **HTMX)

    body = text(browser.get(_url(cast.adviser), **HTMX))

    assert "OTRO-1" not in body


@pytest.mark.parametrize("who", ["supervisor", "adviser", "restricted"])
def test_it_requires_admin(cast, as_member, who):
    assert as_member(getattr(cast, who)).get(_url(cast.adviser)).status_code == 403


def test_it_checks_ownership(cast, as_member):
    assert as_member(cast.outsider).get(_url(cast.adviser, project="otra")).status_code == 404
