"""The Crear menus offer an upload only to those the upload lets in: admins and supervisors who
see the whole book (a supervisor with "Asignación de asesor" would be refused)."""

import pytest
from django.urls import reverse

from tests.conftest import login

PAGES = (("clients:list", "Crear cliente masivo"),
         ("interactions:list", "Crear comunicaciones masivas"))


@pytest.mark.parametrize("page, label", PAGES)
def test_the_upload_link_follows_who_may_import(cast, page, label):
    url = reverse(page, kwargs={"project": "demo"})
    upload = reverse("integrations:upload", kwargs={"project": "demo"})
    assert label in login(cast.admin).get(url).content.decode()
    cast.supervisor.restricted_to_assigned = False
    cast.supervisor.save(update_fields=["restricted_to_assigned"])
    assert label in login(cast.supervisor).get(url).content.decode()
    assert login(cast.supervisor).get(upload).status_code == 200

    cast.supervisor.restricted_to_assigned = True
    cast.supervisor.save(update_fields=["restricted_to_assigned"])
    assert label not in login(cast.supervisor).get(url).content.decode()
    assert login(cast.supervisor).get(upload).status_code == 403
    assert label not in login(cast.adviser).get(url).content.decode()
