"""The field rules shared by Crear cliente, Editar and every import."""

from datetime import date
from decimal import Decimal

import pytest

from clients import validation as v
from clients.choices import ClaimCategory, VariableType
from clients.models import CustomVariable
from moonflow.tenancy.models import Role
from tests import factories


def fails(fn, *args, **kwargs) -> v.FieldError:
    with pytest.raises(v.FieldError) as caught:
        fn(*args, **kwargs)
    return caught.value


@pytest.mark.parametrize(
    "raw, clean",
    [("CC", "CC"), (" cc ", "CC"), ("Cédula de ciudadanía", "CC"), ("pasaporte", "PAS"),
     ("RUT", "RUT")],
)
def test_it_accepts_document_types_by_code_or_label(raw, clean):
    assert v.clean_document_type(raw) == clean


def test_it_names_field_and_value_for_an_unknown_document_type():
    error = fails(v.clean_document_type, "XYZ")
    assert error.field == "document_type"
    assert error.value == "XYZ"
    assert "Tipo de documento «XYZ»" in error.text
    assert "CC, CE, NIT" in error.text


def test_it_requires_the_document_type():
    assert "Tipo de documento: este campo es obligatorio." in fails(v.clean_document_type, "").text


@pytest.mark.parametrize(
    "doc_type, raw, clean",
    [
        ("CC", "1.020.304.050", "1020304050"),
        ("CC", 79123456.0, "79123456"),  # a numeric spreadsheet cell
        ("DNI", "30.123.456", "30123456"),
        ("CE", "e-12345", "E12345"),
        ("NIT", "800197268-4", "800197268"),  # the DIAN's own NIT, check digit verified
        ("NIT", "900.123.456", "900123456"),
        ("RUT", "12.345.678-5", "12345678-5"),
        ("RUT", "11.111.111-1", "11111111-1"),
        ("CUIT", "30-50001091-2", "30500010912"),
        ("RFC", "xaxx010101000", "XAXX010101000"),
        ("PAS", "ab 123456", "AB123456"),
    ],
)
def test_it_normalises_valid_document_numbers(doc_type, raw, clean):
    assert v.clean_document_number(doc_type, raw) == clean


@pytest.mark.parametrize(
    "doc_type, raw, expected",
    [
        ("CC", "12A45", "para CC use solo dígitos"),
        ("CC", "12345678901", "para CC use solo dígitos (entre 3 y 10)"),
        ("DNI", "123", "para DNI use solo dígitos (entre 7 y 8)"),
        ("NIT", "800197268-5", "el dígito de verificación no corresponde (para 800197268 es 4)"),
        ("RUT", "12.345.678-9", "el dígito verificador no corresponde (para 12345678 es 5)"),
        ("RUT", "ABC", "para RUT use el número y su dígito verificador"),
        ("CUIT", "30-50001091-3", "el dígito verificador del CUIT no corresponde"),
        ("CUIT", "3050001091", "para CUIT use solo dígitos (11)"),
        ("RFC", "XAXX019999000", "para RFC use 3 o 4 letras"),
        ("PAS", "A1", "para PAS use letras y dígitos (entre 5 y 20)"),
    ],
)
def test_it_rejects_document_numbers_naming_field_value_and_rule(doc_type, raw, expected):
    error = fails(v.clean_document_number, doc_type, raw)
    assert error.field == "document_number"
    assert error.value == raw
    assert error.text.startswith(f"Número de documento «{raw}»: ")
    assert expected in error.text


def test_it_checks_rut_check_digit_k():
    # A body whose módulo 11 digit is K is accepted with a lower-case "k".
    body = next(str(n) for n in range(1_000_000, 1_000_200) if v.rut_check_digit(str(n)) == "K")
    assert v.clean_document_number("RUT", f"{body}-k") == f"{body}-K"


@pytest.mark.parametrize(
    "fn, raw, text",
    [
        (v.clean_email, "ana@", "Correo electrónico «ana@»: no es un correo electrónico válido"),
        (v.clean_phone, "12-ab", "Teléfono «12-ab»: use entre 7 y 15 dígitos"),
        (v.clean_name, "x" * 201, "Nombre «" + "x" * 60 + "…»: admite hasta 200 caracteres."),
        (v.clean_status, "borrado", "Estado «borrado»: no es una opción válida. Use una de: Activo, Inactivo."),
        (v.clean_claim_category, "otro", "Reclamo «otro»: no es una opción válida."),
        (v.clean_portfolio_type, "x", "Tipo de cartera «x»: no es una opción válida"),
        (v.clean_contactability, "x", "Contactabilidad «x»: no es una opción válida"),
    ],
)
def test_it_names_field_and_value_for_plain_fields(fn, raw, text):
    assert text in fails(fn, raw).text


def test_it_cleans_plain_fields():
    assert v.clean_email(" Ana@Example.COM ") == "ana@example.com"
    assert v.clean_phone("+57 (300) 123-4567") == "+573001234567"
    assert v.clean_name("  Ana   Gómez ") == "Ana Gómez"
    assert v.clean_claim_category("Errores de facturación") == ClaimCategory.BILLING
    assert v.clean_claim_category("") == ClaimCategory.NONE
    assert v.clean_status("inactivo") == "inactive"


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_choice_is_read_by_its_label_in_either_language_whoever_uploads_it(language):
    from django.utils import translation

    with translation.override(language):
        assert v.clean_contactability("No contactable") == "not_contactable"
        assert v.clean_contactability("not contactable") == "not_contactable"
        assert v.clean_status("Inactivo") == v.clean_status("inactive") == "inactive"
        with pytest.raises(v.FieldError):
            v.clean_contactability("quizás")


@pytest.mark.parametrize(
    "raw, number",
    [("1.234,56", Decimal("1234.56")), ("1,234.56", Decimal("1234.56")), ("1,5", Decimal("1.5")),
     ("1.5", Decimal("1.5")), ("1.234.567", Decimal("1234567")), (12, Decimal(12))],
)
def test_it_reads_numbers_with_either_decimal_separator(raw, number):
    assert v.parse_number(raw) == number


def test_it_reads_dates_as_dd_mm_aaaa_iso_or_real_cells():
    assert v.clean_date("due_date", "05/02/2024") == date(2024, 2, 5)
    assert v.clean_date("due_date", "2024-02-05") == date(2024, 2, 5)
    assert v.clean_date("due_date", date(2024, 2, 5)) == date(2024, 2, 5)
    error = fails(v.clean_date, "due_date", "31/02/2024")
    assert error.text == "Vencimiento «31/02/2024»: no es una fecha válida: use dd/mm/aaaa."


def test_it_checks_money():
    assert v.clean_money("amount", "1.234,5", required=True) == Decimal("1234.50")
    assert "Monto «-3»: no puede ser negativo." == fails(v.clean_money, "amount", "-3").text
    assert "Monto «0»: debe ser mayor que cero." == fails(
        v.clean_money, "amount", "0", positive=True
    ).text
    assert fails(v.clean_money, "interest", "1,234.5.6").text == (
        "Intereses «1,234.5.6»: no es un importe válido (1.234,56)."
    )


@pytest.mark.django_db
def test_it_types_custom_variables(cast):
    project = cast.project
    CustomVariable.objects.create(project=project, key="score", label="Puntaje", type=VariableType.NUMBER)
    CustomVariable.objects.create(project=project, key="birth", label="Nacimiento", type=VariableType.DATE)
    CustomVariable.objects.create(
        project=project, key="plan", label="Plan", type=VariableType.CHOICE, choices=["Oro", "Plata"]
    )
    CustomVariable.objects.create(project=project, key="note", label="Nota", type=VariableType.TEXT)
    rules = v.ProjectRules.load(project)

    extra, errors = v.clean_extra(
        {"score": "1.234,5", "birth": "07/03/1990", "plan": "oro", "note": " hola "}, rules=rules
    )
    assert errors == []
    assert extra == {"score": 1234.5, "birth": "1990-03-07", "plan": "Oro", "note": "hola"}
    assert v.clean_extra({"score": "12"}, rules=rules)[0] == {"score": 12}

    _, errors = v.clean_extra(
        {"score": "doce", "birth": "1990/31/31", "plan": "Bronce"}, rules=rules
    )
    texts = {e.field: e.text for e in errors}
    assert texts["extra.score"] == "Puntaje «doce»: no es un número válido (1.234,56)."
    assert texts["extra.birth"] == "Nacimiento «1990/31/31»: no es una fecha válida: use dd/mm/aaaa."
    assert texts["extra.plan"] == "Plan «Bronce»: no es una opción válida. Use una de: Oro, Plata."


@pytest.mark.django_db
def test_it_resolves_the_asesor_id_to_an_active_member(cast):
    gone = factories.make_member(cast.project, username="retirado", code="RET-1")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    rules = v.ProjectRules.load(cast.project)

    assert v.clean_adviser_code(cast.adviser.code, rules=rules) == cast.adviser
    assert v.clean_adviser_code("", rules=rules) is None
    unknown = fails(v.clean_adviser_code, "X-99", rules=rules)
    assert unknown.text == "No existe un asesor con el ID «X-99»."
    assert unknown.field == "adviser_code" and unknown.value == "X-99"
    inactive = fails(v.clean_adviser_code, "RET-1", rules=rules)
    assert "El asesor con el ID «RET-1» (Retirado) está inactivo." == inactive.text
    # Another project's member code is unknown here.
    other_code = factories.make_member(cast.other_project, code="OTRO-1").code
    assert "No existe un asesor" in fails(v.clean_adviser_code, other_code, rules=rules).text


@pytest.mark.django_db
def test_it_resolves_segments_and_supervisors_by_name_and_id(cast):
    segment = factories.make_segment(cast.project, "Premium")
    rules = v.ProjectRules.load(cast.project)
    assert v.clean_segment("premium", rules=rules) == segment
    assert "Segmento «Oro»: no existe un segmento" in fails(v.clean_segment, "Oro", rules=rules).text
    assert v.clean_supervisor_code(cast.supervisor.code, rules=rules) == cast.supervisor
    assert "Supervisor asignado «" in fails(
        v.clean_supervisor_code, cast.adviser.code, rules=rules
    ).text
    assert cast.supervisor.role == Role.SUPERVISOR


@pytest.mark.django_db
def test_it_names_the_client_already_holding_an_external_id(cast):
    factories.make_client(cast.project, document_type="CC", document_number="555666", name="Ana Ruiz")

    error = fails(
        v.check_external_id_free, project=cast.project, document_type="CC",
        document_number="555666",
    )
    assert error.text == (
        "Número de documento «555666»: ya existe el cliente Ana Ruiz con el documento CC 555666."
    )
    # The same number under another type, or in another project, is free.
    v.check_external_id_free(project=cast.project, document_type="CE", document_number="555666")
    v.check_external_id_free(project=cast.other_project, document_type="CC", document_number="555666")


@pytest.mark.django_db
def test_it_does_not_tell_a_restricted_adviser_whose_the_external_id_is(cast):
    factories.make_client(
        cast.project, document_type="CC", document_number="777888", name="Secreto", adviser=cast.adviser
    )
    error = fails(
        v.check_external_id_free, project=cast.project, document_type="CC",
        document_number="777888", member=cast.restricted,
    )
    assert "Secreto" not in error.text
    assert "asignado a otro asesor" in error.text


@pytest.mark.django_db
def test_it_collects_every_error_of_a_row(cast):
    rules = v.ProjectRules.load(cast.project)
    result = v.clean_client_row(
        {"document_type": "CC", "document_number": "12AB", "name": "", "email": "x@",
         "adviser_code": "NADIE"},
        rules=rules,
    )
    assert {e.field for e in result.errors} == {"document_number", "name", "email", "adviser_code"}

    partial = v.clean_client_row({"phone": "300 123 4567"}, rules=rules, partial=True)
    assert partial.errors == [] and partial.values == {"phone": "3001234567"}
