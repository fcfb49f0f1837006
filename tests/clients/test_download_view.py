"""Descargar (clients:download): the format dialog and the job it queues."""

import html

import pytest
from django.urls import reverse

from moonflow.lists.models import SavedView, TrayPreference
from moonflow.jobs.models import JobKind, JobStatus, ProcessJob
from tests import factories

MESSAGE = "Descarga programada. Recibirás un correo y la encontrarás en el Log de procesos."


@pytest.fixture
def url(cast):
    return reverse("clients:download", kwargs={"project": cast.project.slug})


def page(response) -> str:
    return html.unescape(response.content.decode())


def test_it_asks_for_the_format_keeping_the_trays_query(cast, as_member, url):
    response = as_member(cast.admin).get(f"{url}?estado=inactivo&q=Ana&pagina=sig.abc")
    assert response.status_code == 200
    text = page(response)
    assert "Descargar clientes" in text
    assert '<legend class="form-label fs-6">Formato</legend>' in text
    assert 'value="xlsx" checked' in text
    assert '<label class="form-check-label" for="id_formato_0">Excel (XLSX)</label>' in text
    assert '<label class="form-check-label" for="id_formato_1">CSV (separado por punto y coma)</label>' in text
    # The page cursor is not part of what is downloaded.
    assert 'name="query" value="estado=inactivo&q=Ana"' in text
    assert "Nombre · Documento · Correo electrónico" in text
    assert 'action="/p/demo/clientes/descargar/"' in text
    # A full page in the clients section, whose "Cancelar" goes back to the same tray.
    assert 'href="/p/demo/clientes/" aria-current="page">Clientes</a>' in text
    assert '<a class="btn btn-outline-secondary" href="/p/demo/clientes/?estado=inactivo&q=Ana">Cancelar</a>' in text


def test_it_renders_the_dialog_inside_the_modal_for_htmx(cast, as_member, url):
    response = as_member(cast.admin).get(url, headers={"HX-Request": "true"})
    text = page(response)
    assert response.status_code == 200
    assert text.startswith('<div class="modal-header">')
    assert 'hx-post="/p/demo/clientes/descargar/"' in text
    assert "<html" not in text


def test_it_shows_the_dialog_when_the_tray_posts_without_a_format(cast, as_member, url):
    response = as_member(cast.admin).post(f"{url}?estado=activo", {"query": "estado=activo&orden=-balance"})
    assert response.status_code == 200
    assert 'name="query" value="estado=activo&orden=-balance"' in page(response)
    assert not ProcessJob.objects.exists()


def test_it_queues_the_download_and_sends_the_member_to_the_job(cast, as_member, url):
    TrayPreference.objects.create(project=cast.project, member=cast.supervisor, tray="clients",
                                  columns=["name", "situation", "balance"])
    browser = as_member(cast.supervisor)
    response = browser.post(
        url, {"formato": "csv", "query": "estado=inactivo&q=Ana&pagina=sig.abc&orden=-balance"}
    )

    job = ProcessJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("jobs:detail", kwargs={"project": "demo", "pk": job.pk})
    assert job.kind == JobKind.CLIENT_EXPORT
    assert job.status == JobStatus.QUEUED
    assert job.requested_by == cast.supervisor
    assert job.title == "Descarga de clientes (CSV)"
    assert job.options == {
        "params": {"estado": ["inactivo"], "q": ["Ana"], "orden": ["-balance"]},
        "columns": ["name", "situation", "balance"],
        "format": "csv",
    }
    detail = page(browser.get(response.url))
    assert MESSAGE in detail
    assert "Descarga de clientes" in detail and "En cola" in detail


def test_it_downloads_the_columns_of_the_saved_view_on_screen(cast, as_member, url):
    view = SavedView.objects.create(project=cast.project, owner=cast.admin, tray="clients",
                                    name="Morosos", query="situacion=50",
                                    columns=["name", "balance", "city"])
    as_member(cast.admin).post(url, {"formato": "xlsx", "query": "situacion=50",
                                     "vista": str(view.pk)})
    job = ProcessJob.objects.get()
    assert job.options["columns"] == ["name", "balance", "city"]
    assert job.options["params"] == {"situacion": ["50"]}
    assert job.options["format"] == "xlsx"


def test_it_answers_htmx_with_a_redirect_header(cast, as_member, url):
    response = as_member(cast.adviser).post(url, {"formato": "xlsx", "query": ""},
                                            headers={"HX-Request": "true"})
    job = ProcessJob.objects.get()
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/p/demo/procesos/{job.pk}/"
    assert job.options["params"] == {}


def test_it_rejects_an_unknown_format(cast, as_member, url):
    response = as_member(cast.admin).post(url, {"formato": "pdf", "query": "q=Ana"})
    assert response.status_code == 400
    text = page(response)
    assert "Escoja una opción válida" in text
    assert 'name="query" value="q=Ana"' in text
    assert not ProcessJob.objects.exists()


def test_it_lets_a_restricted_adviser_download(cast, as_member, url):
    response = as_member(cast.restricted).post(url, {"formato": "csv", "query": ""})
    assert response.status_code == 302
    assert ProcessJob.objects.get().requested_by == cast.restricted


def test_it_checks_membership(cast, as_member, url):
    factories.make_client(cast.project, name="Ana")
    browser = as_member(cast.outsider)
    assert browser.get(url).status_code == 404
    assert browser.post(url, {"formato": "csv", "query": ""}).status_code == 404
    assert not ProcessJob.objects.exists()


def test_it_requires_login(cast, client, url):
    response = client.post(url, {"formato": "csv"})
    assert response.status_code == 302
    assert "login" in response.url or "ingresar" in response.url
    assert not ProcessJob.objects.exists()


def test_it_allows_only_get_and_post(cast, as_member, url):
    assert as_member(cast.admin).put(url).status_code == 405
