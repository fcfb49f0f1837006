from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("auditoria/<str:module>/", views.module_window, name="module"),
    path("auditoria/<str:module>/descargar/", views.module_download, name="module_download"),
    path("ajustes/auditoria/", views.project_log, name="project"),
    path("ajustes/auditoria/columnas/", views.columns, name="columns"),
    path("ajustes/auditoria/vistas/nueva/", views.view_create, name="view_create"),
    path("ajustes/auditoria/vistas/<int:pk>/eliminar/", views.view_delete, name="view_delete"),
    path("ajustes/auditoria/descargar/", views.download, name="download"),
]
