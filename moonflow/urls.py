from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views
from .tenancy.project_settings import project_settings

# Everything under /p/<project>/ is resolved to a project and a member by
# moonflow.tenancy.middleware.ProjectMiddleware before any view runs.
project_patterns = [
    path("", views.project_home, name="project_home"),
    path("", include("clients.urls")),
    path("", include("interactions.urls")),
    path("", include("followups.urls")),
    path("", include("portfolios.urls")),
    path("", include("transfers.urls")),
    path("", include("moonflow.jobs.urls")),
    path("", include("moonflow.audit.urls")),
    path("ajustes/", include("advisers.urls")),
    path("ajustes/proyecto/", project_settings, name="project_settings"),
    path("ajustes/integraciones/api/", include("api.screens")),
    path("ajustes/integraciones/", include("moonflow.imports.views")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "cuenta/ingresar/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("cuenta/salir/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "cuenta/contrasena/", auth_views.PasswordChangeView.as_view(), name="password_change"
    ),
    path(
        "cuenta/contrasena/cambiada/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("cuenta/restablecer/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "cuenta/restablecer/enviado/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "cuenta/restablecer/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "cuenta/restablecer/listo/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", views.healthz, name="healthz"),
    # The REST API (docs/api.md): the key, not the URL, carries the project.
    path("api/", include("api.urls")),
    path("p/<slug:project>/", include(project_patterns)),
]

handler400 = "moonflow.errors.bad_request"
handler403 = "moonflow.errors.permission_denied"
handler404 = "moonflow.errors.page_not_found"
