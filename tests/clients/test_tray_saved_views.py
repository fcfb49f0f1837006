"""Clientes tray: saved views (filters + columns under a name), personal or shared."""

import pytest
from django.urls import reverse

from clients.choices import Situation
from moonflow.lists.models import SavedView
from tests import factories

from .test_tray_helpers import get_tray, row_names, text


@pytest.fixture
def urls(cast):
    slug = cast.project.slug
    return {
        "create": reverse("clients:saved_view_create", kwargs={"project": slug}),
        "columns": reverse("clients:tray_columns", kwargs={"project": slug}),
    }


@pytest.fixture
def book(cast):
    factories.make_client(cast.project, name="Morosa", situation=Situation.LATE_61_90, city="Lima")
    factories.make_client(cast.project, name="Al Día", situation=Situation.UP_TO_DATE)


def save(browser, urls, name, consulta, *, shared=False, vista=""):
    data = {"name": name, "consulta": consulta, "vista": vista}
    if shared:
        data["shared"] = "on"
    return browser.post(urls["create"], data, headers={"HX-Request": "true"})


def test_it_opens_the_dialog_with_the_current_query(cast, as_member, urls):
    response = as_member(cast.admin).get(
        urls["create"] + "?consulta=situacion%3D40", headers={"HX-Request": "true"}
    )
    html = text(response)
    assert "Guardar vista" in html
    assert '<label class="form-label" for="id_name">Nombre de la vista</label>' in html
    assert "Compartida con el proyecto" in html
    assert 'name="consulta" value="situacion=40"' in html


def test_it_saves_filters_order_and_columns_and_applies_them(cast, as_member, urls, book):
    browser = as_member(cast.admin)
    browser.post(urls["columns"], {"columnas": ["city", "situation"]})
    response = save(browser, urls, "Mora 61-90", "situacion=40&orden=-name&pagina=sig.xyz")
    view = SavedView.objects.get(name="Mora 61-90")
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/p/demo/clientes/?situacion=40&orden=-name&vista={view.pk}"
    assert (view.query, view.shared, view.owner_id) == ("situacion=40&orden=-name", False,
                                                         cast.admin.pk)
    assert view.columns == ["name", "situation", "city"]
    # The member changes their columns; applying the view shows the view's.
    browser.post(urls["columns"], {"columnas": ["email"]})
    applied = get_tray(browser, cast.project, f"situacion=40&orden=-name&vista={view.pk}")
    html = text(applied)
    assert row_names(applied) == ["Morosa"]
    assert "Vista: Mora 61-90" in html
    assert "<td>Lima</td>" in html and ">Correo electrónico<" not in html


def test_a_personal_view_is_only_its_owners(cast, as_member, urls, book):
    save(as_member(cast.admin), urls, "Solo mía", "situacion=40")
    assert "Solo mía" in text(get_tray(as_member(cast.admin), cast.project))
    other = as_member(cast.supervisor)
    assert "Solo mía" not in text(get_tray(other, cast.project))
    view = SavedView.objects.get(name="Solo mía")
    # Someone else's personal view does not apply its columns, nor can it be deleted.
    delete_url = reverse("clients:saved_view_delete", kwargs={"project": "demo", "pk": view.pk})
    assert other.post(delete_url).status_code == 404


def test_a_shared_view_is_everyones_but_only_its_owner_deletes_it(cast, as_member, urls, book):
    save(as_member(cast.admin), urls, "De todos", "situacion=40", shared=True)
    view = SavedView.objects.get(name="De todos")
    delete_url = reverse("clients:saved_view_delete", kwargs={"project": "demo", "pk": view.pk})
    other = as_member(cast.supervisor)
    html = text(get_tray(other, cast.project))
    assert "De todos" in html and "Compartida" in html
    assert delete_url not in html
    assert other.post(delete_url).status_code == 403
    # Its owner's name is not shown to others.
    assert cast.admin.display_name not in html.split('id="tray"', 1)[1]
    owner = as_member(cast.admin)
    assert delete_url in text(get_tray(owner, cast.project))
    response = owner.post(delete_url, {"next": f"/p/demo/clientes/?situacion=40&vista={view.pk}"},
                          headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/p/demo/clientes/?situacion=40"
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_it_asks_for_a_name(cast, as_member, urls):
    response = save(as_member(cast.admin), urls, "  ", "situacion=40")
    assert response.status_code == 200
    assert "Este campo es requerido." in text(response)
    assert not SavedView.objects.exists()


def test_other_projects_views_are_invisible(cast, as_member, urls):
    foreign = SavedView.objects.create(project=cast.other_project, owner=cast.outsider,
                                       tray="clients", name="Ajena", shared=True)
    html = text(get_tray(as_member(cast.admin), cast.project, f"vista={foreign.pk}"))
    assert "Ajena" not in html
    delete_url = reverse("clients:saved_view_delete", kwargs={"project": "demo", "pk": foreign.pk})
    assert as_member(cast.admin).post(delete_url).status_code == 404
