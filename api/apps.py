from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"

    def ready(self):
        from moonflow.audit.registry import register_resource_types

        from . import schema  # noqa: F401 (registers the Bearer key scheme)
        from .models import ApiKey

        register_resource_types({"api_key": (_("Clave de API"), ApiKey)})
