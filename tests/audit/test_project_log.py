"""Ajustes → Auditoría (GET /p/<project>/ajustes/auditoria/): every event of the project, for
its admins, with Buscar, Evento, Fecha and Tipo de recurso."""

import pytest
from django.urls import reverse

from moonflow.audit.models import AuditEventKind
from moonflow.tenancy.models import Role
from tests import factories

from .helpers import record

pytestmark = pytest.mark.django_db

URL = "/p/demo/ajustes/auditoria/"


@pytest.fixture
def events(cast):
    return [
        record(cast.project, cast.admin, event=AuditEventKind.UPDATED, resource_type="member",
               resource_id=cast.adviser.pk, label="Asesor1",
               changes={"role": ["adviser", "supervisor"],
                        "restricted_to_assigned": [False, True]}),
        record(cast.project, cast.admin, event=AuditEventKind.EXPORTED,
               resource_type="client_export", resource_id=7, label="clientes_demo.xlsx",
               changes={"filters": {"orden": "name"}, "columns": ["name", "situation"],
                        "format": "xlsx", "rows": 3}),
        record(cast.project, cast.supervisor, event=AuditEventKind.CREATED,
               resource_type="portfolio", label="Clientes VIP",
               changes={"name": [None, "Clientes VIP"]}),
        record(cast.other_project, cast.outsider, resource_type="member", label="Ajeno"),
    ]


def rows(response):
    return [(row.event, row.resource_type, row.resource) for row in response.context["tray"].rows]


def test_it_is_the_url_of_the_ajustes_entry():
    assert reverse("audit:project", kwargs={"project": "demo"}) == URL


def test_it_lists_every_event_of_the_project_newest_first(cast, as_member, events):
    response = as_member(cast.admin).get(URL)

    assert response.status_code == 200
    assert rows(response)[:3] == [
        ("Creado", "Cartera", "Clientes VIP"),
        ("Exportado", "Descarga de clientes", "clientes_demo.xlsx"),
        ("Actualizado", "Usuario", "Asesor1"),
    ]
    assert ("Actualizado", "Usuario", "Ajeno") not in rows(response)
    text = response.content.decode()
    assert "<h1 class=\"h4 mb-1\">Auditoría</h1>" in text
    assert 'aria-current="page">Auditoría</a>' in text  # the Ajustes tab


def test_it_says_each_change_in_words(cast, as_member, events):
    response = as_member(cast.admin).get(URL, {"tipo": "member"})
    member_event = response.context["tray"].rows[0]
    assert [(c.field, c.before, c.after) for c in member_event.changes] == [
        ("Rol", "Asesor", "Supervisor"), ("Asignación de asesor", "No", "Sí")]

    export = as_member(cast.admin).get(URL, {"tipo": "client_export"}).context["tray"].rows[0]
    assert [(c.field, c.before, c.after) for c in export.changes] == [
        ("Filas", None, "3"), ("Formato", None, "xlsx"), ("Columnas", None, "name, situation"),
        ("Filtros", None, "orden: name")]


def test_it_shortens_a_long_value_and_keeps_the_whole_of_it(cast, as_member):
    long_name = "Cartera de recuperación " + "muy larga " * 12
    record(cast.project, cast.admin, label="Larga", changes={"name": ["Corta", long_name]})
    response = as_member(cast.admin).get(URL, {"tipo": "portfolio"})

    change = response.context["tray"].rows[0].changes[0]
    assert change.long and change.after_short.endswith("…") and len(change.after_short) <= 81
    text = response.content.decode()
    assert f"<summary>Corta <span aria-hidden=\"true\">→</span>" in text
    assert long_name.strip() in text  # the whole value, inside <details>


def test_it_filters_by_resource_type_and_event(cast, as_member, events):
    browser = as_member(cast.admin)

    response = browser.get(URL, {"tipo": "client_export"})
    assert rows(response) == [("Exportado", "Descarga de clientes", "clientes_demo.xlsx")]
    assert [c.label for c in response.context["tray"].chips] == [
        "Tipo de recurso: Descarga de clientes"]

    response = browser.get(URL, {"evento": "created", "tipo": "portfolio"})
    assert rows(response) == [("Creado", "Cartera", "Clientes VIP")]
    assert [c.label for c in response.context["tray"].chips] == [
        "Evento: Creado", "Tipo de recurso: Cartera"]

    tipo = next(c for c in response.context["tray"].controls if c.name == "tipo")
    labels = [o.label for o in tipo.options]
    assert {"Usuario", "Equipo", "Cliente", "Orden de pago", "Cartera", "Proyecto",
            "Descarga de clientes", "Descarga de auditoría"} <= set(labels)
    assert labels == sorted(labels, key=str.casefold)


def test_it_searches_every_module(cast, as_member, events):
    browser = as_member(cast.admin)
    assert rows(browser.get(URL, {"q": "clientes"})) == [
        ("Creado", "Cartera", "Clientes VIP"),
        ("Exportado", "Descarga de clientes", "clientes_demo.xlsx")]
    # The supervisor acted on a portfolio, and was created (the resource) by an admin.
    assert rows(browser.get(URL, {"q": "supervisor"})) == [
        ("Creado", "Cartera", "Clientes VIP"), ("Creado", "Usuario", "Supervisor")]
    assert rows(browser.get(URL, {"q": "ajeno"})) == []


def test_htmx_gets_the_tray_alone(cast, as_member, events):
    response = as_member(cast.admin).get(URL, {"evento": "exported"}, HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert text.lstrip().startswith('<div id="tray"')
    assert "<html" not in text
    assert rows(response) == [("Exportado", "Descarga de clientes", "clientes_demo.xlsx")]


@pytest.mark.parametrize("who, status", [
    ("admin", 200), ("supervisor", 403), ("adviser", 403), ("restricted", 403), ("outsider", 404),
])
def test_it_is_for_the_projects_admins(cast, as_member, events, who, status):
    assert as_member(getattr(cast, who)).get(URL).status_code == status


def test_the_ajustes_menu_shows_it_to_admins_only(cast, as_member):
    link = f'<a class="dropdown-item" href="{URL}">Auditoría</a>'
    assert link in as_member(cast.admin).get("/p/demo/procesos/").content.decode()
    assert link not in as_member(cast.supervisor).get("/p/demo/procesos/").content.decode()


@pytest.mark.parametrize("name", ["columns", "view_create", "download"])
def test_its_dialogs_are_for_admins_too(cast, as_member, name):
    dialog = reverse(f"audit:{name}", kwargs={"project": "demo"})
    assert as_member(cast.admin).get(dialog).status_code == 200
    assert as_member(cast.supervisor).get(dialog).status_code == 403
    assert as_member(cast.supervisor).post(dialog, {"formato": "csv"}).status_code == 403


def test_it_pages_from_the_newest_to_the_oldest(cast, as_member):
    for n in range(60):
        record(cast.project, cast.admin, label=f"Cartera {n:02d}")
    browser = as_member(cast.admin)
    response = browser.get(URL, {"tipo": "portfolio", "por_pagina": "25"})
    tray = response.context["tray"]
    assert [r.resource for r in tray.rows][:1] == ["Cartera 59"]
    assert tray.total.label == "60 eventos"
    last = browser.get(f"{URL}?{tray.last_query}").context["tray"]
    assert [r.resource for r in last.rows][-2:] == ["Cartera 01", "Cartera 00"]
    assert len(last.rows) == 25 and last.previous_query


def test_a_restricted_supervisor_is_kept_out_too(cast, as_member):
    restricted = factories.make_member(cast.project, role=Role.SUPERVISOR, restricted=True)
    assert as_member(restricted).get(URL).status_code == 403


def test_the_page_ignores_a_module_in_its_address(cast, as_member, events):
    """Only a download's job reads `modulo`: the page lists the whole project."""
    response = as_member(cast.admin).get(URL, {"modulo": "inventario"})
    assert response.status_code == 200
    assert len(rows(response)) > 3
