"""Shapes every endpoint shares, for the schema: problems, totals, pages."""

from rest_framework import serializers

from .clients import ClientSerializer


class FieldMessageSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The JSON field (camelCase); empty: the request")
    message = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    """application/problem+json (RFC 9457)."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = FieldMessageSerializer(many=True, required=False)


class TotalSerializer(serializers.Serializer):
    value = serializers.IntegerField()
    exact = serializers.BooleanField(help_text="False: an estimate (large lists are not "
                                               "counted on every page)")


class ClientPageSerializer(serializers.Serializer):
    results = ClientSerializer(many=True)
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    total = TotalSerializer()
