"""Every session runs with the settings pages are measured with (moonflow.settings.base)."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_sessions_run_without_jit_and_without_parallel_workers():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), "
                       "current_setting('max_parallel_workers_per_gather')")
        assert cursor.fetchone() == ("off", "0")
