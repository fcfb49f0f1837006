"""Spanish formats as the product writes them: 1.234,56 (Django's "es" groups with a space)."""

from django.conf.locale.es.formats import *  # noqa: F401,F403

DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
