from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("procesos/", views.job_list_view, name="list"),
    path("procesos/<int:pk>/", views.job_detail, name="detail"),
    path(
        "procesos/<int:pk>/descargar/<str:which>/", views.job_download, name="download"
    ),
    path("notificaciones/", views.notifications, name="notifications"),
    path("notificaciones/leidas/", views.notifications_read, name="notifications_read"),
]
