"""Agregar desde la bandeja de clientes: the dialog (from the clients tray's Crear menu with its
current filter, or from Gestionar contactos with a saved view) and the job it queues."""

import pytest
from django.utils import timezone

from moonflow.audit.models import AuditEventKind
from moonflow.jobs.models import JobKind, JobStatus, ProcessJob
from moonflow.lists.models import SavedView
from portfolios.services import portfolio_create
from portfolios.tasks import add_contacts
from tests import factories

from .helpers import HTMX, events, members_of, put_in, text, url

pytestmark = pytest.mark.django_db

DIALOG = url("portfolios:add_from_tray")


@pytest.fixture
def portfolio(cast):
    return portfolio_create(member=cast.admin, name="Recuperación Julio", team=cast.adviser.team)


@pytest.fixture
def book(cast):
    pyme = factories.make_segment(cast.project, "Pyme")
    return {
        "segment": pyme,
        "pymes": [factories.make_client(cast.project, name=f"Pyme {n}", segment=pyme)
                  for n in range(3)],
        "gone": factories.make_client(cast.project, name="Pyme Borrada", segment=pyme,
                                      deleted_at=timezone.now()),
        "other": factories.make_client(cast.project, name="Otra Empresa SAS"),
    }


def test_it_opens_with_the_trays_filter_and_the_portfolios(cast, as_member, portfolio, book):
    query = f"segmento={book['segment'].pk}"

    body = text(as_member(cast.supervisor).get(DIALOG, {"query": query}, **HTMX))

    assert "Agregar clientes a una cartera" in body
    assert "Los clientes del filtro actual de la bandeja" in body
    assert f'<option value="{portfolio.pk}">Recuperación Julio</option>' in body
    assert f'value="{query}"' in body


def test_it_queues_one_job_with_the_filter(cast, as_member, portfolio, book):
    browser = as_member(cast.supervisor)

    response = browser.post(DIALOG, {"cartera": portfolio.pk, "clientes": "actual",
                                     "query": f"segmento={book['segment'].pk}&pagina=sig.x"},
                            **HTMX)

    job = ProcessJob.objects.get()
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == url("jobs:detail", pk=job.pk)
    assert (job.kind, job.status, job.requested_by) == (
        JobKind.PORTFOLIO_CONTACTS_ADD, JobStatus.QUEUED, cast.supervisor)
    assert job.options == {"portfolio": portfolio.pk, "source": "tray",
                           "params": {"segmento": [str(book["segment"].pk)]}}
    assert job.title == ("Carga de contactos a «Recuperación Julio» desde el filtro actual de la "
                         "bandeja de clientes")
    assert members_of(portfolio) == set()  # the job adds them


def test_the_job_adds_the_filters_clients_once_and_records_one_event(cast, as_member, portfolio,
                                                                     book):
    put_in(portfolio, book["pymes"][0])
    as_member(cast.supervisor).post(DIALOG, {"cartera": portfolio.pk, "clientes": "actual",
                                             "query": f"segmento={book['segment'].pk}"})
    job = ProcessJob.objects.get()

    add_contacts(job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert (job.read, job.created, job.unchanged, job.failed) == (3, 2, 1, 0)
    assert job.message == ("Contactos agregados a «Recuperación Julio»: 2 agregados, 1 ya estaban "
                           "en la cartera, 0 no agregados.")
    assert members_of(portfolio) == {"Pyme 0", "Pyme 1", "Pyme 2"}
    event = events(portfolio, AuditEventKind.CONTACT_ADDED).get()
    assert event.actor == cast.supervisor.user
    assert event.changes == {
        "contactos": [None, 2], "ya_en_cartera": [None, 1], "no_agregados": [None, 0],
        "origen": [None, f"Bandeja de clientes: segmento={book['segment'].pk}"],
        "proceso": [None, job.pk],
    }


def test_the_job_counts_but_never_adds_clients_in_the_papelera(cast, as_member, portfolio, book):
    query = f"segmento={book['segment'].pk}&estado=activo&estado=eliminado"
    as_member(cast.admin).post(DIALOG, {"cartera": portfolio.pk, "clientes": "actual",
                                        "query": query})
    job = ProcessJob.objects.get()

    add_contacts(job.pk)

    job.refresh_from_db()
    assert (job.read, job.created, job.unchanged, job.failed) == (4, 3, 0, 1)
    assert "Pyme Borrada" not in members_of(portfolio)


def test_the_job_reads_a_saved_view_of_the_clients_tray(cast, as_member, portfolio, book):
    view = SavedView.objects.create(project=cast.project, owner=cast.admin, tray="clients",
                                    name="Pymes", query=f"segmento={book['segment'].pk}")
    browser = as_member(cast.admin)
    dialog = text(browser.get(DIALOG, {"cartera": portfolio.pk}, **HTMX))

    browser.post(DIALOG, {"cartera": portfolio.pk, "clientes": view.pk})
    job = ProcessJob.objects.get()
    add_contacts(job.pk)

    assert f'<option value="{view.pk}">Pymes</option>' in dialog
    assert f'<option value="{portfolio.pk}" selected>' in dialog
    assert "desde la vista «Pymes»" in job.title
    assert members_of(portfolio) == {"Pyme 0", "Pyme 1", "Pyme 2"}


def test_the_job_reads_only_what_the_requester_sees(cast, as_member, book):
    coordinator = factories.make_member(cast.project, role="supervisor", username="coordinadora",
                                        restricted=True)
    south = factories.make_team(cast.project, "Equipo Sur", supervisor=coordinator)
    southern = factories.make_member(cast.project, username="surena", team=south)
    for client in book["pymes"][:2]:
        client.adviser = southern if client.name == "Pyme 0" else cast.adviser
        client.save(update_fields=["adviser"])
    portfolio = portfolio_create(member=coordinator, name="Sur", team=south)
    as_member(coordinator).post(DIALOG, {"cartera": portfolio.pk, "clientes": "todos"})
    job = ProcessJob.objects.get()

    add_contacts(job.pk)

    # Pyme 1 is held by an adviser of another team; Pyme 2 and Otra Empresa are unassigned.
    assert members_of(portfolio) == {"Pyme 0", "Pyme 2", "Otra Empresa SAS"}


def test_a_job_run_again_after_its_addition_committed_adds_nothing_twice(cast, as_member,
                                                                         portfolio, book):
    as_member(cast.admin).post(DIALOG, {"cartera": portfolio.pk, "clientes": "actual",
                                        "query": f"segmento={book['segment'].pk}"})
    job = ProcessJob.objects.get()
    # What a run killed after its addition's commit leaves: the clients in, the counts kept.
    put_in(portfolio, *book["pymes"])
    job.options = {**job.options, "counts": {"read": 3, "created": 3, "unchanged": 0,
                                             "failed": 0}}
    job.save(update_fields=["options"])

    add_contacts(job.pk)

    job.refresh_from_db()
    assert (job.status, job.read, job.created, job.unchanged) == (JobStatus.SUCCEEDED, 3, 3, 0)
    assert events(portfolio, AuditEventKind.CONTACT_ADDED).get().changes["contactos"] == [None, 3]


def test_it_asks_for_the_portfolio(cast, as_member, portfolio, book):
    response = as_member(cast.admin).post(DIALOG, {"clientes": "todos"}, **HTMX)

    assert "Elija la cartera." in text(response)
    assert not ProcessJob.objects.exists()


def test_it_refuses_another_projects_portfolio_and_saved_view(cast, as_member, book):
    foreign = factories.make_team(cast.other_project, "Ajeno")
    theirs = portfolio_create(member=cast.outsider, name="Ajena", team=foreign)

    their_view = SavedView.objects.create(project=cast.other_project, owner=cast.outsider,
                                          tray="clients", name="Suya", shared=True)
    browser = as_member(cast.admin)

    portfolio = text(browser.post(DIALOG, {"cartera": theirs.pk, "clientes": "todos"}, **HTMX))
    view = text(browser.post(DIALOG, {"cartera": "", "clientes": their_view.pk}, **HTMX))

    assert "Esa cartera no existe o no está a su cargo: elija una de la lista." in portfolio
    assert "Esa vista guardada no existe o no está compartida con usted" in view
    assert not ProcessJob.objects.exists()


@pytest.mark.parametrize("who", ["adviser", "restricted"])
def test_it_is_closed_to_advisers(cast, as_member, portfolio, who):
    browser = as_member(getattr(cast, who))

    assert browser.get(DIALOG).status_code == 403
    assert browser.post(DIALOG, {"cartera": portfolio.pk, "clientes": "todos"}).status_code == 403
    assert not ProcessJob.objects.exists()


def test_the_clients_tray_offers_it_to_managers_only(cast, as_member, book):
    managers = text(as_member(cast.supervisor).get(url("clients:list"),
                                                   {"segmento": book["segment"].pk}))
    adviser = text(as_member(cast.adviser).get(url("clients:list")))

    assert "Agregar a una cartera" in managers
    assert f"{DIALOG}?query=segmento%3D{book['segment'].pk}" in managers
    assert "Agregar a una cartera" not in adviser


def test_it_answers_404_to_another_projects_member_and_never_offers_project_a_portfolios(
        cast, as_member, portfolio):
    assert as_member(cast.outsider).get(DIALOG).status_code == 404
    body = text(as_member(cast.outsider).get(url("portfolios:add_from_tray", project="otra"),
                                             **HTMX))
    assert "Recuperación Julio" not in body
