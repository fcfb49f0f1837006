"""The bulk upsert's body and answer (POST /api/v1/clients/bulk/)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from moonflow.tenancy.models import Member

from .clients import INPUT_FIELDS, VARIABLES

MODES = {"update": "update", "updateInclDelete": "update_delete"}  # JSON → the engine's
TRANSFER_MODES = ("none", "move")
RESULTS = ("created", "updated", "unchanged", "restored", "transferred", "failed")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


class BulkScopeSerializer(serializers.Serializer):
    adviserUserProjectId = serializers.CharField(
        max_length=80, help_text=gettext_lazy("Solo la cartera de este asesor (Asesor ID)."))


class BulkClientsField(serializers.ListField):
    """The rows: objects with the client's JSON fields (values as text or numbers)."""

    child = serializers.DictField()

    def to_internal_value(self, data):
        rows = super().to_internal_value(data)
        known = set(INPUT_FIELDS) | {VARIABLES}
        errors = {}
        out = []
        for index, row in enumerate(rows):
            unknown = sorted(set(row) - known)
            variables = row.get(VARIABLES) or {}
            if unknown or not isinstance(variables, dict):
                errors[index] = {name: [_("Campo desconocido.")] for name in unknown} or {
                    VARIABLES: [_("Debe ser un objeto.")]}
                continue
            cells = {INPUT_FIELDS[name]: _text(value) for name, value in row.items()
                     if name != VARIABLES}
            # Every row names its client (the external ID): the import matches by it.
            missing = {name: [_("Este campo es obligatorio.")]
                       for name in ("documentType", "documentNumber")
                       if not cells.get(INPUT_FIELDS[name], "").strip()}
            if missing:
                errors[index] = missing
                continue
            cells.update({f"extra.{key}": _text(value) for key, value in variables.items()})
            out.append(cells)
        if errors:
            raise serializers.ValidationError(errors)
        return out


class BulkUpsertSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=list(MODES), default="update", help_text=(
        gettext_lazy("update: los clientes del alcance ausentes del lote quedan igual; "
                     "updateInclDelete: van a la papelera.")))
    scope = BulkScopeSerializer(required=False, allow_null=True, help_text=gettext_lazy(
        "Vacío: todo el proyecto."))
    transferMode = serializers.ChoiceField(choices=list(TRANSFER_MODES), default="none")
    # "async" is a Python keyword: the field is named by its JSON name below.
    clients = BulkClientsField(min_length=1)

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["async"] = serializers.BooleanField(default=False, help_text=gettext_lazy(
            "true: como proceso en segundo plano (202) aunque el lote sea pequeño."))
        self.fields["clients"].max_length = settings.API_BULK_MAX_ROWS

    def validate_scope(self, value):
        if not value:
            return None
        adviser = Member.objects.filter(project=self.project).with_code(
            value["adviserUserProjectId"]).first()
        if adviser is None:
            raise serializers.ValidationError({"adviserUserProjectId": [_(
                "Asesor ID «%(code)s»: no hay un usuario con ese ID en el proyecto.") % {
                "code": value["adviserUserProjectId"][:40]}]})
        return adviser


class BulkRowSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The row's position in `clients` (from 0)")
    documentType = serializers.CharField(allow_blank=True)
    documentNumber = serializers.CharField(allow_blank=True)
    result = serializers.ChoiceField(choices=RESULTS)
    clientId = serializers.IntegerField(allow_null=True)
    errors = serializers.ListField(child=serializers.DictField(), required=False)


class BulkJobRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    status = serializers.CharField()


class BulkAnswerSerializer(serializers.Serializer):
    job = BulkJobRefSerializer()
    counts = serializers.DictField(child=serializers.IntegerField(), required=False)
    results = BulkRowSerializer(many=True, required=False)
    detail = serializers.CharField(required=False)
