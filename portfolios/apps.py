from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The events the Carteras AUDITORÍA window filters by (the services write them).
CARTERAS_EVENTS = ("created", "updated", "activated", "deactivated", "contact_added",
                   "contact_removed")


class PortfoliosConfig(AppConfig):
    name = "portfolios"
    verbose_name = "Carteras"

    def ready(self):
        from moonflow.audit.registry import register_module

        from .models import Portfolio

        register_module("carteras", label=_("Carteras"),
                        resource_types={"portfolio": (_("Cartera"), Portfolio)},
                        events=CARTERAS_EVENTS)
