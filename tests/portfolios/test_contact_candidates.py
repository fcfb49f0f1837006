"""Busque y seleccione para agregar: what each keystroke finds (name, document number, phone,
e-mail; beginnings, accents and case ignored), among the clients the member may add."""

import pytest
from django.utils import timezone

from tests import factories

from .helpers import HTMX, make_portfolio, put_in, text, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def portfolio(cast):
    return make_portfolio(cast.project, "Recuperación Julio", team=cast.adviser.team)


@pytest.fixture
def book(cast):
    make = factories.make_client
    return {
        "maria": make(cast.project, name="María García López", document_number="1020304050",
                      email="maria.garcia@correo.co", phone="+573001112233"),
        "jose": make(cast.project, name="José Garcés", document_number="79111222",
                     phone="+573104445566", adviser=cast.adviser),
        "ana": make(cast.project, name="Ana Ríos", document_number="52000111",
                    email="pagos@rios.co", adviser=cast.restricted),
        "gone": make(cast.project, name="Gabriel Borrado", document_number="11122233",
                     deleted_at=timezone.now()),
        "foreign": make(cast.other_project, name="Gabriela Ajena", document_number="99988877"),
    }


def _search(browser, portfolio, q, **params):
    return text(browser.get(url("portfolios:candidates", pk=portfolio.pk), {"q": q, **params},
                            **HTMX))


def test_it_finds_names_with_a_word_beginning_with_one_letter(cast, as_member, portfolio, book):
    body = _search(as_member(cast.admin), portfolio, "g")

    assert "María García López" in body and "José Garcés" in body
    assert "Gabriel Borrado" not in body  # in the Papelera
    assert "Gabriela Ajena" not in body  # another project


@pytest.mark.parametrize("typed", ["gar", "GARC", "garcí", "García L", "lopez garcia", "maría"])
def test_it_finds_by_the_beginning_of_words_whatever_the_accents_and_case(cast, as_member,
                                                                         portfolio, book, typed):
    body = _search(as_member(cast.admin), portfolio, typed)

    assert "María García López" in body


def test_it_narrows_as_the_name_grows(cast, as_member, portfolio, book):
    browser = as_member(cast.admin)

    assert "José Garcés" in _search(browser, portfolio, "garc")
    assert "José Garcés" not in _search(browser, portfolio, "garci")


@pytest.mark.parametrize("typed", ["1020", "1.020.304", "CC 1020304050", "2233", "300 111 2233",
                                   "maria.garcia@", "maria.garcia@correo.co"])
def test_it_finds_by_document_phone_ending_and_email(cast, as_member, portfolio, book, typed):
    body = _search(as_member(cast.admin), portfolio, typed)

    assert "María García López" in body
    assert "José Garcés" not in body


def test_it_says_when_nothing_matches(cast, as_member, portfolio, book):
    body = _search(as_member(cast.admin), portfolio, "Zzyzx")

    assert "Ningún cliente coincide con «Zzyzx»." in body


def test_it_says_nothing_for_an_empty_box(cast, as_member, portfolio, book):
    body = _search(as_member(cast.admin), portfolio, "   ")

    assert "Ningún cliente" not in body and "checkbox" not in body


def test_it_offers_checkboxes_and_marks_the_clients_already_in_the_portfolio(cast, as_member,
                                                                            portfolio, book):
    put_in(portfolio, book["jose"])

    body = _search(as_member(cast.admin), portfolio, "gar")

    assert f'name="clientes" value="{book["maria"].pk}" id="candidate-{book["maria"].pk}">' in body
    assert f'value="{book["jose"].pk}" id="candidate-{book["jose"].pk}" disabled>' in body
    assert "Ya en cartera" in body
    assert '<label class="form-check-label" for="candidate-' in body


def test_it_keeps_the_ticked_clients_first_while_typing_something_else(cast, as_member, portfolio,
                                                                       book):
    body = _search(as_member(cast.admin), portfolio, "ríos", clientes=[book["maria"].pk])

    maria = body.index("María García López")
    ana = body.index("Ana Ríos")
    assert maria < ana
    assert f'value="{book["maria"].pk}" id="candidate-{book["maria"].pk}" checked>' in body


def test_it_never_keeps_a_ticked_client_of_another_project(cast, as_member, portfolio, book):
    body = _search(as_member(cast.admin), portfolio, "", clientes=[book["foreign"].pk])

    assert "Gabriela Ajena" not in body


def test_it_shows_at_most_ten_and_says_there_are_more(cast, as_member, portfolio):
    for n in range(12):
        factories.make_client(cast.project, name=f"Gómez {n:02d}")

    body = _search(as_member(cast.admin), portfolio, "gomez")

    assert body.count('name="clientes"') == 10
    assert "Gómez 00" in body and "Gómez 10" not in body
    assert "Hay más clientes que coinciden" in body


def test_it_offers_a_restricted_supervisor_only_the_clients_they_see(cast, as_member, portfolio,
                                                                     book):
    coordinator = factories.make_member(cast.project, role="supervisor", username="coordinadora",
                                        restricted=True)
    south = factories.make_team(cast.project, "Equipo Sur", supervisor=coordinator)
    southern = factories.make_member(cast.project, username="surena", team=south)
    factories.make_client(cast.project, name="Gaspar Sureño", adviser=southern)
    own = make_portfolio(cast.project, "Sur", team=south)

    body = _search(as_member(coordinator), own, "ga")

    assert "Gaspar Sureño" in body
    assert "José Garcés" not in body  # held by an adviser of another team


def test_it_answers_a_supervisor(cast, as_member, portfolio, book):
    assert "María García López" in _search(as_member(cast.supervisor), portfolio, "maria")


@pytest.mark.parametrize("who", ["adviser", "restricted"])
def test_it_is_closed_to_advisers(cast, as_member, portfolio, book, who):
    response = as_member(getattr(cast, who)).get(
        url("portfolios:candidates", pk=portfolio.pk), {"q": "maria"})

    assert response.status_code == 403


def test_it_answers_404_to_another_projects_member(cast, as_member, portfolio, book):
    response = as_member(cast.outsider).get(
        url("portfolios:candidates", project="otra", pk=portfolio.pk), {"q": "maria"})

    assert response.status_code == 404


def test_it_reads_text_postgresql_cannot_hold_without_failing(cast, as_member, portfolio, book):
    body = _search(as_member(cast.admin), portfolio, "mar\x00ía", clientes=["x\x00", "1e309"])

    assert "María García López" in body
