from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo and scale data (the `seed_demo` command); no models."""

    name = "demo"
    verbose_name = "Demo data"
