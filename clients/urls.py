"""Cuentas por cobrar → Clientes. Each view module lists its own routes."""

from .views import payment_orders, record, settings_pages, tray

app_name = "clients"

urlpatterns = [
    *tray.urlpatterns,
    *record.urlpatterns,
    *payment_orders.urlpatterns,
    *settings_pages.urlpatterns,
]
