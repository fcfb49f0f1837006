"""Production refuses to start without its secrets and passes `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "moonflow.settings.production",
    "SECRET_KEY": "x7Kq9v2LmN4pR8sT1wY5zA3bC6dE0fG2hJ4kL7mN9pQ1rS3tU5vW8xY0zA2bC4dE6",
    "ALLOWED_HOSTS": "cobranzas.example.com",
    "DATABASE_URL": "postgresql://moonflow:secret@db.example.com:5432/moonflow",
    "REDIS_URL": "redis://redis.example.com:6379/0",
}


def _manage(*args, env):
    # Variables of the test process itself (the browser tests' async switch,
    # the test database name) are not part of a production environment.
    dropped = {*PRODUCTION_ENV, "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_NAME"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_it_passes_check_deploy_without_warnings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"])
def test_it_refuses_to_start_without(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert f"The environment variable {missing} must be set." in result.stderr


def test_it_uses_secure_cookies_in_production():
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.DEBUG)"
    )
    # Variables of the test process itself (the browser tests' async switch,
    # the test database name) are not part of a production environment.
    dropped = {*PRODUCTION_ENV, "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_NAME"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    clean.update(PRODUCTION_ENV)
    result = subprocess.run(
        [sys.executable, "-c", f"import django;django.setup();{code}"],
        cwd=ROOT, env=clean, capture_output=True, text=True,
    )
    assert result.stdout.strip() == "True True False", result.stderr


def test_it_refuses_a_database_other_than_postgresql():
    env = dict(PRODUCTION_ENV, DATABASE_URL="sqlite:///tmp/x.db")
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "PostgreSQL only" in result.stderr
