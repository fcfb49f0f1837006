"""A job's message reads in the reader's language: stored in every language of the site
when the job ends, shown in the Log de procesos, the notifications and the email."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy, ngettext_lazy

from advisers.tasks import export_members
from clients.tasks import recompute_project_situations
from moonflow.jobs.models import JobKind, JobStatus, Notification, ProcessJob
from moonflow.jobs.runner import JobRun, claim_job, job_message
from moonflow.jobs.services import job_create
from tests import factories

from .helpers import make_job

pytestmark = pytest.mark.django_db

SPANISH = "4 usuarios descargados."
ENGLISH = "4 users downloaded."


@pytest.fixture(autouse=True)
def spanish_around_each_test():
    """An English request leaves English active in the thread: later tests must not read it."""
    with translation.override("es"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def run_export(member) -> ProcessJob:
    job = job_create(member=member, kind=JobKind.MEMBER_EXPORT, task=export_members)
    export_members(job.pk)
    job.refresh_from_db()
    return job


def read(browser, url, language=None, settings=None) -> str:
    if language:
        browser.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return browser.get(url).content.decode()


def test_a_message_is_rendered_again_in_each_language():
    message = job_message(
        ngettext_lazy(
            "Descarga lista: %(rows)s cliente en %(format)s.",
            "Descarga lista: %(rows)s clientes en %(format)s.",
            1234,
        ),
        rows=1234,
        format="CSV",
    )

    with translation.override("es"):
        assert str(message) == "Descarga lista: 1.234 clientes en CSV."
    with translation.override("en"):
        assert str(message) == "Download ready: 1,234 clients in CSV."


def test_ids_given_as_text_are_never_grouped():
    message = job_message(
        gettext_lazy("Error inesperado en el proceso #%(id)s. Vuelve a intentarlo; si se "
                     "repite, contacta a soporte indicando este número."),
        id="12345",
    )

    with translation.override("es"):
        assert "#12345." in str(message)


def test_the_job_stores_its_message_in_every_language(cast):
    job = run_export(cast.admin)

    assert job.status == JobStatus.SUCCEEDED
    assert job.message == SPANISH  # the project's language
    assert job.message_translations == {"es": SPANISH, "en": ENGLISH}


def test_a_failure_is_stored_in_every_language_too(cast):
    job = run_export(cast.adviser)  # only admins download the users

    assert job.status == JobStatus.FAILED
    assert job.message_translations == {
        "es": "Solo un administrador del proyecto puede descargar los usuarios.",
        "en": "Only a project administrator can download the users.",
    }


def test_the_nightly_recomputation_counts_in_each_language(cast):
    for _ in range(2):
        factories.make_client(cast.project)
    job = job_create(project=cast.project, kind=JobKind.SITUATION_RECOMPUTE,
                     task=recompute_project_situations)
    recompute_project_situations(job.pk)
    job.refresh_from_db()

    assert job.message_translations["es"].startswith("Situaciones recalculadas al ")
    assert job.message_translations["en"].startswith("Situations recalculated as of ")


def test_the_log_shows_the_message_in_the_readers_language(cast, as_member, settings):
    job = run_export(cast.admin)
    pages = [
        reverse("jobs:list", kwargs={"project": "demo"}),
        reverse("jobs:detail", kwargs={"project": "demo", "pk": job.pk}),
        reverse("jobs:notifications", kwargs={"project": "demo"}),
    ]
    for url in pages:
        spanish = read(as_member(cast.admin), url)
        english = read(as_member(cast.admin), url, "en", settings)

        assert SPANISH in spanish and ENGLISH not in spanish, url
        assert ENGLISH in english and SPANISH not in english, url


def test_the_notification_reads_in_the_readers_language(cast, as_member, settings):
    run_export(cast.admin)
    note = Notification.objects.get(member=cast.admin)
    url = reverse("jobs:notifications", kwargs={"project": "demo"})

    assert note.message == "Descarga de usuarios: Finalizado"
    assert "Descarga de usuarios: Finalizado" in read(as_member(cast.admin), url)
    assert "Users download: Finished" in read(as_member(cast.admin), url, "en", settings)


def test_a_message_stored_before_translations_is_shown_as_it_was(cast, as_member, settings):
    job = make_job(cast.project, cast.admin, status=JobStatus.SUCCEEDED,
                   message="Descarga lista: 3 clientes en XLSX.")
    url = reverse("jobs:detail", kwargs={"project": "demo", "pk": job.pk})

    assert "Descarga lista: 3 clientes en XLSX." in read(as_member(cast.admin), url, "en", settings)


def test_a_new_run_clears_the_translations_of_the_one_it_replaces(cast):
    job = make_job(cast.project, cast.admin, message="viejo",
                   message_translations={"es": "viejo", "en": "old"})

    claimed = claim_job(job.pk)

    assert (claimed.message, claimed.message_translations) == ("", {})


def test_the_email_is_written_in_the_projects_language(
    cast, django_capture_on_commit_callbacks
):
    cast.project.language = "en"
    cast.project.save(update_fields=["language"])
    cast.admin.user.email = "admin@example.com"
    cast.admin.user.save(update_fields=["email"])
    job = make_job(cast.project, cast.admin, kind=JobKind.MEMBER_EXPORT)
    run = JobRun(claim_job(job.pk))

    with translation.override("es"), django_capture_on_commit_callbacks(execute=True):
        run.succeed(job_message(
            ngettext_lazy("%(count)s usuario descargado.", "%(count)s usuarios descargados.", 4),
            count=4,
        ))

    [email] = mail.outbox
    assert ENGLISH in email.body
    assert SPANISH not in email.body
