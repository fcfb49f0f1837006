"""Clientes tray: every filter alone, combined, as removable chips, and custom variables."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clients.choices import (
    ClaimCategory,
    ClientStatus,
    ContactAlert,
    Contactability,
    PortfolioType,
    Situation,
)
from tests import factories

from .test_tray_helpers import get_tray, make_variable, row_names, text, total_label

BASELINE = "Base Cliente"


@pytest.fixture
def book(cast):
    """One client per filterable attribute, each differing from the baseline in that one."""
    p = cast.project
    segment = factories.make_segment(p, "Pyme")
    factories.make_segment(p, "Masivo")
    make = factories.make_client
    make(p, name=BASELINE)
    make(p, name="Inactivo Uno", status=ClientStatus.INACTIVE)
    make(p, name="Castigada Uno", portfolio_type=PortfolioType.WRITTEN_OFF)
    make(p, name="Supervisado Uno", supervisor=cast.supervisor)
    make(p, name="Asignado Uno", adviser=cast.adviser)
    make(p, name="Moroso Uno", situation=Situation.LATE_31_60)
    make(p, name="Alertado Uno", contact_alert=ContactAlert.DO_NOT_CONTACT)
    make(p, name="Incontactable Uno", contactability=Contactability.NOT_CONTACTABLE)
    make(p, name="Segmentado Uno", segment=segment)
    make(p, name="Reclamante Uno", claim_category=ClaimCategory.BILLING)
    make(p, name="Eliminado Uno", deleted_at=timezone.now() - timedelta(days=1))
    return {"segment": segment}


ALIVE = sorted([
    BASELINE, "Inactivo Uno", "Castigada Uno", "Supervisado Uno", "Asignado Uno", "Moroso Uno",
    "Alertado Uno", "Incontactable Uno", "Segmentado Uno", "Reclamante Uno",
])


def test_it_lists_every_client_but_the_recycle_bin_without_filters(cast, as_member, book):
    response = get_tray(as_member(cast.admin), cast.project)
    assert row_names(response) == ALIVE
    assert total_label(response) == "10 clientes"


@pytest.mark.parametrize(
    "param, value, expected",
    [
        ("estado", "inactivo", ["Inactivo Uno"]),
        ("estado", "eliminado", ["Eliminado Uno"]),
        ("tipo_cartera", "castigada", ["Castigada Uno"]),
        ("situacion", str(Situation.LATE_31_60.value), ["Moroso Uno"]),
        ("alerta", ContactAlert.DO_NOT_CONTACT.value, ["Alertado Uno"]),
        ("contactabilidad", Contactability.NOT_CONTACTABLE.value, ["Incontactable Uno"]),
        ("reclamo", ClaimCategory.BILLING.value, ["Reclamante Uno"]),
    ],
)
def test_it_filters_by_each_fixed_vocabulary(cast, as_member, book, param, value, expected):
    response = get_tray(as_member(cast.admin), cast.project, {param: value})
    assert row_names(response) == expected


def test_it_filters_by_active_status(cast, as_member, book):
    names = row_names(get_tray(as_member(cast.admin), cast.project, {"estado": "activo"}))
    assert names == [n for n in ALIVE if n != "Inactivo Uno"]


def test_it_filters_by_supervisor_adviser_and_segment(cast, as_member, book):
    browser = as_member(cast.admin)
    p = cast.project
    by_supervisor = get_tray(browser, p, {"supervisor": cast.supervisor.pk})
    assert row_names(by_supervisor) == ["Supervisado Uno"]
    assert row_names(get_tray(browser, p, {"asesor": cast.adviser.pk})) == ["Asignado Uno"]
    assert row_names(get_tray(browser, p, {"segmento": book["segment"].pk})) == ["Segmentado Uno"]


def test_it_filters_the_unassigned_and_the_unsegmented(cast, as_member, book):
    browser = as_member(cast.admin)
    assert row_names(get_tray(browser, cast.project, {"asesor": "ninguno"})) == [
        n for n in ALIVE if n != "Asignado Uno"
    ]
    assert row_names(get_tray(browser, cast.project, {"segmento": "ninguno"})) == [
        n for n in ALIVE if n != "Segmentado Uno"
    ]


def test_it_ors_values_of_one_filter_and_ands_filters(cast, as_member, book):
    p = cast.project
    segment = book["segment"]
    factories.make_client(p, name="Triple Uno", situation=Situation.LATE_31_60, segment=segment,
                          claim_category=ClaimCategory.BILLING)
    factories.make_client(p, name="Doble Uno", situation=Situation.LATE_31_60, segment=segment)
    browser = as_member(cast.admin)
    three = {"situacion": Situation.LATE_31_60.value, "segmento": segment.pk,
             "reclamo": ClaimCategory.BILLING.value}
    assert row_names(get_tray(browser, p, three)) == ["Triple Uno"]
    two = {"situacion": Situation.LATE_31_60.value, "segmento": segment.pk}
    assert row_names(get_tray(browser, p, two)) == ["Doble Uno", "Triple Uno"]
    either = {"situacion": [Situation.LATE_31_60.value], "estado": ["inactivo", "eliminado"]}
    assert row_names(get_tray(browser, p, either)) == []
    ored = {"reclamo": [ClaimCategory.BILLING.value], "estado": ["activo", "eliminado"]}
    assert row_names(get_tray(browser, p, ored)) == ["Reclamante Uno", "Triple Uno"]


def test_it_lists_the_recycle_bin_with_a_restore_button(cast, as_member, book):
    response = get_tray(as_member(cast.admin), cast.project, {"estado": "eliminado"})
    html = text(response)
    assert row_names(response) == ["Eliminado Uno"]
    assert "Eliminado</span>" in html  # the Estado column reads "Eliminado"
    from .test_tray_helpers import url_exists

    if url_exists("clients:restore", project="demo", pk=1):
        assert 'aria-label="Recuperar"' in html
        assert 'aria-label="Editar"' not in html


def test_it_shows_active_filters_as_chips_with_readable_labels(cast, as_member, book):
    query = {
        "situacion": Situation.LATE_31_60.value,
        "asesor": cast.adviser.pk,
        "estado": "inactivo",
        "tipo_cartera": "castigada",
        "segmento": book["segment"].pk,
        "reclamo": ClaimCategory.BILLING.value,
        "alerta": ContactAlert.DO_NOT_CONTACT.value,
        "contactabilidad": Contactability.NOT_CONTACTABLE.value,
        "supervisor": cast.supervisor.pk,
        "q": "uno",
    }
    html = text(get_tray(as_member(cast.admin), cast.project, query))
    for label in [
        "Situación: Mora 31-60 días",
        f"Asesor asignado: {cast.adviser.display_name} · {cast.adviser.code}",
        "Estado: Inactivo",
        "Tipo de cartera: Castigada",
        "Segmento: Pyme",
        "Reclamos: Errores de facturación",
        "Alertas de contacto: No contactar",
        "Contactabilidad: No contactable",
        f"Supervisor asignado: {cast.supervisor.display_name} · {cast.supervisor.code}",
        "Búsqueda: «uno»",
    ]:
        assert f"<span>{label}</span>" in html, label
    assert html.count('title="Quitar filtro"') == 10


def test_it_removes_one_chip_value_and_keeps_the_rest(cast, as_member, book):
    browser = as_member(cast.admin)
    query = "situacion=30&situacion=70&orden=-name&pagina=ultima"
    html = text(get_tray(browser, cast.project, query))
    # Removing "Mora 31-60 días" keeps "Finalizado" and the order, and goes back to page one.
    assert 'href="/p/demo/clientes/?situacion=70&amp;orden=-name"' in html
    assert 'href="/p/demo/clientes/?situacion=30&amp;orden=-name"' in html


def test_it_ignores_values_outside_the_offered_choices(cast, as_member, book):
    browser = as_member(cast.admin)
    other = factories.make_member(cast.other_project, username="ajeno")
    response = get_tray(browser, cast.project, {"asesor": other.pk, "situacion": "99"})
    assert row_names(response) == ALIVE
    assert "Quitar filtro" not in text(response)


def test_it_offers_every_filter_with_its_options(cast, as_member, book):
    html = text(get_tray(as_member(cast.admin), cast.project))
    for legend in ["Estado", "Tipo de cartera", "Supervisor asignado", "Asesor asignado",
                   "Situación", "Alertas de contacto", "Contactabilidad", "Segmento", "Reclamos"]:
        assert f'<legend class="form-label small fw-semibold mb-1">{legend}</legend>' in html
    for option in ["Activo", "Inactivo", "Eliminado", "Vigente", "Castigada", "Al día",
                   "Con reclamo", "Mora 1-30 días", "Mora 31-60 días", "Mora 61-90 días",
                   "Mora más de 90 días", "Finalizado", "Contactable", "No contactable",
                   "Problemas de contactabilidad", "Condiciones contractuales",
                   "Errores de facturación", "Problemas con el pago",
                   "Problemas con producto/servicio", "Sin reclamo / Reclamo cerrado",
                   "Pyme", "Masivo", "Sin asignar", cast.adviser.display_name]:
        assert f'">{option}' in html, option


@pytest.fixture
def variables(cast):
    p = cast.project
    make_variable(p, "nota", "Nota", "text", position=1)
    make_variable(p, "puntaje", "Puntaje", "number", position=2)
    make_variable(p, "corte", "Fecha de corte", "date", position=3)
    make_variable(p, "producto", "Producto", "choice", choices=["Crédito", "Tarjeta"], position=4)
    make = factories.make_client
    make(p, name="Var Alta", extra={"nota": "Acuerdo verbal", "puntaje": 900, "corte": "2024-12-31",
                                    "producto": "Tarjeta"})
    make(p, name="Var Media", extra={"nota": "sin acuerdo", "puntaje": 450.5, "corte": "2024-06-15",
                                     "producto": "Crédito"})
    make(p, name="Var Baja", extra={"puntaje": 10, "corte": "2023-01-01"})
    make(p, name="Var Vacía", extra={})


@pytest.mark.parametrize(
    "query, expected, chip",
    [
        ({"var_nota": "ACUERDO"}, ["Var Alta", "Var Media"], "Nota: «ACUERDO»"),
        ({"var_puntaje_min": "450,5"}, ["Var Alta", "Var Media"], "Puntaje desde 450,5"),
        ({"var_puntaje_max": "500"}, ["Var Baja", "Var Media"], "Puntaje hasta 500"),
        ({"var_corte_desde": "01/06/2024"}, ["Var Alta", "Var Media"],
         "Fecha de corte desde 01/06/2024"),
        ({"var_corte_desde": "01/01/2024", "var_corte_hasta": "30/06/2024"}, ["Var Media"],
         "Fecha de corte hasta 30/06/2024"),
        ({"var_producto": "Tarjeta"}, ["Var Alta"], "Producto: Tarjeta"),
        ({"var_producto": ["Tarjeta", "Crédito"]}, ["Var Alta", "Var Media"], "Producto: Crédito"),
    ],
)
def test_it_filters_by_custom_variables_by_type(cast, as_member, variables, query, expected, chip):
    response = get_tray(as_member(cast.admin), cast.project, query)
    assert row_names(response) == expected
    assert f"<span>{chip}</span>" in text(response)


def test_it_offers_controls_for_custom_variables(cast, as_member, variables):
    html = text(get_tray(as_member(cast.admin), cast.project))
    assert '<label class="form-label small fw-semibold mb-1" for="f-var_nota">Nota' in html
    assert 'name="var_puntaje_min"' in html and 'name="var_puntaje_max"' in html
    assert 'name="var_corte_desde"' in html and 'placeholder="dd/mm/aaaa"' in html
    assert 'name="var_producto" value="Crédito"' in html


def test_it_ignores_a_malformed_date_or_number(cast, as_member, variables):
    response = get_tray(
        as_member(cast.admin), cast.project,
        {"var_corte_desde": "31/02/2024", "var_puntaje_min": "x"},
    )
    assert row_names(response) == ["Var Alta", "Var Baja", "Var Media", "Var Vacía"]
