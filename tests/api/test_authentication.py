"""Bearer keys: a missing, wrong or revoked key is refused at once; last use is recorded
at most once a minute; a member key stops with its member."""

from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import ApiKey
from api.services import api_key_revoke
from tests import factories

from .helpers import Api, make_key

pytestmark = pytest.mark.django_db


def test_it_refuses_a_request_without_a_key(cast):
    response = Api(None).get("/api/v1/clients/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in response.json()["detail"]


def test_it_refuses_a_key_with_a_wrong_secret(cast):
    _key, text = make_key(cast.admin)
    response = Api(text[:-3] + "xyz").get("/api/v1/clients/")
    assert response.status_code == 401


def test_it_refuses_a_key_presented_for_another_project(cast):
    _key, text = make_key(cast.admin)
    forged = text.replace(f"mf_{cast.project.pk}_", f"mf_{cast.other_project.pk}_", 1)
    assert Api(forged).get("/api/v1/clients/").status_code == 401


def test_it_refuses_a_revoked_key_at_once(cast):
    key, text = make_key(cast.admin)
    api = Api(text)
    assert api.get("/api/v1/clients/").status_code == 200
    api_key_revoke(key=key, actor=cast.admin.user)
    response = api.get("/api/v1/clients/")
    assert response.status_code == 401
    assert response.json()["type"] == "urn:moonflow:problem:unauthenticated"


def test_it_refuses_an_admin_key_once_its_admin_is_no_longer_one(cast):
    _key, text = make_key(cast.admin)
    cast.admin.role = "adviser"
    cast.admin.save(update_fields=["role"])
    assert Api(text).get("/api/v1/clients/").status_code == 401


def test_it_refuses_a_member_key_once_the_member_is_deactivated(cast):
    _key, text = make_key(cast.adviser)
    cast.adviser.is_active = False
    cast.adviser.save(update_fields=["is_active"])
    assert Api(text).get("/api/v1/clients/").status_code == 401


def test_it_records_the_last_use_at_most_once_a_minute(cast):
    key, text = make_key(cast.admin)
    api = Api(text)
    api.get("/api/v1/clients/")
    key.refresh_from_db()
    first = key.last_used_at
    assert first is not None
    api.get("/api/v1/clients/")
    key.refresh_from_db()
    assert key.last_used_at == first
    ApiKey.objects.filter(project=cast.project, prefix=key.prefix).update(last_used_at=first - timedelta(minutes=2))
    api.get("/api/v1/clients/")
    key.refresh_from_db()
    assert key.last_used_at > first - timedelta(minutes=1)
    assert key.last_used_at <= timezone.now()


def test_it_stores_only_a_hash_of_the_key(cast):
    key, text = make_key(cast.admin)
    secret = text.rsplit("_", 1)[1]
    stored = ApiKey.objects.filter(project=cast.project, prefix=key.prefix).values()[0]
    assert all(secret not in str(value) for value in stored.values())
    assert text.startswith(f"mf_{cast.project.pk}_{key.prefix}_")


def test_a_session_login_does_not_open_the_api(cast, as_member):
    factories.make_client(cast.project)
    assert as_member(cast.admin).get("/api/v1/clients/").status_code == 401
