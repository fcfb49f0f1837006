"""An import that waits for its user (the mapping, the preview, a settings table's preview) is
taken up again from the Log de procesos: "Continuar" leads to its page, and neither the log nor
the job's page keeps polling a job that only the user can move on."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from moonflow.jobs.models import JobStatus, ProcessJob
from tests.conftest import login
from tests.imports.test_client_import_flow import confirm_mapping, run, upload, url

FILE = ("Tipo de documento;Número de documento;Nombre\n"
        "CC;70000001;Ana Ríos\n")


@pytest.fixture
def admin(cast):
    return login(cast.admin)


def log_page(browser, cast) -> str:
    return browser.get(reverse("jobs:list", kwargs={"project": cast.project.slug})).content.decode()


def job_page(browser, cast, job) -> str:
    return browser.get(reverse("jobs:detail", kwargs={"project": cast.project.slug,
                                                      "pk": job.pk})).content.decode()


def continue_links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"[^>]*data-testid="job-continue"', html)


def polls(html: str) -> bool:
    return 'hx-trigger="every' in html


def test_an_import_waiting_for_its_mapping_is_continued_from_the_log(cast, admin):
    job = upload(admin, cast, FILE)
    assert (job.status, job.options["phase"]) == (JobStatus.AWAITING, "mapping")
    log = log_page(admin, cast)
    detail = url("integrations:detail", cast, pk=job.pk)
    assert continue_links(log) == [detail]
    assert not polls(log)
    # The import's page sends a job waiting for its mapping to the mapping.
    response = admin.get(detail)
    assert response.status_code == 302
    assert response["Location"] == url("integrations:mapping", cast, pk=job.pk)
    page = job_page(admin, cast, job)
    assert "Este proceso espera que usted revise y confirme la importación." in page
    assert f'href="{detail}"' in page and not polls(page)


def test_an_import_waiting_for_its_confirmation_opens_its_preview(cast, admin):
    job = confirm_mapping(admin, cast, upload(admin, cast, FILE))
    assert (job.status, job.options["phase"]) == (JobStatus.AWAITING, "preview")
    links = continue_links(log_page(admin, cast))
    assert links == [url("integrations:detail", cast, pk=job.pk)]
    preview = admin.get(links[0]).content.decode()
    assert "Confirmar importación" in preview


def test_a_spreadsheet_being_read_opens_the_page_that_waits_for_it(cast, admin):
    model = admin.get(url("integrations:model_file", cast, entity="clients")).content
    response = admin.post(url("integrations:upload", cast), {
        "entity": "clients", "mode": "update", "scope": "",
        "file": SimpleUploadedFile("cartera.xlsx", model)})
    job = ProcessJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-2]))
    assert (job.status, job.options["phase"]) == (JobStatus.QUEUED, "read")
    log = log_page(admin, cast)
    assert continue_links(log) == []  # nothing to do yet: the worker reads it
    assert polls(log)  # and the log shows when it is read
    reading = admin.get(url("integrations:detail", cast, pk=job.pk), follow=True)
    assert "Leyendo el archivo «cartera.xlsx»" in reading.content.decode()


def test_a_finished_import_has_nothing_to_continue(cast, admin):
    job = confirm_mapping(admin, cast, upload(admin, cast, FILE))
    admin.post(url("integrations:confirm", cast, pk=job.pk))
    job = run(job.pk)
    assert job.status == JobStatus.SUCCEEDED
    log = log_page(admin, cast)
    assert continue_links(log) == [] and not polls(log)
    assert "job-waiting" not in job_page(admin, cast, job)


def test_a_settings_table_import_is_continued_on_its_preview(cast, admin):
    response = admin.post(url("integrations:table_import", cast, table="segmentos"),
                          {"file": SimpleUploadedFile("tabla.csv", b"Segmento\nPyme\n")})
    assert response.status_code == 302
    job = ProcessJob.objects.latest("pk")
    assert job.status == JobStatus.AWAITING
    links = continue_links(log_page(admin, cast))
    assert links == [url("integrations:table_preview", cast, pk=job.pk)]
    assert "Pyme" in admin.get(links[0]).content.decode()
