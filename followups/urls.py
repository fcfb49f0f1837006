from django.urls import path

from . import views

app_name = "followups"

urlpatterns = [
    path("gestiones/", views.my_gestiones, name="mine"),
    path("gestiones/<int:pk>/completar/", views.followup_complete, name="complete"),
    path("gestiones/<int:pk>/reprogramar/", views.followup_reschedule, name="reschedule"),
    path("gestiones/<int:pk>/anular/", views.followup_cancel, name="cancel"),
    path("clientes/<int:pk>/gestiones/", views.client_panel, name="client_panel"),
    path("clientes/<int:pk>/gestiones/cerradas/", views.closed_more, name="closed_more"),
    path("clientes/<int:pk>/gestiones/nueva/", views.followup_create, name="create"),
    path("clientes/<int:pk>/notas/", views.notes_more, name="notes_more"),
    path("clientes/<int:pk>/notas/nueva/", views.note_add, name="note_add"),
]
