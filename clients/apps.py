from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = "Clientes"

    def ready(self):
        from moonflow.imports.registry import register

        from .importing.clients import ClientImporter
        from .importing.orders import PaymentOrderImporter, PortfolioBaseImporter

        register(ClientImporter())
        register(PortfolioBaseImporter())
        register(PaymentOrderImporter())

        from django.utils.translation import gettext_lazy as _

        from moonflow.audit.registry import register_resource_types
        from moonflow.imports.tables import SettingsTable, register_table

        from .settings_tables import CustomVariableResource, SegmentResource

        register_table(SettingsTable(key="segmentos", label=_("Segmentos"),
                                     resource=SegmentResource, back="clients:segments",
                                     file_name="segmentos.xlsx"))
        register_table(SettingsTable(key="variables", label=_("Variables adicionales"),
                                     resource=CustomVariableResource, back="clients:variables",
                                     file_name="variables_adicionales.xlsx"))
        register_resource_types({
            "client": (_("Cliente"), "clients.Client"),
            "payment_order": (_("Orden de pago"), "clients.PaymentOrder"),
            "segment": (_("Segmento"), "clients.Segment"),
            "custom_variable": (_("Variable adicional"), "clients.CustomVariable"),
            "client_export": _("Descarga de clientes"),
            "payment_order_export": _("Descarga de órdenes de pago"),
        })
