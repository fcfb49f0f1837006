"""The OpenAPI schema at /api/schema/ (every endpoint with an example, camelCase) and its
browsable docs at /api/docs/, whose assets are served by Moonflow itself (no CDN)."""

import re

import pytest
import yaml
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "patch", "put", "delete"):
                yield path, method, operation


def _has_example(operation) -> bool:
    def found(content):
        return any("examples" in media or "example" in media for media in content.values())

    request = operation.get("requestBody", {}).get("content", {})
    responses = [r.get("content", {}) for r in operation.get("responses", {}).values()]
    return found(request) or any(found(c) for c in responses)


def test_every_endpoint_has_an_example(schema):
    missing = [f"{m.upper()} {p}" for p, m, op in _operations(schema) if not _has_example(op)]
    assert not missing, missing
    assert {p for p, _m, _o in _operations(schema)} >= {
        "/api/v1/clients/", "/api/v1/clients/{id}/", "/api/v1/clients/bulk/",
        "/api/v1/clients/by-external-id/", "/api/v1/jobs/", "/api/v1/jobs/{id}/"}


def test_the_schema_speaks_camel_case(schema):
    client = schema["components"]["schemas"]["Client"]["properties"]
    assert {"documentType", "documentNumber", "adviserUserProjectId"} <= set(client)
    assert not [name for name in client if "_" in name]


def test_every_endpoint_requires_the_bearer_key(schema):
    assert schema["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    assert all(op.get("security") == [{"apiKey": []}] for _p, _m, op in _operations(schema))


def test_the_docs_page_loads_its_assets_from_moonflow(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui" in a for a in assets)
    assert not [a for a in assets if a.startswith(("http:", "https:", "//"))]
    for asset in assets:
        if asset.startswith("/static/"):
            assert finders.find(asset.removeprefix("/static/")), asset
