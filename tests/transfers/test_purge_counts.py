"""The nightly purge says, per run, how many clients went and how many rows of each linked
table went with them, in the Log de procesos."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from clients.models import Client, ClientContact
from clients.tasks import purge_project_recycle_bin, purge_recycle_bins
from moonflow.jobs.models import JobKind, JobStatus, ProcessJob
from tests.conftest import login

from .helpers import make_held_client


def _binned(cast, days):
    client = make_held_client(cast.project, cast.adviser)
    ClientContact.objects.create(project=cast.project, client=client, kind="phone",
                                 value="3001234567")
    Client.objects.filter(pk=client.pk).update(deleted_at=timezone.now() - timedelta(days=days))
    return client


def _run_purge(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        assert purge_recycle_bins() == 1
    job = ProcessJob.objects.filter(kind=JobKind.RECYCLE_BIN_PURGE).latest("pk")
    purge_project_recycle_bin(job.pk)
    return ProcessJob.objects.get(pk=job.pk)


def test_each_purge_counts_the_clients_and_every_linked_table(
        cast, settings, django_capture_on_commit_callbacks):
    settings.RECYCLE_BIN_DAYS = 14
    _binned(cast, 15)
    _binned(cast, 20)
    _binned(cast, 13)  # not yet

    job = _run_purge(django_capture_on_commit_callbacks)

    assert (job.status, job.deleted) == (JobStatus.SUCCEEDED, 2)
    # Per held client: 2 orders, 1 claim, 2 interactions, 5 gestiones, 1 note, 1 contact and
    # 1 assignment row.
    assert job.message == (
        "Papelera vaciada: 2 clientes con más de 14 días en la papelera se eliminaron "
        "definitivamente, con 4 órdenes de pago, 2 reclamos, 4 interacciones, 10 gestiones "
        "(tareas, promesas y contactos), 2 notas, 2 contactos y referencias, 2 registros del "
        "historial de asesores y de la papelera, y 0 pertenencias a carteras.")
    linked = job.options["purged_linked"]
    assert {label: linked.get(label) for label in (
        "clients.PaymentOrder", "clients.Claim", "interactions.Interaction",
        "followups.FollowUp", "followups.ClientNote", "clients.ClientContact")} == {
        "clients.PaymentOrder": 4, "clients.Claim": 2, "interactions.Interaction": 4,
        "followups.FollowUp": 10, "followups.ClientNote": 2, "clients.ClientContact": 2}
    page = login(cast.admin).get(reverse("jobs:detail", kwargs={"project": cast.project.slug,
                                                                 "pk": job.pk}))
    assert "con 4 órdenes de pago, 2 reclamos, 4 interacciones, 10 gestiones" in (
        page.content.decode())


def test_a_second_run_counts_only_what_it_removed(
        cast, settings, django_capture_on_commit_callbacks):
    settings.RECYCLE_BIN_DAYS = 14
    _binned(cast, 15)
    _run_purge(django_capture_on_commit_callbacks)
    _binned(cast, 16)  # found by the next night's run

    job = _run_purge(django_capture_on_commit_callbacks)

    assert job.deleted == 1
    assert job.options["purged_linked"]["followups.FollowUp"] == 5
    assert "1 clientes con más de 14 días" in job.message
    assert "con 2 órdenes de pago, 1 reclamos, 2 interacciones, 5 gestiones" in job.message
