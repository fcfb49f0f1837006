"""Settings shared by every environment; values come from the environment."""

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "axes",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "moonflow.tenancy",
    "moonflow.audit",
    "moonflow.jobs",
    "moonflow.ui",
    "moonflow.lists",
    "moonflow.imports",
    "advisers",
    "clients",
    "portfolios",
    "interactions",
    "followups",
    "transfers",
    "api",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "moonflow.tenancy.middleware.ProjectMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "moonflow.urls"
WSGI_APPLICATION = "moonflow.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "moonflow.tenancy.context_processors.tenancy",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/moonflow"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# Pages read a few rows through an index and stop, and a count gets a time budget
# (moonflow.lists.totals). A parallel plan's workers only add their start-up to that
# (the interactions tray's first page for a restricted adviser: 34-51 ms with two
# workers, 9 ms without, bench-interactions), and a plan costed above jit_above_cost is
# compiled first (245 ms for that page's count, which no statement_timeout interrupts:
# a 15 ms budget took 160-570 ms). Both are off for every session; a job that wants
# them SETs them for its own statement (the exports already run with jit off).
_options = DATABASES["default"].setdefault("OPTIONS", {})
_options["options"] = (
    _options.get("options", "")
    + f" -c max_parallel_workers_per_gather={env_int('DB_PARALLEL_WORKERS_PER_GATHER', 0)}"
    + f" -c jit={env_str('DB_JIT', 'off')}"
).strip()
# Lets a test's worker process reach the test database on the same server.
if env_str("DATABASE_NAME"):
    DATABASES["default"]["NAME"] = env_str("DATABASE_NAME")
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Moonflow runs on PostgreSQL only: DATABASE_URL must be postgresql://…")
# Django's backend with grouping by every selected column (moonflow/db/postgresql).
DATABASES["default"]["ENGINE"] = "moonflow.db.postgresql"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Brute-force protection: lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Español")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Bogota"
USE_I18N = True
USE_TZ = True
# Numbers a person reads are grouped explicitly (intcomma, floatformat:"2g",
# number_format(force_grouping=True)); a bare {{ id }} is never "1.234" in a link.
USE_THOUSAND_SEPARATOR = False
# One way to write numbers per language (es: 1.234,56), see moonflow/formats/.
FORMAT_MODULE_PATH = ["moonflow.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / ".data" / "media")))

# Uploaded and generated files go through the storage API, so web and workers
# can live on different machines (an S3-compatible store in production).
_S3_BUCKET = env_str("S3_BUCKET")
STORAGES = {
    "default": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": _S3_BUCKET,
                "endpoint_url": env_str("S3_ENDPOINT_URL"),
                "access_key": env_str("S3_ACCESS_KEY"),
                "secret_key": env_str("S3_SECRET_KEY"),
            },
        }
        if _S3_BUCKET
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "moonflow"),
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# redis-py speaks unix://path; kombu wants redis+socket://path for the same socket.
CELERY_BROKER_URL = (
    "redis+socket://" + REDIS_URL.removeprefix("unix://")
    if REDIS_URL.startswith("unix://")
    else REDIS_URL
)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "clients.tasks.import_*": {"queue": "imports"},
    "moonflow.imports.tasks.*": {"queue": "imports"},
    "*.tasks.export_*": {"queue": "exports"},
}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 6 * 3600,
    # A broker that is down or frozen must cost a request seconds, not minutes:
    # a job that could not be sent stays recorded and the sweeper sends it.
    "socket_timeout": env_int("BROKER_SOCKET_TIMEOUT", 3),
    "socket_connect_timeout": env_int("BROKER_SOCKET_TIMEOUT", 3),
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "purge-expired-job-files": {
        "task": "moonflow.jobs.tasks.purge_expired_files",
        "schedule": crontab(hour=3, minute=30),
    },
    # Jobs whose message was lost are sent again (moonflow/jobs/sweeper.py).
    "sweep-jobs": {
        "task": "moonflow.jobs.tasks.sweep_jobs",
        "schedule": env_int("JOB_SWEEP_SECONDS", 60),
        "options": {"expires": env_int("JOB_SWEEP_SECONDS", 60)},
    },
    # Each SFTP source is polled when its own schedule says (moonflow/imports/sftp.py).
    "poll-sftp-sources": {
        "task": "moonflow.imports.tasks.poll_sftp_sources",
        "schedule": 60,
        "options": {"expires": 60},
    },
    # Clients in the recycle bin longer than RECYCLE_BIN_DAYS are deleted for good.
    "purge-recycle-bins": {
        "task": "clients.tasks.purge_recycle_bins",
        "schedule": crontab(hour=4, minute=0),
    },
    # Interactions' offline downloads: each project's due requests are taken while its
    # night window is open (interactions/night_downloads.py); the claim makes two
    # schedulers firing at once harmless.
    "run-night-downloads": {
        "task": "interactions.tasks.run_night_downloads",
        "schedule": env_int("NIGHT_DOWNLOAD_SECONDS", 300),
        "options": {"expires": env_int("NIGHT_DOWNLOAD_SECONDS", 300)},
    },
    # Stored answers of idempotent API requests are kept 24 h (api/idempotency.py).
    "purge-idempotent-answers": {
        "task": "api.tasks.purge_idempotent_answers",
        "schedule": crontab(hour=4, minute=30),
    },
    # Hourly, so that each project is recomputed right after its own midnight.
    "recompute-situations": {
        "task": "clients.tasks.recompute_all_situations",
        "schedule": crontab(minute=5),
    },
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / ".data" / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Moonflow <no-reply@moonflow.local>")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# Job files (results, error reports) are kept this many days, then purged.
JOB_FILE_RETENTION_DAYS = env_int("JOB_FILE_RETENTION_DAYS", 7)
# Job delivery (moonflow/jobs/runner.py, sweeper.py): a running job beats every
# JOB_HEARTBEAT_SECONDS; one silent for JOB_STALE_AFTER_SECONDS lost its worker
# and is sent again, up to JOB_MAX_ATTEMPTS claims in all; a queued job not
# started after JOB_REQUEUE_AFTER_SECONDS is sent again, and fails after
# JOB_QUEUED_EXPIRE_HOURS.
JOB_HEARTBEAT_SECONDS = env_int("JOB_HEARTBEAT_SECONDS", 30)
JOB_STALE_AFTER_SECONDS = env_int("JOB_STALE_AFTER_SECONDS", 180)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3)
JOB_REQUEUE_AFTER_SECONDS = env_int("JOB_REQUEUE_AFTER_SECONDS", 600)
JOB_ENQUEUE_GRACE_SECONDS = env_int("JOB_ENQUEUE_GRACE_SECONDS", 10)
JOB_QUEUED_EXPIRE_HOURS = env_int("JOB_QUEUED_EXPIRE_HOURS", 24)

# Imports (moonflow/imports): the largest file and the most data rows one file may
# have; rows written per transaction (each chunk is a checkpoint); the share of
# the scope an "actualizar incluyendo eliminación" import may send to the recycle
# bin before it asks for a second confirmation naming the number.
RECYCLE_BIN_DAYS = env_int("RECYCLE_BIN_DAYS", 14)  # the Papelera keeps a client this long
# SFTP sources: their passwords and keys are stored encrypted with this key (Fernet;
# derived from SECRET_KEY when unset). Rotating it makes stored secrets unreadable:
# each source then asks for its secret again.
SECRETS_KEY = env_str("SECRETS_KEY", "")
SFTP_TIMEOUT_SECONDS = env_int("SFTP_TIMEOUT_SECONDS", 20)
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 200 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 2_000_000)
IMPORT_CHUNK_ROWS = env_int("IMPORT_CHUNK_ROWS", 5_000)
IMPORT_DELETE_CONFIRM_PERCENT = env_int("IMPORT_DELETE_CONFIRM_PERCENT", 20)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Every refusal of the API as application/problem+json (api/problems.py).
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerKeyAuthentication"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": None,
}
# Requests per API key and window ("600/min", "20/s", "10000/hour"), counted in Redis.
API_RATE_LIMIT = env_str("API_RATE_LIMIT", "600/min")
# A bulk upsert of up to API_BULK_SYNC_MAX clients is written by the request and answered
# row by row; a larger one (up to API_BULK_MAX_ROWS) becomes an import job.
API_BULK_SYNC_MAX = env_int("API_BULK_SYNC_MAX", 5_000)
API_BULK_MAX_ROWS = env_int("API_BULK_MAX_ROWS", 50_000)
# When a worker took a small batch's job before its request could run it, the request waits
# this long for the worker to end it (then answers row by row) before answering 202.
API_BULK_WAIT_SECONDS = env_int("API_BULK_WAIT_SECONDS", 120)
SPECTACULAR_SETTINGS = {
    "TITLE": "Moonflow API",
    "DESCRIPTION": "Clients, bulk upserts through the import engine, and jobs. "
                   "Authenticate with `Authorization: Bearer <key>` (Ajustes → Integraciones → "
                   "API). Errors are application/problem+json. See docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs page's assets come from drf-spectacular-sidecar's static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
