from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "moonflow.jobs"
    label = "jobs"
    verbose_name = "Log de procesos"
