"""The suite and its worker process run on the test settings, whatever started them."""

from pathlib import Path

import pytest
from django.conf import settings

TEST_SETTINGS = "moonflow.settings.test"


def test_it_runs_the_suite_on_the_test_settings():
    assert settings.SETTINGS_MODULE == TEST_SETTINGS
    assert settings.DEBUG is False
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert Path(settings.MEDIA_ROOT).parts[-3:] == (".data", "test", "media")


@pytest.mark.worker
def test_it_runs_the_worker_on_the_test_settings(celery_worker_process):
    environ = Path(f"/proc/{celery_worker_process.pid}/environ").read_bytes().split(b"\0")
    variables = dict(item.decode().split("=", 1) for item in environ if b"=" in item)
    assert variables["DJANGO_SETTINGS_MODULE"] == TEST_SETTINGS
    assert variables["DATABASE_NAME"] == settings.DATABASES["default"]["NAME"]
