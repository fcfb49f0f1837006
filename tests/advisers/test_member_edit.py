import pytest

from tests import factories

from .helpers import HTMX, member_events, text, triggers, url


def _url(member, project="demo"):
    return url("advisers:edit", project=project, pk=member.pk)


def test_it_shows_the_id_field_with_the_current_id(cast, as_member):
    body = text(as_member(cast.admin).get(_url(cast.adviser), **HTMX))

    assert "Editar usuario: Asesor1" in body
    assert '<label class="form-label" for="id_code">ID</label>' in body
    assert f'value="{cast.adviser.code}"' in body
    assert "Moonflow asigna un número automáticamente" in body


def test_it_changes_the_id_and_audits_it(cast, as_member):
    old = cast.adviser.code

    response = as_member(cast.admin).post(_url(cast.adviser), {"code": " ASE-01_b "}, **HTMX)

    assert response.status_code == 204
    assert triggers(response)["closeModal"] is True
    cast.adviser.refresh_from_db()
    assert cast.adviser.code == "ASE-01_b"
    event = member_events(cast.adviser).last()
    assert event.changes == {"code": [old, "ASE-01_b"]}
    assert event.actor == cast.admin.user
    assert "ASE-01_b" in text(as_member(cast.admin).get(url("advisers:list")))


def test_it_refuses_a_duplicate_id_naming_the_holder(cast, as_member):
    as_member(cast.admin).post(_url(cast.restricted), {"code": "A-7"}, **HTMX)
    before = cast.adviser.code

    response = as_member(cast.admin).post(_url(cast.adviser), {"code": "A-7"}, **HTMX)

    body = text(response)
    assert response.status_code == 200 and "HX-Trigger" not in response.headers
    assert "El ID «A-7» ya lo tiene Asesor2." in body
    assert 'aria-invalid="true"' in body and "form-control is-invalid" in body
    cast.adviser.refresh_from_db()
    assert cast.adviser.code == before


@pytest.mark.parametrize("bad", ["con espacio", "ñandú", "x" * 41, "a/b"])
def test_it_refuses_an_invalid_id(cast, as_member, bad):
    before = cast.adviser.code

    response = as_member(cast.admin).post(_url(cast.adviser), {"code": bad}, **HTMX)

    assert response.status_code == 200
    assert "no es válido: use letras, números, «-» o «_», hasta 40 caracteres." in text(response)
    cast.adviser.refresh_from_db()
    assert cast.adviser.code == before


def test_it_refuses_an_empty_id(cast, as_member):
    response = as_member(cast.admin).post(_url(cast.adviser), {"code": "  "}, **HTMX)

    assert response.status_code == 200 and "Este campo es requerido." in text(response)


def test_it_accepts_forty_characters(cast, as_member):
    as_member(cast.admin).post(_url(cast.adviser), {"code": "x" * 40}, **HTMX)

    cast.adviser.refresh_from_db()
    assert cast.adviser.code == "x" * 40


def test_it_renders_a_full_page_without_htmx(cast, as_member):
    body = text(as_member(cast.admin).get(_url(cast.adviser)))

    assert "<html" in body and 'id="id_code"' in body and ">Guardar</button>" in body


@pytest.mark.parametrize("who", ["supervisor", "adviser", "restricted"])
def test_it_requires_admin(cast, as_member, who):
    browser = as_member(getattr(cast, who))

    assert browser.get(_url(cast.adviser)).status_code == 403
    assert browser.post(_url(cast.adviser), {"code": "Z9"}).status_code == 403
    cast.adviser.refresh_from_db()
    assert cast.adviser.code != "Z9"


def test_it_checks_ownership(cast, as_member):
    browser = as_member(cast.outsider)

    assert browser.get(_url(cast.adviser, project="otra")).status_code == 404
    assert browser.post(_url(cast.adviser, project="otra"), {"code": "Z9"}).status_code == 404
    cast.adviser.refresh_from_db()
    assert cast.adviser.code != "Z9"


def test_it_does_not_clash_with_a_member_of_the_other_project(cast, as_member):
    stranger = factories.make_member(cast.other_project, username="extranjero", code="ZZ")

    response = as_member(cast.admin).post(_url(cast.adviser), {"code": "ZZ"}, **HTMX)

    assert response.status_code == 204
    stranger.refresh_from_db()
    assert stranger.code == "ZZ"
