from django.apps import AppConfig


class InteractionsConfig(AppConfig):
    name = "interactions"
    verbose_name = "Interacciones"

    def ready(self):
        from moonflow.imports.registry import register

        from .importing.importer import InteractionImporter

        register(InteractionImporter())
