from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "moonflow.audit"
    label = "audit"
    verbose_name = "Audit"
