import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "moonflow.settings.dev")

app = Celery("moonflow")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["moonflow.jobs", "moonflow.imports"])
