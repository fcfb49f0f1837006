"""Every page of a project goes to one shard: each URL under /p/<project>/ (walked from
the resolver, tests/isolation_helpers.py, so a page added tomorrow is planned tomorrow)
is requested by project A's admin over a project full of data, its SQL captured and
planned again on the coordinator. A statement on a distributed table that Citus plans
as more than one task is a page that would wait for every node (docs/distribution.md)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.isolation_helpers import (
    browser_for,
    build_project_a,
    combinations,
    entry_ids,
    make_cast,
    module_data,
    project_entries,
)

from .test_routing import _fan_outs

pytestmark = pytest.mark.django_db

PAGES = project_entries()

# The one statement allowed to visit every shard: a job's project looked up by the job's
# id alone (moonflow.jobs.runner.project_of), where a URL or a task carries only the id.
PROJECT_OF_JOB = re.compile(r'\[\d+\]: SELECT "jobs_processjob"."project_id" AS "project_id" '
                            r'FROM "jobs_processjob" WHERE "jobs_processjob"."id" = \d+ ')


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    with module_data(django_db_blocker, tmp_path_factory.mktemp("media")):
        cast = make_cast()
        yield cast, build_project_a(cast)


def _answered(entry, project_a, browser, wanted: int = 3):
    """GETs of `entry` over project A's ids that the page answers (not 404/405), each with
    its captured SQL: up to `wanted` of them (a URL without ids: its one answer)."""
    answered = []
    for values in combinations(entry, project_a.id_tuples(len(entry.id_slots))):
        url = entry.url({"project": "demo", **values})
        with CaptureQueriesContext(connection) as captured:
            page = browser.get(url)
        if page.status_code in (404, 405):
            continue
        assert page.status_code < 500, f"GET {url} → {page.status_code}"
        answered.append((url, captured.captured_queries))
        if len(answered) == wanted:
            break
    return answered


@pytest.mark.parametrize("entry", PAGES, ids=entry_ids(PAGES))
def test_the_page_reads_one_shard(entry, world):
    cast, project_a = world
    answered = _answered(entry, project_a, browser_for(cast.admin))
    problems = []
    for url, queries in answered:
        problems += [f"GET {url}: {f}" for f in _fan_outs(queries) if not PROJECT_OF_JOB.match(f)]
    assert problems == [], "visits every shard:\n" + "\n".join(problems)
