from django.urls import path

from moonflow.lists.views import list_view_patterns

from . import views
from .lists import JOBS

app_name = "jobs"

urlpatterns = [
    path("procesos/", views.job_list_view, name="list"),
    *list_view_patterns(JOBS, prefix="procesos/", names={
        "columns": "columns", "view_create": "view_create", "view_delete": "view_delete"}),
    path("procesos/<int:pk>/", views.job_detail, name="detail"),
    path(
        "procesos/<int:pk>/descargar/<str:which>/", views.job_download, name="download"
    ),
    path("notificaciones/", views.notifications, name="notifications"),
    path("notificaciones/leidas/", views.notifications_read, name="notifications_read"),
]
