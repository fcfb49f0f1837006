"""Ajustes → Proyecto: the night window, admins only, audited, never empty."""

from datetime import time

from django.urls import reverse

from moonflow.audit.models import AuditEvent
from moonflow.tenancy.models import Project
from tests.conftest import login

URL = reverse("project_settings", kwargs={"project": "demo"})


def test_an_admin_moves_the_night_window_and_it_is_audited(cast):
    browser = login(cast.admin)
    page = browser.get(URL).content.decode()
    assert "Ventana nocturna" in page and 'value="02:00"' in page and 'value="05:00"' in page
    response = browser.post(URL, {"night_window_start": "23:30", "night_window_end": "04:00"},
                            follow=True)
    assert "Ajustes del proyecto guardados." in response.content.decode()
    project = Project.objects.get(pk=cast.project.pk)
    assert (project.night_window_start, project.night_window_end) == (time(23, 30), time(4))
    event = AuditEvent.objects.get(project=cast.project, resource_type="project")
    assert event.changes["night_window_start"] == ["02:00:00", "23:30:00"]

    again = browser.post(URL, {"night_window_start": "23:30", "night_window_end": "04:00"},
                         follow=True)
    assert "No había cambios que guardar." in again.content.decode()
    assert AuditEvent.objects.filter(resource_type="project").count() == 1


def test_a_window_that_starts_when_it_ends_or_a_bad_hour_is_refused(cast):
    browser = login(cast.admin)
    same = browser.post(URL, {"night_window_start": "03:00", "night_window_end": "03:00"})
    assert same.status_code == 200
    assert "el inicio y el fin no pueden ser la misma hora" in same.content.decode()
    bad = browser.post(URL, {"night_window_start": "25:00", "night_window_end": "04:00"})
    assert bad.status_code == 200 and "is-invalid" in bad.content.decode()
    project = Project.objects.get(pk=cast.project.pk)
    assert (project.night_window_start, project.night_window_end) == (time(2), time(5))


def test_only_admins_reach_it_and_only_they_see_its_tab(cast):
    assert 'aria-current="page">Proyecto<' in login(cast.admin).get(URL).content.decode()
    teams = login(cast.supervisor).get(reverse("advisers:list", kwargs={"project": "demo"}))
    assert URL not in teams.content.decode()
    for member in (cast.supervisor, cast.adviser, cast.restricted):
        assert login(member).get(URL).status_code == 403
        assert login(member).post(URL, {"night_window_start": "01:00",
                                        "night_window_end": "02:00"}).status_code == 403
