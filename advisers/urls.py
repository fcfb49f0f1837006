from django.urls import path

from . import views
from .export_views import member_export

app_name = "advisers"

urlpatterns = [
    path("usuarios/", views.member_list, name="list"),
    path("usuarios/invitar/", views.member_invite, name="invite"),
    # POST: the members spreadsheet is made by a background job.
    path("usuarios/descargar/", member_export, name="export"),
    path("usuarios/<int:pk>/permisos/", views.member_permissions, name="permissions"),
    path("usuarios/<int:pk>/editar/", views.member_edit, name="edit"),
    path("usuarios/<int:pk>/historial/", views.member_history_view, name="history"),
    path(
        "usuarios/<int:pk>/desactivar/",
        views.member_state,
        {"active": False},
        name="deactivate",
    ),
    path("usuarios/<int:pk>/reactivar/", views.member_state, {"active": True}, name="activate"),
    path("equipos/", views.team_list, name="teams"),
    path("equipos/crear/", views.team_create, name="team_create"),
    path("equipos/<int:pk>/editar/", views.team_edit, name="team_edit"),
]
