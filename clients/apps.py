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
