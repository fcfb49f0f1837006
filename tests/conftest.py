"""The shared cast, logged-in browsers and a real Celery worker process."""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db.backends.postgresql.operations import DatabaseOperations
from django.test import Client as HttpClient

from moonflow.db.maintenance import REPLICA_MODE
from moonflow.tenancy.models import Member, Project, Role

from . import factories

ROOT = Path(__file__).resolve().parent.parent


def _flush_as_maintenance(sql_flush):
    """Django's flush (the TRUNCATE that ends every `transaction=True` test), run the way
    docs/audit.md's maintenance path runs: under `session_replication_role = replica`,
    local to the flush's own transaction (Django runs it atomically), so the audit
    table's append-only triggers let it empty the table; on Citus the setting is sent
    to the workers too. Every other statement of the suite meets the triggers
    (tests/audit/test_append_only.py)."""

    def flush(self, style, tables, **kwargs):
        statements = sql_flush(self, style, tables, **kwargs)
        return [*REPLICA_MODE, *statements] if statements else []

    return flush


DatabaseOperations.sql_flush = _flush_as_maintenance(DatabaseOperations.sql_flush)


if os.environ.get("MOONFLOW_CITUS") == "1":

    @pytest.fixture(scope="session")
    def django_db_setup(django_db_setup, django_db_blocker):
        """On the Citus cluster (`make test-citus`) the migrated test database is distributed
        by project before any test runs (docs/distribution.md)."""
        from django.core.management import call_command

        with django_db_blocker.unblock():
            call_command("distribute_tables", verbosity=0)


@dataclass
class Cast:
    """Project A's admin, supervisor, open and restricted advisers; project B's outsider."""

    project: Project
    admin: Member
    supervisor: Member
    adviser: Member  # without "Asignación de asesor": sees the whole book
    restricted: Member  # with "Asignación de asesor": sees only their clients
    other_project: Project
    outsider: Member  # admin of project B


@pytest.fixture
def cast(db) -> Cast:
    project = factories.make_project("Demo Cobranzas", slug="demo")
    other = factories.make_project("Otra Empresa", slug="otra")
    supervisor = factories.make_member(project, role=Role.SUPERVISOR, username="supervisor")
    team = factories.make_team(project, "Equipo Norte", supervisor=supervisor)
    return Cast(
        project=project,
        admin=factories.make_member(project, role=Role.ADMIN, username="admin"),
        supervisor=supervisor,
        adviser=factories.make_member(project, username="asesor1", team=team),
        restricted=factories.make_member(project, username="asesor2", team=team, restricted=True),
        other_project=other,
        outsider=factories.make_member(other, role=Role.ADMIN, username="outsider"),
    )


def login(member: Member) -> HttpClient:
    browser = HttpClient()
    browser.force_login(member.user, backend="django.contrib.auth.backends.ModelBackend")
    return browser


@pytest.fixture
def as_member():
    return login


def start_worker(log_path: Path, **env_overrides) -> subprocess.Popen:
    """A real `celery worker` process (its own process group) on the test database.

    Waits until it is ready; `env_overrides` set its environment (another
    broker, shorter job timings). Stop it with `stop_worker`.
    """
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="moonflow.settings.test",
        DATABASE_NAME=settings.DATABASES["default"]["NAME"],
    )
    env.update(env_overrides)
    celery = Path(sys.executable).parent / "celery"
    log = open(log_path, "w+")
    proc = subprocess.Popen(
        [str(celery), "-A", "moonflow", "worker", "-Q", "default,imports,exports",
         "-c", "1", "-l", "info", "--without-heartbeat", "--without-mingle", "--without-gossip"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        log.seek(0)
        if "ready." in log.read():
            break
        if proc.poll() is not None:
            log.seek(0)
            pytest.fail(f"The Celery worker exited at start:\n{log.read()}")
        time.sleep(0.2)
    else:
        stop_worker(proc)
        pytest.fail("The Celery worker did not become ready within 60 s")
    proc.log = log
    return proc


def stop_worker(proc: subprocess.Popen, *, sig=signal.SIGTERM, timeout: float = 20) -> None:
    """Stop the worker and its pool processes (a pool child must not outlive it)."""
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real `celery worker` process on the test database and the test Redis.

    Tests using it must be `transaction=True`, so the worker sees their rows.
    """
    mail_dir = tmp_path_factory.mktemp("mail")
    proc = start_worker(
        tmp_path_factory.mktemp("worker") / "worker.log",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
    )
    proc.mail_dir = mail_dir
    yield proc
    stop_worker(proc)


def wait_for(predicate, *, timeout=30.0, interval=0.2, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout} s waiting for {message}")
