"""Editar → Guardar without changes writes nothing: on every document type, with the
values the demo generator writes and with those an import or the form stores."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from clients import services
from clients.choices import DocumentType
from clients.models import Client
from moonflow.audit.models import AuditEvent
from demo.documents import document_number
from demo.generate import _phone

pytestmark = pytest.mark.django_db

STORED = ("document_type", "document_number", "name", "email", "phone", "city", "segment_id",
          "status", "portfolio_type", "adviser_id", "supervisor_id", "claim_category",
          "contactability", "contact_alert", "extra", "situation", "balance", "updated_at")


class FormValues(HTMLParser):
    """What a browser would send for the first form of a page, left as it is."""

    def __init__(self):
        super().__init__()
        self.values, self._select, self._textarea, self._done = {}, None, None, False

    def handle_starttag(self, tag, attrs):
        if self._done:
            return
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.values[name] = attrs.get("value", "")
        elif tag == "select" and name and "disabled" not in attrs:
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value", "")
        elif tag == "textarea" and name and "disabled" not in attrs:
            self._textarea = name
            self.values[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._done = True


def open_and_save(browser, client):
    """Open Editar, read the form as the browser shows it, and press Guardar."""
    url = reverse("clients:edit", kwargs={"project": client.project.slug, "pk": client.pk})
    page = browser.get(url, HTTP_HX_REQUEST="true")
    assert page.status_code == 200
    parser = FormValues()
    parser.feed(page.content.decode())
    assert parser.values["document_number"] == client.document_number
    return browser.post(url, parser.values, HTTP_HX_REQUEST="true")


def stored(client):
    return Client.objects.filter(pk=client.pk).values(*STORED).get()


def client_events(client):
    return AuditEvent.objects.filter(resource_type="client", resource_id=str(client.pk)).count()


# What the demo generator writes, per document type (the country's usual phone).
DEMO = {
    DocumentType.CC: ("CO", "M"),
    DocumentType.CE: ("CO", "M"),
    DocumentType.NIT: ("CO", "J"),
    DocumentType.DNI: ("PE", "F"),
    DocumentType.RUT: ("CL", "M"),
    DocumentType.CUIT: ("AR", "J"),
}
# What the form or an import stores for the other types, typed the way people do.
TYPED = {
    DocumentType.RFC: "goma-800101-ab1",
    DocumentType.PAS: "ax 123 4567",
}


def _rnd(seed=0.37):
    values = iter([seed, 0.61, 0.18, 0.92] * 4)
    return lambda: next(values)


@pytest.mark.parametrize("document_type", list(DEMO))
def test_saving_a_demo_client_unchanged_writes_nothing(cast, as_member, document_type):
    country, kind = DEMO[document_type]
    client = services.client_create(
        project=cast.project, actor=None, document_type=document_type,
        document_number=document_number(document_type, 4321, kind=kind),
        name="Cliente Demo", email="ana.gomez12@example.com", phone=_phone(country, _rnd()),
        city="Bogotá", adviser=cast.adviser, supervisor=cast.supervisor,
    )
    before, events = stored(client), client_events(client)

    response = open_and_save(as_member(cast.admin), client)

    assert response.status_code == 204
    assert stored(client) == before
    assert client_events(client) == events


@pytest.mark.parametrize("document_type", list(DocumentType))
def test_saving_a_typed_client_unchanged_writes_nothing(cast, as_member, document_type):
    """Created through the form as people type it, saved again as it is shown."""
    typed = TYPED.get(document_type) or {
        DocumentType.CC: "1.020.304.050",
        DocumentType.CE: "e-123 456",
        DocumentType.NIT: "888.605.031-8",
        DocumentType.DNI: "12.345.678",
        DocumentType.RUT: "12.345.678-5",
        DocumentType.CUIT: "30-24801014-9",
    }[document_type]
    browser = as_member(cast.admin)
    response = browser.post(reverse("clients:create", kwargs={"project": "demo"}), {
        "document_type": document_type, "document_number": typed, "name": "  Ana   Gómez ",
        "email": " Ana.Gomez@Example.COM ", "phone": "+57 (309) 461-7291", "city": "Cali",
        "status": "active", "portfolio_type": "current", "contactability": "contactable",
        "contact_alert": "none", "claim_category": "none", "adviser_code": cast.adviser.code,
        "supervisor_code": "",
    })
    assert response.status_code == 302, response.content.decode()
    client = Client.objects.get(project=cast.project, document_type=document_type)
    assert (client.email, client.phone) == ("ana.gomez@example.com", "+573094617291")
    before, events = stored(client), client_events(client)

    response = open_and_save(browser, client)

    assert response.status_code == 204
    assert stored(client) == before
    assert client_events(client) == events


def test_saving_with_a_claim_and_custom_variables_unchanged_writes_nothing(cast, as_member):
    from clients.choices import ClaimCategory, VariableType
    from clients.models import CustomVariable

    for key, label, type_, choices in (
        ("producto", "Producto", VariableType.CHOICE, ["Tarjeta", "Crédito"]),
        ("score", "Score", VariableType.NUMBER, []),
        ("fecha_castigo", "Fecha de castigo", VariableType.DATE, []),
        ("sucursal", "Sucursal", VariableType.TEXT, []),
    ):
        CustomVariable.objects.create(
            project=cast.project, key=key, label=label, type=type_, choices=choices
        )
    client = services.client_create(
        project=cast.project, actor=None, document_type="NIT", document_number="888605031",
        name="Inversiones Lara S.A.S.", phone="+573094617291", adviser=cast.adviser,
        extra={"producto": "Crédito", "score": 712.5, "fecha_castigo": "2024-08-05",
               "sucursal": "Norte"},
    )
    services.claim_set_category(client=client, category=ClaimCategory.BILLING, actor=None)
    before, events = stored(client), client_events(client)

    response = open_and_save(as_member(cast.supervisor), client)

    assert response.status_code == 204
    assert stored(client) == before
    assert client_events(client) == events
