"""Transfers' screens; each view module lists its own routes."""

from . import views

app_name = "transfers"

urlpatterns = [*views.urlpatterns]
