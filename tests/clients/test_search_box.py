"""Every kind of search people type in the clients tray finds what they expect.

Values are stored normalised (clients.validation) and shown formatted
(clients.display); a person copies what the screen shows.
"""

import pytest
from django.db.models import Q

from clients.display import external_id_display
from clients.models import Client
from clients.search import client_ids_matching, parse
from tests import factories

from .test_tray_helpers import get_tray, row_names


@pytest.fixture
def book(cast):
    p = cast.project
    make = factories.make_client
    make(p, name="Ángela Núñez", document_number="1020304050", email="angela.nunez@correo.com",
         phone="+573001234567")
    make(p, name="Agroindustrial Arango S.A.S.", document_type="NIT",
         document_number="820172468", email="cartera@arango.com.co", phone="+576014445566")
    make(p, name="Importadora Sur SRL", document_type="CUIT", document_number="20195354139",
         email="", phone="+541145678901")
    make(p, name="Óscar Ñandú Pérez", document_type="RUT", document_number="12345678-5",
         email="oscar_n@empresa.cl", phone="+56912345678")
    make(p, name="Yeferson Díaz", document_type="PAS", document_number="AB123456",
         email="yefer@correo.com", phone="")
    make(p, name="Juan Juanes", document_number="77001", email="pagos@juanes.co", phone="")
    # The same names in another project never match.
    for i, name in enumerate(["Ángela Núñez", "Agroindustrial Arango S.A.S.", "Yeferson Díaz"]):
        make(cast.other_project, name=name, document_number=f"102030405{i}",
             email="angela.nunez@correo.com", phone="+573001234567")


def found(cast, as_member, query):
    return row_names(get_tray(as_member(cast.admin), cast.project, {"q": query}))


@pytest.mark.parametrize("query, expected", [
    ("angela", ["Ángela Núñez"]),
    ("ÁNGELA NÚÑEZ", ["Ángela Núñez"]),
    ("nunez ang", ["Ángela Núñez"]),
    ("oscar", ["Óscar Ñandú Pérez"]),
    ("ÑANDÚ", ["Óscar Ñandú Pérez"]),
    ("yef", ["Yeferson Díaz"]),  # the beginning of a rare word
    ("xilofono", []),  # nothing
    ("Yefersom", []),  # a typo finds nothing (words, not spelling)
    ("juan", ["Juan Juanes"]),  # one client, whatever words of it match
])
def test_it_finds_names_ignoring_accents_case_and_order(cast, as_member, book, query, expected):
    assert found(cast, as_member, query) == expected


@pytest.mark.parametrize("query", [
    "Agroindustrial Arango S.A.S.", "agroindustrial arango sas", "AGROINDUSTRIAL ARANGO S.A.S",
    "arango s.a.", "Agroindustrial Arango S.A.S.  ",
])
def test_it_finds_a_company_name_copied_with_its_punctuation(cast, as_member, book, query):
    assert found(cast, as_member, query) == ["Agroindustrial Arango S.A.S."]


@pytest.mark.parametrize("query, expected", [
    ("NIT 820.172.468-5", ["Agroindustrial Arango S.A.S."]),  # as the tray shows it
    ("NIT 820172468-5", ["Agroindustrial Arango S.A.S."]),
    ("820172468-5", ["Agroindustrial Arango S.A.S."]),  # with its verification digit
    ("8201724685", ["Agroindustrial Arango S.A.S."]),
    ("820.172.468", ["Agroindustrial Arango S.A.S."]),
    ("nit: 820172468", ["Agroindustrial Arango S.A.S."]),
    ("20-19535413-9", ["Importadora Sur SRL"]),  # a CUIT as shown
    ("CUIT 20-19535413-9", ["Importadora Sur SRL"]),
    ("12.345.678-5", ["Óscar Ñandú Pérez"]),  # a RUT as shown
    ("1.020.304.050", ["Ángela Núñez"]),  # a cédula as shown
    ("CC 1.020.304.050", ["Ángela Núñez"]),
    ("1020", ["Ángela Núñez"]),  # a beginning
    ("ab1234", ["Yeferson Díaz"]),  # a passport, any case
    ("PAS AB123456", ["Yeferson Díaz"]),
    ("820172468-4", []),  # a wrong verification digit is another number
])
def test_it_finds_documents_as_copied_from_the_screen(cast, as_member, book, query, expected):
    assert found(cast, as_member, query) == expected


def test_every_document_the_tray_shows_can_be_searched_as_shown(cast, as_member, book):
    for client in Client.objects.filter(project=cast.project):
        shown = external_id_display(client.document_type, client.document_number)
        assert found(cast, as_member, shown) == [client.name], shown
        assert found(cast, as_member, shown.split(" ", 1)[1]) == [client.name], shown


@pytest.mark.parametrize("query, expected", [
    ("4567", ["Ángela Núñez"]),  # the last digits
    ("300 123 4567", ["Ángela Núñez"]),
    ("+57 300 123 4567", ["Ángela Núñez"]),
    ("5678", ["Óscar Ñandú Pérez"]),
    ("4445566", ["Agroindustrial Arango S.A.S."]),
])
def test_it_finds_phones_by_their_last_digits(cast, as_member, book, query, expected):
    assert found(cast, as_member, query) == expected


@pytest.mark.parametrize("query, expected", [
    ("angela.nu", ["Ángela Núñez"]),  # an e-mail beginning
    ("ANGELA.NUNEZ@CORREO.COM", ["Ángela Núñez"]),
    ("oscar_", ["Óscar Ñandú Pérez"]),
    ("cartera", ["Agroindustrial Arango S.A.S."]),  # a plain word: that mailbox
    ("pagos", ["Juan Juanes"]),
    ("cartera@", ["Agroindustrial Arango S.A.S."]),
    ("correo", []),  # not an e-mail's domain
])
def test_it_finds_emails(cast, as_member, book, query, expected):
    assert found(cast, as_member, query) == expected


def test_a_blank_box_finds_everyone_and_punctuation_finds_no_one(cast, as_member, book):
    assert parse("   ") is None
    assert len(found(cast, as_member, " ")) == 6
    assert found(cast, as_member, "¿?") == []
    assert found(cast, as_member, "'") == []


def test_the_other_boxes_find_clients_the_same_way(cast, book):
    def names(text):
        ids = client_ids_matching(cast.project.pk, text)
        return sorted(Client.objects.filter(Q(id__in_array=ids)).values_list("name", flat=True))

    assert names("NIT 820.172.468-5") == ["Agroindustrial Arango S.A.S."]
    assert names("ángela") == ["Ángela Núñez"]
    assert names("4567") == ["Ángela Núñez"]
    assert names("xilofono") == []
    assert client_ids_matching(cast.project.pk, "  ") is None
    other = client_ids_matching(cast.other_project.pk, "angela")
    assert list(Client.objects.filter(id__in=other).values_list("project_id", flat=True)) == [
        cast.other_project.pk]
