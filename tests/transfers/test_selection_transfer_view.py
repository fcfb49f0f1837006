"""Cambio de gestor for the rows ticked in the clients tray: who sees the checkboxes, the dialog
for exactly the ticked clients the member may see, and the job that moves them."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from clients.models import Client
from moonflow.jobs.models import JobKind, JobStatus, ProcessJob
from tests import factories
from transfers.jobs import transfer_task

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def bulk_url(project="demo"):
    return reverse("transfers:bulk", kwargs={"project": project})


def tray_url():
    return reverse("clients:list", kwargs={"project": "demo"})


@pytest.fixture
def pair(cast):
    """Two advisers of the supervisor's team who receive clients."""
    return [factories.make_member(cast.project, username=name, code=code, team=cast.adviser.team)
            for name, code in (("beto", "B-1"), ("carla", "C-2"))]


@pytest.fixture
def book(cast):
    """asesor1's clients: Ana (100), Bruno (200), Cecilia (300)."""
    return [factories.make_client(cast.project, adviser=cast.adviser, name=name,
                                  balance=Decimal(balance))
            for name, balance in (("Ana Pérez", 100), ("Bruno Díaz", 200),
                                  ("Cecilia Ruiz", 300))]


def open_selection(browser, ids, *, htmx=True):
    """The selection bar's Cambio de gestor: into the dialog, or as a page without JavaScript."""
    return browser.post(bulk_url(), {"select": "1", "clients": [str(i) for i in ids]},
                        **(HTMX if htmx else {}))


def post(browser, ids, advisers, method, *, action="preview", digest=""):
    data = {"clients": [str(i) for i in ids], "query": "",
            "advisers": [a.pk for a in advisers], "method": method, "note": "",
            "digest": digest, action: "1"}
    return browser.post(bulk_url(), data, **HTMX)


def digest_in(html):
    return re.search(r'name="digest" value="([0-9a-f]{64})"', html).group(1)


def hidden_clients(html):
    return sorted(int(pk) for pk in re.findall(r'name="clients" value="(\d+)"', html))


def test_it_shows_a_checkbox_naming_each_client_to_members_who_may_transfer(cast, as_member,
                                                                           book):
    for member in (cast.admin, cast.supervisor):
        html = as_member(member).get(tray_url()).content.decode()
        for client in book:
            assert (f'name="clients" value="{client.pk}" form="tray-selection" data-select-row '
                    f'aria-label="Seleccionar a {client.name}"') in html
        assert 'aria-label="Seleccionar todos los clientes de esta página"' in html
        assert 'id="tray-selection"' in html
        assert 'name="select" value="1"' in html
    for member in (cast.adviser, cast.restricted):
        html = as_member(member).get(tray_url()).content.decode()
        assert "data-select-row" not in html
        assert "Seleccionar todos" not in html
        assert 'id="tray-selection"' not in html


def test_a_client_in_the_recycle_bin_has_no_checkbox(cast, as_member, book):
    gone = factories.make_client(cast.project, adviser=cast.adviser, name="Dario Borrado")
    Client.objects.filter(pk=gone.pk).update(deleted_at="2026-01-01T00:00:00Z")
    html = as_member(cast.admin).get(tray_url() + "?estado=eliminado").content.decode()
    assert "Dario Borrado" in html
    assert f'value="{gone.pk}" form="tray-selection"' not in html


def test_advisers_get_403_and_another_project_404(cast, as_member, pair, book):
    ids = [book[0].pk]
    for member in (cast.adviser, cast.restricted):
        assert open_selection(as_member(member), ids).status_code == 403
        assert post(as_member(member), ids, [pair[0]], "single",
                    action="confirm").status_code == 403
    assert open_selection(as_member(cast.outsider), ids).status_code == 404
    assert open_selection(as_member(cast.outsider), ids, htmx=False).status_code == 404
    assert not ProcessJob.objects.exists()


def test_it_opens_the_dialog_for_the_ticked_clients(cast, as_member, pair, book):
    ids = [book[0].pk, book[2].pk]
    response = open_selection(as_member(cast.supervisor), ids)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Clientes seleccionados: 2" in html
    assert "Filtro actual de la bandeja" not in html
    assert hidden_clients(html) == sorted(ids)
    assert "Beto (B-1)" in html and "Carla (C-2)" in html
    assert 'name="confirm"' not in html


def test_it_works_without_javascript_as_a_page(cast, as_member, pair, book):
    response = open_selection(as_member(cast.admin), [book[1].pk], htmx=False)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert "Clientes seleccionados: 1" in html
    assert f'action="{bulk_url()}"' in html


def test_the_ticked_clients_pass_to_one_adviser_through_the_job(cast, as_member, pair, book):
    beto = pair[0]
    browser = as_member(cast.supervisor)
    ids = [book[0].pk, book[2].pk]
    html = post(browser, ids, [beto], "single").content.decode()
    assert "2 clientes, saldo 400,00" in html
    digest = digest_in(html)
    response = post(browser, ids, [beto], "single", action="confirm", digest=digest)
    job = ProcessJob.objects.get(kind=JobKind.TRANSFER)
    assert response.status_code == 204
    assert (job.options["to_adviser_id"], job.options["digest"]) == (beto.pk, digest)
    assert response.headers["HX-Redirect"] == reverse(
        "jobs:detail", kwargs={"project": "demo", "pk": job.pk})
    assert job.options["client_ids"] == sorted(ids)
    assert Client.objects.filter(adviser=beto).count() == 0  # nothing before the job runs
    transfer_task(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert dict(Client.objects.filter(pk__in=[c.pk for c in book])
                .values_list("name", "adviser_id")) == {
        "Ana Pérez": beto.pk, "Bruno Díaz": cast.adviser.pk, "Cecilia Ruiz": beto.pk}


def test_the_ticked_clients_are_split_with_the_same_preview(cast, as_member, pair, book):
    beto, carla = pair
    browser = as_member(cast.admin)
    ids = [c.pk for c in book]
    html = post(browser, ids, pair, "by_balance").content.decode()
    assert "3 clientes, saldo 600,00" in html
    assert 'data-testid="bulk-transfer-preview"' in html
    post(browser, ids, pair, "by_balance", action="confirm", digest=digest_in(html))
    job = ProcessJob.objects.get(kind=JobKind.TRANSFER)
    assert job.options["method"] == "by_balance"
    transfer_task(job.pk)
    assert dict(Client.objects.filter(pk__in=ids).values_list("name", "adviser_id")) == {
        "Cecilia Ruiz": beto.pk, "Bruno Díaz": carla.pk, "Ana Pérez": carla.pk}


def test_a_restricted_supervisor_cannot_transfer_a_client_outside_their_teams(cast, as_member,
                                                                            pair, book):
    cast.supervisor.restricted_to_assigned = True
    cast.supervisor.save(update_fields=["restricted_to_assigned"])
    outside = factories.make_member(cast.project, username="lejana", code="L-9")
    unseen = factories.make_client(cast.project, adviser=outside, name="Zoe Ajena")
    elsewhere = factories.make_client(cast.other_project, name="Otro Proyecto")
    browser = as_member(cast.supervisor)
    posted = [book[0].pk, unseen.pk, elsewhere.pk]

    html = open_selection(browser, posted).content.decode()
    assert "Clientes seleccionados: 1" in html
    assert "2 de los clientes marcados no están entre los que usted puede transferir" in html
    assert hidden_clients(html) == [book[0].pk]
    assert "Zoe Ajena" not in html

    # Posting the ids again by hand, past the dialog, changes nothing.
    html = post(browser, posted, [pair[0]], "single").content.decode()
    assert "1 cliente, saldo 100,00" in html
    post(browser, posted, [pair[0]], "single", action="confirm", digest=digest_in(html))
    job = ProcessJob.objects.get(kind=JobKind.TRANSFER)
    assert job.options["client_ids"] == [book[0].pk]
    transfer_task(job.pk)
    assert Client.objects.get(pk=book[0].pk).adviser_id == pair[0].pk
    assert Client.objects.get(pk=unseen.pk).adviser_id == outside.pk
    assert Client.objects.get(pk=elsewhere.pk).adviser_id is None


def test_it_says_so_when_nothing_that_may_be_transferred_is_ticked(cast, as_member, pair):
    browser = as_member(cast.admin)
    response = open_selection(browser, [])
    html = response.content.decode()
    assert "Marque en la bandeja los clientes que quiere transferir." in html
    assert 'name="preview"' not in html and 'name="advisers"' not in html
    stranger = factories.make_client(cast.other_project, name="Otro Proyecto")
    html = open_selection(browser, [stranger.pk]).content.decode()
    assert "Ninguno de los clientes marcados está entre los que usted puede transferir." in html
    assert 'name="preview"' not in html
    assert open_selection(browser, [], htmx=False).status_code == 400


def test_it_refuses_bad_or_too_many_ids(cast, as_member, pair, book):
    browser = as_member(cast.admin)
    html = open_selection(browser, ["x"]).content.decode()
    assert "La selección de clientes no es válida" in html
    assert 'name="preview"' not in html
    html = open_selection(browser, range(1, 102)).content.decode()
    assert "Puede transferir hasta 100 clientes marcados a la vez" in html
    html = post(browser, ["x"], [pair[0]], "single").content.decode()
    assert "La selección de clientes no es válida" in html
    assert 'data-testid="bulk-transfer-preview"' not in html
    html = post(browser, [book[0].pk], [pair[0]], "single", action="confirm").content.decode()
    assert "Revise la vista previa del reparto antes de confirmar." in html
    assert not ProcessJob.objects.exists()


def test_a_selection_gone_since_the_preview_is_not_confirmed(cast, as_member, pair, book):
    browser = as_member(cast.admin)
    ids = [book[0].pk]
    digest = digest_in(post(browser, ids, [pair[0]], "single").content.decode())
    Client.objects.filter(pk=book[0].pk).update(deleted_at="2026-01-01T00:00:00Z")
    html = post(browser, ids, [pair[0]], "single", action="confirm",
                digest=digest).content.decode()
    assert "Ninguno de los clientes marcados se puede transferir." in html
    assert "Clientes seleccionados: 0" in html
    assert not ProcessJob.objects.exists()
