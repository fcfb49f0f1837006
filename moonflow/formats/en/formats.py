"""English formats: 1,234.56, dates as the Spanish UI writes them (dd/mm/yyyy, 24 h)."""

from django.conf.locale.en.formats import *  # noqa: F401,F403

DATE_FORMAT = "d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "d/m/Y H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
