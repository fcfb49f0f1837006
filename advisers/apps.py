from django.apps import AppConfig


class AdvisersConfig(AppConfig):
    name = "advisers"
    verbose_name = "Usuarios"
