"""The shared cast, logged-in browsers and a real Celery worker process."""

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client as HttpClient

from moonflow.tenancy.models import Member, Project, Role

from . import factories

ROOT = Path(__file__).resolve().parent.parent


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


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real `celery worker` process on the test database and the test Redis.

    Tests using it must be `transaction=True`, so the worker sees their rows.
    """
    mail_dir = tmp_path_factory.mktemp("mail")
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="moonflow.settings.test",
        DATABASE_NAME=settings.DATABASES["default"]["NAME"],
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
    )
    celery = Path(sys.executable).parent / "celery"
    log = open(tmp_path_factory.mktemp("worker") / "worker.log", "w+")
    proc = subprocess.Popen(
        [str(celery), "-A", "moonflow", "worker", "-Q", "default,imports,exports",
         "-c", "1", "-l", "info", "--without-heartbeat", "--without-mingle", "--without-gossip"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
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
        proc.terminate()
        pytest.fail("The Celery worker did not become ready within 60 s")
    proc.mail_dir = mail_dir
    proc.log = log
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def wait_for(predicate, *, timeout=30.0, interval=0.2, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout} s waiting for {message}")
