"""The transfer jobs (registered with Celery by importing them here)."""

from .jobs import transfer_task  # noqa: F401
