"""The nightly purge of the Papelera: clients past RECYCLE_BIN_DAYS go for good, with a job
in the Log de procesos that says how many."""

from datetime import timedelta

from django.utils import timezone

from clients.models import Client, PaymentOrder
from clients.tasks import purge_project_recycle_bin, purge_recycle_bins
from moonflow.jobs.models import JobKind, JobStatus, ProcessJob
from tests import factories


def test_the_nightly_purge_deletes_only_clients_past_their_days_and_says_how_many(
        cast, settings, django_capture_on_commit_callbacks):
    settings.RECYCLE_BIN_DAYS = 14
    now = timezone.now()
    old = factories.make_client(cast.project, name="Viejo", deleted_at=now - timedelta(days=15))
    factories.make_payment_order(old)
    recent = factories.make_client(cast.project, name="Reciente",
                                   deleted_at=now - timedelta(days=13))
    alive = factories.make_client(cast.project, name="Vivo")
    factories.make_client(cast.other_project, name="Ajeno viejo",
                          deleted_at=now - timedelta(days=30))

    with django_capture_on_commit_callbacks(execute=False):
        assert purge_recycle_bins() == 2  # one job per project with something to purge
    job = ProcessJob.objects.get(project=cast.project, kind=JobKind.RECYCLE_BIN_PURGE)
    purge_project_recycle_bin(job.pk)
    job.refresh_from_db()

    assert job.status == JobStatus.SUCCEEDED
    assert job.deleted == 1
    assert job.message == (
        "Papelera vaciada: 1 clientes con más de 14 días en la papelera se eliminaron "
        "definitivamente, con 1 órdenes de pago, 0 reclamos, 0 interacciones, 0 gestiones "
        "(tareas, promesas y contactos), 0 notas, 0 contactos y referencias, 0 registros del "
        "historial de asesores y de la papelera, y 0 pertenencias a carteras.")
    assert set(Client.objects.filter(project=cast.project).values_list("pk", flat=True)) == {
        recent.pk, alive.pk}
    assert not PaymentOrder.objects.filter(client_id=old.pk).exists()
    assert Client.objects.filter(project=cast.other_project).count() == 1  # its own job


def test_nothing_to_purge_starts_no_job(cast):
    factories.make_client(cast.project, deleted_at=timezone.now() - timedelta(days=2))
    assert purge_recycle_bins() == 0
    assert not ProcessJob.objects.exists()
