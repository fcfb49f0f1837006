from .base import *  # noqa: F401,F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = True

MEDIA_ROOT = BASE_DIR / ".data" / "test" / "media"  # noqa: F405
CELERY_TASK_ALWAYS_EAGER = False

# `make test-citus` (moonflow/citusstack.py): the test database already exists on every
# node of the cluster, with Citus in it; pytest runs with --reuse-db and keeps it.
if env_str("DATABASE_TEST_NAME"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": env_str("DATABASE_TEST_NAME")}  # noqa: F405
