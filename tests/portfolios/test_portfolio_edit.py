"""Editar: the dialog pre-filled, the changes saved and audited as [before, after]."""

import pytest

from moonflow.audit.models import AuditEventKind
from portfolios.services import portfolio_create
from tests import factories

from .helpers import HTMX, events, make_portfolio, text, url

pytestmark = pytest.mark.django_db


def _url(portfolio, project="demo"):
    return url("portfolios:edit", project=project, pk=portfolio.pk)


@pytest.fixture
def portfolio(cast):
    return portfolio_create(member=cast.admin, name="Recuperación Julio",
                            team=cast.adviser.team, agent=cast.adviser)


def test_it_opens_filled_in(cast, as_member, portfolio):
    body = text(as_member(cast.supervisor).get(_url(portfolio), **HTMX))

    assert "Editar cartera: Recuperación Julio" in body
    assert 'value="Recuperación Julio"' in body
    assert f'<option value="{cast.adviser.team.pk}" selected>Equipo Norte</option>' in body
    assert f'<option value="{cast.adviser.pk}" selected>' in body


def test_it_saves_the_changes_with_their_before_and_after(cast, as_member, portfolio):
    response = as_member(cast.supervisor).post(
        _url(portfolio), {"name": "Recuperación Agosto", "team": "", "agent": cast.restricted.pk},
        **HTMX)

    assert response.status_code == 204
    portfolio.refresh_from_db()
    assert (portfolio.name, portfolio.team, portfolio.agent) == (
        "Recuperación Agosto", None, cast.restricted)
    event = events(portfolio, AuditEventKind.UPDATED).get()
    assert event.actor == cast.supervisor.user
    assert event.resource_label == "Recuperación Agosto"
    assert event.changes == {
        "name": ["Recuperación Julio", "Recuperación Agosto"],
        "team": ["Equipo Norte", None],
        "agent": [f"Asesor1 ({cast.adviser.code})", f"Asesor2 ({cast.restricted.code})"],
    }


def test_it_records_nothing_when_nothing_changed(cast, as_member, portfolio):
    as_member(cast.admin).post(_url(portfolio), {"name": "Recuperación Julio",
                                                 "team": cast.adviser.team.pk,
                                                 "agent": cast.adviser.pk}, **HTMX)

    assert not events(portfolio, AuditEventKind.UPDATED).exists()


def test_it_lets_a_name_change_only_its_case(cast, as_member, portfolio):
    as_member(cast.admin).post(_url(portfolio), {"name": "RECUPERACIÓN JULIO",
                                                 "team": cast.adviser.team.pk}, **HTMX)

    portfolio.refresh_from_db()
    assert portfolio.name == "RECUPERACIÓN JULIO"


def test_it_refuses_the_name_of_another_portfolio(cast, as_member, portfolio):
    make_portfolio(cast.project, "Clientes VIP", agent=cast.adviser)

    response = as_member(cast.admin).post(
        _url(portfolio), {"name": "clientes vip", "team": cast.adviser.team.pk}, **HTMX)

    assert "Ya existe una cartera llamada «Clientes VIP»" in text(response)
    portfolio.refresh_from_db()
    assert portfolio.name == "Recuperación Julio"


def test_it_refuses_to_leave_it_without_owner(cast, as_member, portfolio):
    response = as_member(cast.admin).post(_url(portfolio), {"name": "Sin dueño"}, **HTMX)

    assert "Elija un equipo, un agente o ambos" in text(response)
    portfolio.refresh_from_db()
    assert portfolio.team_id and portfolio.name == "Recuperación Julio"


def test_it_keeps_an_agent_who_left_when_only_the_name_changes(cast, as_member, portfolio):
    cast.adviser.is_active = False
    cast.adviser.save(update_fields=["is_active"])

    as_member(cast.admin).post(_url(portfolio), {"name": "Recuperación Julio bis",
                                                 "team": cast.adviser.team.pk,
                                                 "agent": cast.adviser.pk}, **HTMX)

    portfolio.refresh_from_db()
    assert (portfolio.name, portfolio.agent) == ("Recuperación Julio bis", cast.adviser)


def test_it_answers_404_for_a_portfolio_out_of_a_restricted_supervisors_sight(cast, as_member,
                                                                              portfolio):
    coordinator = factories.make_member(cast.project, role="supervisor", username="coordinadora",
                                        restricted=True)

    assert as_member(coordinator).get(_url(portfolio)).status_code == 404


@pytest.mark.parametrize("who", ["adviser", "restricted"])
def test_it_is_closed_to_advisers(cast, as_member, portfolio, who):
    browser = as_member(getattr(cast, who))

    assert browser.get(_url(portfolio)).status_code == 403
    assert browser.post(_url(portfolio), {"name": "X", "team": cast.adviser.team.pk}) \
        .status_code == 403


def test_it_answers_404_to_another_projects_member(cast, as_member, portfolio):
    browser = as_member(cast.outsider)

    assert browser.get(_url(portfolio, project="otra")).status_code == 404
    assert browser.post(_url(portfolio, project="otra"), {"name": "X"}).status_code == 404
