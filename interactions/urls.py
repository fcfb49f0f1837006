from django.urls import path

from moonflow.lists.views import list_view_patterns

from . import download_urls, views
from .lists import INTERACTIONS

app_name = "interactions"

urlpatterns = [
    path("interacciones/", views.interaction_tray, name="list"),
    path("interacciones/glosario-de-estados/", views.status_glossary, name="status_glossary"),
    *list_view_patterns(
        INTERACTIONS, prefix="interacciones/",
        names={"columns": "columns", "view_create": "view_create", "view_delete": "view_delete"},
    ),
    # Descargar (the nightly download): its own module.
    *download_urls.urlpatterns,
    path("clientes/<int:pk>/comunicaciones/", views.client_list, name="client_list"),
    path("clientes/<int:pk>/comunicaciones/recientes/", views.client_recent,
         name="client_recent"),
]
