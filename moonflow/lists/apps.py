from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "moonflow.lists"
    label = "lists"
    verbose_name = "Lists"
    default_auto_field = "django.db.models.BigAutoField"
