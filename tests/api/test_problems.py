"""Errors as application/problem+json, in Spanish or English by Accept-Language, else in
the project's language."""

import pytest

from .helpers import Api, make_key

pytestmark = pytest.mark.django_db

INVALID = {"documentType": "CC", "documentNumber": "12", "name": "Ana"}


def test_a_problem_has_the_rfc_9457_shape(cast):
    response = Api(make_key(cast.admin)[1]).post("/api/v1/clients/", INVALID)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "urn:moonflow:problem:invalid"
    assert body["status"] == 400
    assert body["title"] == "Solicitud inválida"
    assert body["detail"] == "Revise los campos señalados."
    assert [e["field"] for e in body["errors"]] == ["documentNumber"]
    assert "«12»" in body["errors"][0]["message"]


LETTERS = {"documentType": "CC", "documentNumber": "12AB34", "name": "Ana"}


def _message(response) -> str:
    return response.json()["errors"][0]["message"]


def test_it_speaks_english_when_asked(cast):
    response = Api(make_key(cast.admin)[1], language="en").post("/api/v1/clients/", LETTERS)
    assert "for CC use digits only" in _message(response)


def test_it_speaks_spanish_when_asked_in_an_english_project(cast):
    cast.project.language = "en"
    cast.project.save(update_fields=["language"])
    response = Api(make_key(cast.admin)[1], language="es-CO").post("/api/v1/clients/", LETTERS)
    assert "para CC use solo dígitos" in _message(response)


def test_it_speaks_the_project_s_language_otherwise(cast):
    cast.project.language = "en"
    cast.project.save(update_fields=["language"])
    response = Api(make_key(cast.admin)[1]).post("/api/v1/clients/", LETTERS)
    assert "for CC use digits only" in _message(response)


def test_a_missing_id_is_a_404_problem(cast):
    response = Api(make_key(cast.admin)[1]).get("/api/v1/clients/999999/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "No existe o no está a su alcance."


def test_a_language_moonflow_does_not_speak_falls_back_to_the_project_s(cast):
    cast.project.language = "en"
    cast.project.save(update_fields=["language"])
    response = Api(make_key(cast.admin)[1], language="fr-FR, de;q=0.8").post(
        "/api/v1/clients/", LETTERS)
    assert "for CC use digits only" in _message(response)


def test_an_unknown_api_url_is_a_404_problem(cast):
    response = Api(make_key(cast.admin)[1]).get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
