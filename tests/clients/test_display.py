"""Stored values as people read them (clients.display): formatting only, never stored."""

import pytest
from django.template import Context, Template

from clients import validation
from clients.display import document_display, external_id_display, phone_display
from clients.models import Client


@pytest.mark.parametrize(
    "document_type, stored, shown",
    [
        ("CC", "1020304050", "1.020.304.050"),
        ("CC", "52123456", "52.123.456"),
        ("CC", "0012", "0012"),  # an odd legacy value is shown as stored
        ("CE", "E123456", "E123456"),
        ("NIT", "888605031", "888.605.031-8"),
        ("NIT", "800197268", "800.197.268-4"),
        ("DNI", "12345678", "12345678"),
        ("RUT", "12345678-5", "12.345.678-5"),
        ("RUT", "7654321-6", "7.654.321-6"),
        ("RUT", "12345678-9", "12345678-9"),  # a wrong check digit is not dressed up
        ("CUIT", "30248010149", "30-24801014-9"),
        ("CUIT", "30500010912", "30-50001091-2"),
        ("RFC", "GOMA800101AB1", "GOMA800101AB1"),
        ("PAS", "AX1234567", "AX1234567"),
    ],
)
def test_it_writes_each_document_type_as_people_read_it(document_type, stored, shown):
    assert document_display(document_type, stored) == shown


@pytest.mark.parametrize(
    "document_type, shown",
    [("NIT", "888.605.031-8"), ("RUT", "12.345.678-5"), ("CUIT", "30-24801014-9"),
     ("CC", "1.020.304.050")],
)
def test_what_it_shows_cleans_back_to_the_stored_value(document_type, shown):
    stored = validation.clean_document_number(document_type, shown)
    assert document_display(document_type, stored) == shown


@pytest.mark.parametrize(
    "stored, shown",
    [
        ("+573094617291", "+57 309 461 7291"),
        ("+51912345678", "+51 912 345 678"),
        ("+56912345678", "+56 9 1234 5678"),
        ("+5491112345678", "+54 9 11 1234-5678"),
        ("+541112345678", "+54 11 1234-5678"),
        ("+34612345678", "+34612345678"),  # other countries as stored
        ("3001234567", "3001234567"),  # no country code: as stored
        ("", ""),
    ],
)
def test_it_writes_phones_as_people_read_them(stored, shown):
    assert phone_display(stored) == shown
    if stored:
        assert validation.clean_phone(shown) == stored


def test_the_external_id_reads_type_and_number():
    assert external_id_display("NIT", "888605031") == "NIT 888.605.031-8"


def test_templates_use_the_same_functions():
    client = Client(document_type="NIT", document_number="888605031", phone="+573094617291")
    html = Template(
        "{% load client_display %}{{ client|document }}|{{ client|external_id }}|"
        "{{ client.phone|phone }}"
    ).render(Context({"client": client}))
    assert html == "888.605.031-8|NIT 888.605.031-8|+57 309 461 7291"
