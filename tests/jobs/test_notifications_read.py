"""Marcar todas como leídas."""

import pytest
from django.urls import reverse

from moonflow.jobs.models import Notification

pytestmark = pytest.mark.django_db


def url(project="demo"):
    return reverse("jobs:notifications_read", kwargs={"project": project})


def test_it_marks_my_notifications_read_and_clears_the_bell(cast, as_member):
    mine = Notification.objects.create(project=cast.project, member=cast.admin, message="Listo")
    theirs = Notification.objects.create(project=cast.project, member=cast.adviser, message="Listo")
    browser = as_member(cast.admin)

    response = browser.post(url(), follow=True)

    page = response.content.decode()
    assert "Notificaciones marcadas como leídas." in page
    assert "text-bg-danger" not in page
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None
    assert theirs.read_at is None


def test_it_only_accepts_post(cast, as_member):
    assert as_member(cast.admin).get(url()).status_code == 405


def test_it_answers_404_to_outsiders(cast, as_member):
    note = Notification.objects.create(project=cast.project, member=cast.admin, message="Listo")

    assert as_member(cast.outsider).post(url()).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_it_sends_anonymous_visitors_to_the_login(cast, client):
    response = client.post(url())
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
