"""Bulk upserts' bodies and answers: the rows of any resource as the importer's cells
(`BulkRowsField`), the scope and `async` every batch takes, and the clients' batch
(POST /api/v1/clients/bulk/)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from moonflow.tenancy.models import Member

from .clients import INPUT_FIELDS, VARIABLES
from .strict import unknown_fields

MODES = {"update": "update", "updateInclDelete": "update_delete"}  # JSON → the engine's
TRANSFER_MODES = ("none", "move")
RESULTS = ("created", "updated", "unchanged", "restored", "transferred", "failed")


def _text(value, *, money: bool = False) -> str:
    """A JSON value as the cell a file would hold. An amount given as a JSON number is
    written with "." and two decimals ("1250000.50"), which no file's decimal mark makes
    ambiguous."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if money and isinstance(value, (int, float, Decimal)):
        number = Decimal(str(value))
        if -number.as_tuple().exponent <= 2:
            return f"{number:.2f}"
        return format(number, "f")
    return str(value)


class BulkScopeSerializer(serializers.Serializer):
    adviserUserProjectId = serializers.CharField(
        max_length=80, help_text=gettext_lazy("Solo la cartera de este asesor (Asesor ID)."))


class BulkRowsField(serializers.ListField):
    """The rows: objects with the resource's JSON fields (values as text or numbers), each
    turned into the importer's cells ({field key: text}).

    `fields` maps each JSON name to the importer's field key; `variables`, when given, is
    the JSON name of an object of custom variables ("extra.<key>" cells); `required` names
    what every row must send (what the importer matches it by); `money` the amounts."""

    child = serializers.DictField()

    def __init__(self, *, fields: dict, required: tuple = (), variables: str | None = None,
                 money: tuple = (), **kwargs):
        super().__init__(**kwargs)
        self.input_fields = fields
        self.required_fields = required
        self.variables = variables
        self.money = set(money)

    def _cells(self, row: dict) -> tuple[dict, dict]:
        """(the row's cells, its errors by JSON field)."""
        known = set(self.input_fields) | ({self.variables} if self.variables else set())
        unknown = unknown_fields(row, known)
        variables = row.get(self.variables) or {} if self.variables else {}
        if unknown:
            return {}, unknown
        if not isinstance(variables, dict):
            return {}, {self.variables: [_("Debe ser un objeto.")]}
        cells = {self.input_fields[name]: _text(value, money=name in self.money)
                 for name, value in row.items() if name != self.variables}
        missing = {name: [_("Este campo es obligatorio.")] for name in self.required_fields
                   if not cells.get(self.input_fields[name], "").strip()}
        if missing:
            return {}, missing
        cells.update({f"extra.{key}": _text(value) for key, value in variables.items()})
        return cells, {}

    def to_internal_value(self, data):
        # The limit is the setting's, set on each serializer after the field was built (so
        # after ListField made its validator): checked here.
        if self.max_length is not None and isinstance(data, list) and len(
                data) > self.max_length:
            raise serializers.ValidationError(_(
                "Un lote admite hasta %(max)s filas; este tiene %(count)s: divídalo.") % {
                "max": self.max_length, "count": len(data)})
        rows = super().to_internal_value(data)
        errors, out = {}, []
        for index, row in enumerate(rows):
            cells, row_errors = self._cells(row)
            if row_errors:
                errors[index] = row_errors
            else:
                out.append(cells)
        if errors:
            raise serializers.ValidationError(errors)
        return out


def client_rows_field() -> BulkRowsField:
    # Every row names its client (the external ID): the import matches by it.
    return BulkRowsField(fields=INPUT_FIELDS, required=("documentType", "documentNumber"),
                         variables=VARIABLES, min_length=1)


class BulkScopedSerializer(serializers.Serializer):
    """What every batch takes: an optional adviser's scope, `async`, and the rows (each
    resource's serializer names them)."""

    scope = BulkScopeSerializer(required=False, allow_null=True, help_text=gettext_lazy(
        "Vacío: todo el proyecto."))

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["async"] = serializers.BooleanField(default=False, help_text=gettext_lazy(
            "true: como proceso en segundo plano (202) aunque el lote sea pequeño."))

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


class BulkUpsertSerializer(BulkScopedSerializer):
    mode = serializers.ChoiceField(choices=list(MODES), default="update", help_text=(
        gettext_lazy("update: los clientes del alcance ausentes del lote quedan igual; "
                     "updateInclDelete: van a la papelera.")))
    transferMode = serializers.ChoiceField(choices=list(TRANSFER_MODES), default="none")
    # "async" is a Python keyword: the field is added by its JSON name (BulkScopedSerializer).
    clients = client_rows_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clients"].max_length = settings.API_BULK_MAX_ROWS


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
