from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "moonflow.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"
