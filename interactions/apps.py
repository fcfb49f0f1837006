from django.apps import AppConfig


class InteractionsConfig(AppConfig):
    name = "interactions"
    verbose_name = "Interacciones"

    def ready(self):
        from moonflow.imports.registry import register

        from .importing.importer import InteractionImporter

        register(InteractionImporter())

        from django.utils.translation import gettext_lazy as _

        from moonflow.audit.registry import register_resource_types

        register_resource_types({"interaction_export": _("Descarga de interacciones")})
