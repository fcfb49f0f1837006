from django.urls import path

from . import views

app_name = "interactions"

urlpatterns = [
    path("clientes/<int:pk>/comunicaciones/", views.client_list, name="client_list"),
]
