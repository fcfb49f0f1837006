from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "moonflow.ui"
    label = "ui"
