"""Schemathesis against /api/schema/: generated requests to every operation (a bounded
number of examples each) meet no server error and no answer that breaks the schema."""

import pytest
import schemathesis
from schemathesis import checks
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

from tests import factories

from .helpers import make_key

pytestmark = pytest.mark.django_db

EXAMPLES = 10


@pytest.fixture
def api_schema(db):
    """The schema, and the app called through WSGI inside the test's transaction (as
    Django's test client does, requests must not close the test's connection)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def key_text(cast):
    factories.make_client(cast.project, name="Ana", adviser=cast.adviser)
    return make_key(cast.admin)[1]


@override_settings(API_RATE_LIMIT="100000/min")
def test_the_api_keeps_its_schema(api_schema, key_text):
    """Every operation, EXAMPLES generated requests each, every check but one: the schema
    cannot say everything the clients' rules refuse (a document number per type, an Asesor
    ID that exists, a cursor that is one of ours), so a schema-valid request may rightly
    get 400 (positive_data_acceptance); what the API answers must still fit the schema."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 8
    failures = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                             database=None, suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate(headers={"Authorization": f"Bearer {key_text}"},
                                   excluded_checks=[checks.positive_data_acceptance])

        try:
            check()
        except Exception as error:  # every operation is tried; all failures are reported
            failures.append(f"{operation.label}: {str(error)[:1500]}")
    assert not failures, "\n\n".join(failures)
