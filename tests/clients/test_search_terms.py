"""The search terms (clients_clientsearchterm) follow every write of a client, by triggers.

The Python normalisation (clients.search) and the SQL one (migration 0010)
must agree: the tray parses what people type in Python and looks the result
up among the terms the triggers wrote in SQL.
"""

import os
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from clients.models import Client, ClientSearchTerm
from clients.search import client_terms, fold, name_terms
from tests import factories


def stored_terms(client) -> set[str]:
    return set(
        ClientSearchTerm.objects.filter(project_id=client.project_id, client_id=client.pk)
        .values_list("term", flat=True)
    )


def expected_terms(client) -> set[str]:
    client.refresh_from_db()
    return client_terms(name=client.name, email=client.email, phone=client.phone,
                        document_number=client.document_number)


def sql_one(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


SAMPLES = [
    "José Pérez Gómez",
    "ÁNGELA ÑUÑEZ ÚRSULA ÉDGAR ÍÑIGO ÓSCAR ÜBER",
    "Agroindustrial Arango S.A.S.",
    "Comercializadora O'Brien & Cía. Ltda.",
    "María-José  de la Cruz",
    "Inversiones 3.5 Ñandú_SAS",
    "  ",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_python_and_sql_fold_names_alike(db, text):
    assert sql_one("SELECT search_fold(%s)", [text]) == fold(text)
    assert sorted(sql_one(
        "SELECT coalesce(array_agg(t ORDER BY t), '{}') FROM client_search_terms(%s, '', '', '') t"
        " WHERE t !~ '^[@#+]'", [text])) == sorted(name_terms(text))


@pytest.mark.parametrize("fields", [
    {"name": "Ana Ruiz", "email": "Ana.Ruiz@Correo.COM", "phone": "+57 (300) 123-4567",
     "document_number": "12.345.678-k"},
    {"name": "S.A.S.", "email": "", "phone": "", "document_number": "900123456"},
])
def test_python_and_sql_write_the_same_terms(db, fields):
    sql = set(sql_one("SELECT array_agg(t) FROM client_search_terms(%s, %s, %s, %s) t",
                      [fields["name"], fields["email"], fields["phone"],
                       fields["document_number"]]))
    assert sql == client_terms(**fields)


def test_terms_are_written_for_a_new_client(cast):
    client = factories.make_client(cast.project, name="Inversiones Ñandú S.A.S.",
                                   email="pagos@nandu.com", phone="+573001234567",
                                   document_number="900123456", document_type="NIT")
    assert stored_terms(client) == {
        "inversiones", "nandu", "sas", "@pagos@nandu.com", "#900123456", "+765432100375"}
    assert set(ClientSearchTerm.objects.filter(client_id=client.pk)
               .values_list("name", flat=True)) == {client.name}


def test_terms_are_written_for_bulk_inserts(cast):
    clients = Client.objects.bulk_create(
        Client(project=cast.project, document_type="CC", document_number=str(70_000 + i),
               name=f"Cliente Masivo {i}", email=f"masivo{i}@x.co")
        for i in range(50)
    )
    for client in clients[::7]:
        assert stored_terms(client) == expected_terms(client)


def test_terms_are_written_for_a_copy_import(cast):
    with connection.cursor() as cursor:
        with cursor.cursor.copy(
            "COPY clients_client (project_id, document_type, document_number, name, email, phone,"
            " city, status, portfolio_type, claim_category, contactability, contact_alert, extra,"
            " situation, balance, deletion_reason, created_at, updated_at) FROM STDIN"
        ) as copy:
            for i in range(3):
                copy.write_row([cast.project.pk, "CC", f"8000{i}", f"Copiado Número {i}", "",
                                f"+5731000000{i}", "", "active", "current", "none",
                                "contactable", "none", "{}", 10, "0", "", timezone.now(),
                                timezone.now()])
    copied = list(Client.objects.filter(project=cast.project, name__startswith="Copiado"))
    assert len(copied) == 3
    for client in copied:
        assert stored_terms(client) == expected_terms(client)
        assert "numero" in stored_terms(client)


def test_terms_follow_an_update_of_a_searched_column(cast):
    client = factories.make_client(cast.project, name="Ana Ruiz", email="ana@x.co",
                                   phone="+573001112233")
    client.name, client.email = "Ana María Ruiz Peña", "ana.maria@y.co"
    client.save()
    assert stored_terms(client) == expected_terms(client)
    assert "peña" not in stored_terms(client) and "pena" in stored_terms(client)
    Client.objects.filter(pk=client.pk).update(phone="+573009998877", document_number="55")
    assert stored_terms(client) == expected_terms(client)
    assert "#55" in stored_terms(client)


def test_updates_of_other_columns_do_not_touch_the_terms(cast):
    client = factories.make_client(cast.project, name="Ana Ruiz")

    def versions():
        with connection.cursor() as cursor:
            cursor.execute("SELECT term, xmin::text FROM clients_clientsearchterm "
                           "WHERE project_id = %s AND client_id = %s ORDER BY term",
                           [client.project_id, client.pk])
            return cursor.fetchall()

    before = versions()
    Client.objects.filter(pk=client.pk).update(balance=Decimal("10.00"), situation=50)
    client.refresh_from_db()
    client.city = "Cali"
    client.save()  # a full save writes every column, the searched ones unchanged
    assert versions() == before


# Citus never moves a row to another project (its distribution column); nothing in the
# product moves a client across projects.
ON_CITUS = os.environ.get("MOONFLOW_CITUS") == "1"


@pytest.mark.skipif(ON_CITUS, reason="issue 13: a row never changes project on Citus")
def test_terms_move_with_the_client_and_go_with_it(cast):
    client = factories.make_client(cast.project, name="Ana Ruiz")
    Client.objects.filter(pk=client.pk).update(project=cast.other_project)
    # Read afresh: refresh_from_db looks a row up within its (former) project.
    client = Client.objects.get(pk=client.pk)
    assert stored_terms(client) == expected_terms(client)
    assert not ClientSearchTerm.objects.filter(project_id=cast.project.pk, client_id=client.pk)
    client.delete()
    assert not ClientSearchTerm.objects.filter(client_id=client.pk).exists()


def test_the_recycle_bin_keeps_its_terms(cast):
    client = factories.make_client(cast.project, name="José Borrado")
    Client.objects.filter(pk=client.pk).update(deleted_at=timezone.now())
    assert stored_terms(client) == expected_terms(client)


def test_deleting_many_clients_deletes_their_terms(cast):
    keep = factories.make_client(cast.project, name="Se Queda")
    for i in range(5):
        factories.make_client(cast.project, name=f"Se Va {i}")
    Client.objects.filter(project=cast.project, name__startswith="Se Va").delete()
    assert set(ClientSearchTerm.objects.filter(project_id=cast.project.pk)
               .values_list("client_id", flat=True)) == {keep.pk}


def test_seed_demo_writes_the_terms_of_what_it_loads(db):
    """seed_demo copies clients with triggers off (session_replication_role = replica) and
    writes their terms itself."""
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", clients=120, stdout=StringIO())
    clients = list(Client.objects.all())
    assert len(clients) >= 120
    for client in clients[::11]:
        assert stored_terms(client) == expected_terms(client)
    assert ClientSearchTerm.objects.count() == sum(len(expected_terms(c)) for c in clients)
