"""The data migration that rewrites stored values to their normalised form."""

import importlib
from io import StringIO

import pytest
from django.db import connection

from clients.models import Client
from tests import factories

pytestmark = pytest.mark.django_db

migration = importlib.import_module("clients.migrations.0009_normalise_stored_values")


def normalise():
    out = StringIO()
    report = migration.normalise_stored_values(connection, out)
    return report, out.getvalue()


def row(client):
    return Client.objects.filter(pk=client.pk).values(
        "document_number", "phone", "email", "updated_at"
    ).get()


def test_it_normalises_documents_phones_and_emails_without_touching_updated_at(cast):
    nit = factories.make_client(cast.project, document_type="NIT",
                                document_number="888605031-8", phone="+57 309 461 7291",
                                email=" Ana@Example.com")
    cuit = factories.make_client(cast.project, document_type="CUIT",
                                 document_number="30-24801014-9")
    cc = factories.make_client(cast.project, document_type="CC", document_number="1.020.304.050")
    clean = factories.make_client(cast.project, document_type="RUT", document_number="12345678-5",
                                  phone="+573001234567", email="ok@example.com")
    before = {c.pk: row(c) for c in (nit, cuit, cc, clean)}

    report, out = normalise()

    assert row(nit) == {**before[nit.pk], "document_number": "888605031",
                        "phone": "+573094617291", "email": "ana@example.com"}
    assert row(cuit)["document_number"] == "30248010149"
    assert row(cc)["document_number"] == "1020304050"
    assert row(clean) == before[clean.pk]
    assert all(row(c)["updated_at"] == before[c.pk]["updated_at"] for c in (nit, cuit, cc))
    assert (report["clients_updated"], report["document_numbers"], report["phones"],
            report["emails"]) == (3, 3, 1, 1)
    assert report["collisions"] == [] and report["refused"] == []
    assert "Normalised 3 clients" in out


def test_it_leaves_and_reports_a_number_another_client_already_holds(cast):
    holder = factories.make_client(cast.project, document_type="NIT", document_number="888605031")
    twin = factories.make_client(cast.project, document_type="NIT",
                                 document_number="888.605.031-8", phone="+57 309 461 7291")
    other_project = factories.make_client(cast.other_project, document_type="NIT",
                                          document_number="888605031-8")

    report, out = normalise()

    assert row(holder)["document_number"] == "888605031"
    assert row(twin)["document_number"] == "888.605.031-8"  # left as stored
    assert row(twin)["phone"] == "+573094617291"  # the rest is still normalised
    assert row(other_project)["document_number"] == "888605031"  # another project: no clash
    assert [(c[0], c[3], c[4], c[5]) for c in report["collisions"]] == [
        (twin.pk, "888.605.031-8", "888605031", holder.pk)
    ]
    assert f"client {twin.pk}: NIT '888.605.031-8' -> '888605031', as client {holder.pk}" in out


def test_spellings_of_one_number_are_all_left_and_reported(cast):
    a = factories.make_client(cast.project, document_type="CUIT", document_number="30-24801014-9")
    b = factories.make_client(cast.project, document_type="CUIT", document_number="30 24801014 9")

    report, _out = normalise()

    assert row(a)["document_number"] == "30-24801014-9"
    assert row(b)["document_number"] == "30 24801014 9"
    assert sorted((c[0], c[5]) for c in report["collisions"]) == [(a.pk, b.pk), (b.pk, a.pk)]


def test_it_leaves_and_reports_values_the_rules_refuse(cast):
    bad = factories.make_client(cast.project, document_type="CC", document_number="12AB",
                                phone="llamar", email="sin-arroba")

    report, out = normalise()

    assert row(bad)["document_number"] == "12AB"
    assert {(r[0], r[2]) for r in report["refused"]} == {
        (bad.pk, "document_number"), (bad.pk, "phone"), (bad.pk, "email")
    }
    assert "3 values left as stored" in out


def test_a_book_already_normalised_is_not_touched(cast):
    factories.make_client(cast.project, document_type="NIT", document_number="888605031",
                          phone="+573094617291", email="ana@example.com")
    report, out = normalise()
    assert report["clients_updated"] == 0 and out == ""
