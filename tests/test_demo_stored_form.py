"""The demo generator writes every value in its stored (normalised) form, so
Editar → Guardar on a demo client writes nothing."""

import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client as Browser

from clients import validation
from clients.models import Client
from moonflow.audit.models import AuditEvent
from demo.documents import document_number
from demo.generate import _phone
from moonflow.tenancy.models import Member, Project

from .clients.test_record_edit_unchanged import STORED, open_and_save

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("document_type", ["CC", "CE", "NIT", "DNI", "RUT", "CUIT"])
def test_document_numbers_are_written_as_stored(document_type):
    for index in range(0, 200_000, 997):
        for kind in ("M", "F", "J"):
            number = document_number(document_type, index, salt=11, kind=kind)
            assert validation.clean_document_number(document_type, number) == number


@pytest.mark.parametrize("country", ["CO", "PE", "CL", "AR"])
def test_phones_are_written_as_stored(country):
    rnd = random.Random(7).random
    for _ in range(300):
        phone = _phone(country, rnd)
        assert validation.clean_phone(phone) == phone


def test_a_seeded_book_cleans_to_itself_and_saves_unchanged():
    call_command("seed_demo", clients=400, stdout=StringIO())
    project = Project.objects.get(slug="demo-cobranzas")
    rules = validation.ProjectRules.load(project)
    clients = list(Client.objects.filter(project=project).select_related("segment", "adviser",
                                                                         "supervisor"))
    for client in clients:
        row = validation.clean_client_row({
            "document_type": client.document_type, "document_number": client.document_number,
            "name": client.name, "email": client.email, "phone": client.phone,
            "city": client.city,
        }, rules=rules, partial=True)
        assert row.errors == [], (client.pk, [e.text for e in row.errors])
        for field in ("document_number", "name", "email", "phone", "city"):
            assert row.values[field] == getattr(client, field), (field, client.pk)

    admin = Member.objects.select_related("user").get(project=project, user__username="admin")
    browser = Browser()
    browser.force_login(admin.user, backend="django.contrib.auth.backends.ModelBackend")
    for document_type in ("CC", "CE", "NIT", "DNI", "RUT", "CUIT"):
        client = next(c for c in clients if c.document_type == document_type and not c.is_deleted)
        before = Client.objects.filter(pk=client.pk).values(*STORED).get()
        events = AuditEvent.objects.filter(resource_type="client", resource_id=str(client.pk))
        count = events.count()
        response = open_and_save(browser, client)
        assert response.status_code == 204, (document_type, response.content.decode()[:2000])
        assert Client.objects.filter(pk=client.pk).values(*STORED).get() == before
        assert events.count() == count
