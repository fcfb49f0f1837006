"""The notifications page and the header bell."""

import pytest
from django.urls import reverse

from moonflow.jobs.models import JobStatus, Notification

from .helpers import make_job

pytestmark = pytest.mark.django_db


def url(project="demo"):
    return reverse("jobs:notifications", kwargs={"project": project})


def notify(member, job, message):
    return Notification.objects.create(project=member.project, member=member, job=job,
                                       message=message)


def test_it_lists_my_notifications_with_the_unread_count_in_the_bell(cast, as_member):
    job = make_job(cast.project, cast.admin, status=JobStatus.SUCCEEDED)
    notify(cast.admin, job, "Descarga de usuarios: Finalizado")
    notify(cast.admin, job, "Importación de clientes: Fallido")
    notify(cast.supervisor, job, "Mensaje para otra persona")

    page = as_member(cast.admin).get(url()).content.decode()

    assert "Descarga de usuarios: Finalizado" in page
    assert "Importación de clientes: Fallido" in page
    assert "Mensaje para otra persona" not in page
    assert 'aria-label="Notificaciones: 2 sin leer"' in page
    assert '<span class="badge rounded-pill text-bg-danger">2</span>' in page
    assert reverse("jobs:detail", kwargs={"project": "demo", "pk": job.pk}) in page
    assert "Marcar todas como leídas" in page


def test_it_says_when_there_is_nothing(cast, as_member):
    page = as_member(cast.adviser).get(url()).content.decode()

    assert "No tienes notificaciones." in page
    assert "text-bg-danger" not in page


def test_it_answers_404_to_outsiders(cast, as_member):
    assert as_member(cast.outsider).get(url()).status_code == 404


def test_it_sends_anonymous_visitors_to_the_login(cast, client):
    response = client.get(url())
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
