from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "transfers"
    verbose_name = "Transferencias"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from moonflow.audit.registry import register_resource_types

        # One event per transfer batch (transfers.services): the Auditoría pages name it.
        register_resource_types({"transfer": _("Transferencia de clientes")})
