"""Settings for the benchmarks: the product's own, on the `moonflow_bench` database.

The benchmark database lives on the same PostgreSQL server as DATABASE_URL, so
`make bench` measures the same server the product runs on. DEBUG stays off, as
in production: with DEBUG on Django keeps every query in memory and the
figures would include that bookkeeping.
"""

import os

from moonflow.settings.base import *  # noqa: F401,F403
from moonflow.settings.base import BASE_DIR, DATABASES

BENCH_DATABASE_NAME = os.environ.get("BENCH_DATABASE_NAME", "moonflow_bench")

DEBUG = False
DATABASES["default"]["NAME"] = BENCH_DATABASE_NAME
# Hashing the bench users' passwords is not what is measured.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / ".data" / "bench" / "media"
# Keep the benchmark's output readable: only warnings and errors are logged.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
