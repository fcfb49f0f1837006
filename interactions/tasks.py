"""Background work on interactions, found by Celery's autodiscovery (`<app>.tasks`)."""

from .night_downloads import export_interactions_task, run_night_downloads  # noqa: F401
