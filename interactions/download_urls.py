"""The interactions tray's Descargar: the nightly, once-a-day download (see night_downloads)."""

urlpatterns: list = []
