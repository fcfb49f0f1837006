from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = "Gestiones"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from moonflow.audit.registry import register_resource_types

        register_resource_types({"followup": (_("Gestión"), "followups.FollowUp"),
                                 "client_note": (_("Nota del cliente"), "followups.ClientNote")})
