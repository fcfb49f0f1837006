from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "moonflow.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"

    def ready(self):
        from moonflow.db import lookups  # noqa: F401  (registers `__in_array`)
