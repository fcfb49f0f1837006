"""/api/: v1 endpoints, the OpenAPI schema and its browsable docs (assets served locally)."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from .views.base import UnknownEndpointView
from .views.bulk import ClientBulkView
from .views.clients import (
    ClientByExternalIdView,
    ClientDetailView,
    ClientListView,
    ClientRestoreView,
)
from .views.interactions import InteractionBulkView, InteractionDetailView, InteractionListView
from .views.jobs import JobDetailView, JobFileView, JobListView
from .views.payment_orders import (
    ClientPaymentOrdersView,
    PaymentOrderBulkView,
    PaymentOrderDetailView,
    PaymentOrderListView,
)
from .views.portfolios import (
    PortfolioContactDetailView,
    PortfolioContactsView,
    PortfolioDetailView,
    PortfolioListView,
)

app_name = "api"

v1 = [
    path("clients/", ClientListView.as_view(), name="clients"),
    path("clients/bulk/", ClientBulkView.as_view(), name="clients_bulk"),
    path("clients/by-external-id/", ClientByExternalIdView.as_view(), name="client_by_external_id"),
    path("clients/<int:pk>/", ClientDetailView.as_view(), name="client"),
    path("clients/<int:pk>/restore/", ClientRestoreView.as_view(), name="client_restore"),
    path("clients/<int:pk>/payment-orders/", ClientPaymentOrdersView.as_view(),
         name="client_payment_orders"),
    path("payment-orders/", PaymentOrderListView.as_view(), name="payment_orders"),
    path("payment-orders/bulk/", PaymentOrderBulkView.as_view(), name="payment_orders_bulk"),
    path("payment-orders/<int:pk>/", PaymentOrderDetailView.as_view(), name="payment_order"),
    path("interactions/", InteractionListView.as_view(), name="interactions"),
    path("interactions/bulk/", InteractionBulkView.as_view(), name="interactions_bulk"),
    path("interactions/<int:pk>/", InteractionDetailView.as_view(), name="interaction"),
    path("portfolios/", PortfolioListView.as_view(), name="portfolios"),
    path("portfolios/<int:pk>/", PortfolioDetailView.as_view(), name="portfolio"),
    path("portfolios/<int:pk>/contacts/", PortfolioContactsView.as_view(),
         name="portfolio_contacts"),
    path("portfolios/<int:pk>/contacts/<int:client_id>/", PortfolioContactDetailView.as_view(),
         name="portfolio_contact"),
    path("jobs/", JobListView.as_view(), name="jobs"),
    path("jobs/<int:pk>/", JobDetailView.as_view(), name="job"),
    path("jobs/<int:pk>/files/<str:file>/", JobFileView.as_view(), name="job_file"),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    # Any other URL under /api/ answers a 404 problem, not the site's HTML page.
    re_path(r"^", UnknownEndpointView.as_view(), name="unknown"),
]
