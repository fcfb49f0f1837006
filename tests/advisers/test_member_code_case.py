"""Asesor IDs are one ID whatever their case: "hv-001" is "HV-001"."""

import pytest
from django.db import IntegrityError, transaction

from moonflow.tenancy.models import Member

from .helpers import HTMX, text, url


def _url(member):
    return url("advisers:edit", project="demo", pk=member.pk)


def test_it_refuses_an_id_that_differs_only_in_case(cast, as_member):
    as_member(cast.admin).post(_url(cast.restricted), {"code": "HV-001"}, **HTMX)
    before = cast.adviser.code

    response = as_member(cast.admin).post(_url(cast.adviser), {"code": "hv-001"}, **HTMX)

    assert "El ID «hv-001» ya lo tiene Asesor2." in text(response)
    cast.adviser.refresh_from_db()
    assert cast.adviser.code == before


def test_it_lets_a_member_change_the_case_of_their_own_id(cast, as_member):
    as_member(cast.admin).post(_url(cast.adviser), {"code": "hv-001"}, **HTMX)

    response = as_member(cast.admin).post(_url(cast.adviser), {"code": "HV-001"}, **HTMX)

    assert response.status_code == 204
    cast.adviser.refresh_from_db()
    assert cast.adviser.code == "HV-001"


def test_it_finds_a_member_by_id_in_any_case(cast):
    Member.objects.filter(pk=cast.adviser.pk).update(code="HV-001")

    assert Member.objects.filter(project=cast.project).with_code(" hv-001 ").get() == cast.adviser


def test_the_database_refuses_two_ids_that_differ_only_in_case(cast):
    Member.objects.filter(pk=cast.adviser.pk).update(code="HV-001")

    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(pk=cast.restricted.pk).update(code="hv-001")

    # In another project the same ID is free.
    Member.objects.filter(pk=cast.outsider.pk).update(code="hv-001")
