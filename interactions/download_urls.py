"""The interactions tray's Descargar: the nightly, once-a-day download (see night_downloads)."""

from django.urls import path

from . import download_views

urlpatterns: list = [
    path("interacciones/descargar/", download_views.night_download, name="night_download"),
]
