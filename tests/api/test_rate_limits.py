"""Rate limits per key: over API_RATE_LIMIT a request gets 429 with Retry-After."""

import pytest
from django.test import override_settings

from api.throttling import parse_rate

from .helpers import Api, make_key

pytestmark = pytest.mark.django_db


@override_settings(API_RATE_LIMIT="3/hour")
def test_it_answers_429_with_retry_after_over_the_limit(cast):
    api = Api(make_key(cast.admin)[1])
    assert [api.get("/api/v1/clients/").status_code for _ in range(3)] == [200, 200, 200]
    response = api.get("/api/v1/clients/")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert 1 <= int(response["Retry-After"]) <= 3600
    assert response.json()["type"] == "urn:moonflow:problem:rate-limited"


@override_settings(API_RATE_LIMIT="2/hour")
def test_each_key_has_its_own_count(cast):
    first = Api(make_key(cast.admin, name="A")[1])
    second = Api(make_key(cast.admin, name="B")[1])
    for _ in range(2):
        first.get("/api/v1/clients/")
    assert first.get("/api/v1/clients/").status_code == 429
    assert second.get("/api/v1/clients/").status_code == 200


def test_a_rate_that_is_not_one_fails_loudly():
    assert parse_rate("600/min") == (600, 60)
    with pytest.raises(ValueError):
        parse_rate("lots")
