"""Input that names a field the API does not know is refused, field by field (a typo in a
field name must not be silently ignored)."""

from django.utils.translation import gettext as _
from rest_framework import serializers

UNKNOWN_FIELD = "Campo desconocido."


def unknown_fields(data: dict, known) -> dict:
    """{name: [message]} for every key of `data` outside `known`."""
    return {name: [_(UNKNOWN_FIELD)] for name in sorted(set(data) - set(known))}


class StrictFieldsMixin:
    """For a Serializer: refuse unknown keys with a message on each."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = unknown_fields(data, self.fields)
            if unknown:
                raise serializers.ValidationError(unknown)
        return super().to_internal_value(data)
