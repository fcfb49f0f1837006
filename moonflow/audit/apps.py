from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "moonflow.audit"
    label = "audit"
    verbose_name = "Audit"

    def ready(self):
        from .registry import register_resource_types

        # The core's own resource types; each app registers its own (moonflow.audit.registry).
        register_resource_types({"project": (_("Proyecto"), "tenancy.Project"),
                                 "audit_export": _("Descarga de auditoría")})
