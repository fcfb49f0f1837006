"""Clients in JSON, camelCase: what a client reads as, and what a create or update sends.

Input is only shaped here: the values are cleaned by the client form's path
(`clients.forms.ClientForm`, i.e. `clients.validation.clean_client_row` and the
external-ID check), so the API accepts and refuses exactly what the screen does.
`adviserUserProjectId` is the Asesor ID (Member.code).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from .strict import StrictFieldsMixin
from .plain import PlainReadMixin

from clients.visibility import OTHER_ADVISER, may_read_adviser

# JSON name → the client form's field (clients.forms.ClientForm).
INPUT_FIELDS = {
    "documentType": "document_type",
    "documentNumber": "document_number",
    "name": "name",
    "email": "email",
    "phone": "phone",
    "city": "city",
    "segment": "segment",
    "status": "status",
    "portfolioType": "portfolio_type",
    "contactability": "contactability",
    "contactAlert": "contact_alert",
    "claimCategory": "claim_category",
    "adviserUserProjectId": "adviser_code",
    "supervisorUserProjectId": "supervisor_code",
}
FORM_TO_JSON = {form: json for json, form in INPUT_FIELDS.items()}
VARIABLES = "customVariables"


def json_field_name(form_field: str | None) -> str:
    """The JSON name of a form field or a validation error's field ("extra.<key>",
    "var_<key>", "adviser")."""
    if not form_field or form_field == "__all__":
        return ""
    if form_field.startswith("var_"):
        return f"{VARIABLES}.{form_field.removeprefix('var_')}"
    if form_field.startswith("extra."):
        return f"{VARIABLES}.{form_field.removeprefix('extra.')}"
    if form_field == "adviser":
        return "adviserUserProjectId"
    if form_field == "supervisor":
        return "supervisorUserProjectId"
    return FORM_TO_JSON.get(form_field, form_field)


class ClientSerializer(PlainReadMixin, serializers.Serializer):
    """A client as the API returns it."""

    id = serializers.IntegerField(read_only=True)
    documentType = serializers.CharField(source="document_type")
    documentNumber = serializers.CharField(source="document_number")
    name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    city = serializers.CharField()
    segment = serializers.SerializerMethodField()
    status = serializers.CharField()
    portfolioType = serializers.CharField(source="portfolio_type")
    claimCategory = serializers.CharField(source="claim_category")
    contactability = serializers.CharField()
    contactAlert = serializers.CharField(source="contact_alert")
    adviserUserProjectId = serializers.SerializerMethodField(
        help_text=_("El Asesor ID del asesor asignado; null sin asesor o si es otro asesor "
                    "que esta clave no puede ver."))
    adviserName = serializers.SerializerMethodField()
    supervisorUserProjectId = serializers.SerializerMethodField()
    situation = serializers.IntegerField()
    situationLabel = serializers.CharField(source="get_situation_display")
    balance = serializers.DecimalField(max_digits=18, decimal_places=2)
    customVariables = serializers.JSONField(source="extra")
    deletedAt = serializers.DateTimeField(source="deleted_at", allow_null=True)
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")

    def _readable(self, client) -> bool:
        return may_read_adviser(self.context.get("readable_adviser_ids"), client.adviser_id)

    def get_segment(self, client) -> str | None:
        return client.segment.name if client.segment_id else None

    def get_adviserUserProjectId(self, client) -> str | None:  # noqa: N802 (the JSON name)
        if not client.adviser_id or not self._readable(client):
            return None
        return client.adviser.code

    def get_adviserName(self, client) -> str | None:  # noqa: N802
        if not client.adviser_id:
            return None
        if not self._readable(client):
            return str(OTHER_ADVISER)
        return client.adviser.display_name

    def get_supervisorUserProjectId(self, client) -> str | None:  # noqa: N802
        return client.supervisor.code if client.supervisor_id else None


class ClientInputSerializer(StrictFieldsMixin, serializers.Serializer):
    """What a create (every required field) or an update (only what changes) sends."""

    documentType = serializers.CharField(required=False, allow_blank=True, max_length=20)
    documentNumber = serializers.CharField(required=False, allow_blank=True, max_length=60)
    name = serializers.CharField(required=False, allow_blank=True, max_length=400)
    email = serializers.CharField(required=False, allow_blank=True, max_length=400)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=60)
    city = serializers.CharField(required=False, allow_blank=True, max_length=160)
    segment = serializers.CharField(required=False, allow_blank=True, allow_null=True,
                                    max_length=200)
    status = serializers.CharField(required=False, allow_blank=True, max_length=40)
    portfolioType = serializers.CharField(required=False, allow_blank=True, max_length=40)
    claimCategory = serializers.CharField(required=False, allow_blank=True, max_length=40)
    contactability = serializers.CharField(required=False, allow_blank=True, max_length=40)
    contactAlert = serializers.CharField(required=False, allow_blank=True, max_length=40)
    adviserUserProjectId = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=80,
        help_text=_("El Asesor ID (Ajustes → Usuarios). Vacío o null: sin asesor."))
    supervisorUserProjectId = serializers.CharField(required=False, allow_blank=True,
                                                    allow_null=True, max_length=80)
    customVariables = serializers.DictField(
        child=serializers.CharField(allow_blank=True, allow_null=True, max_length=1000),
        required=False)


    def form_data(self) -> dict:
        """The validated JSON as the client form's data (field → text)."""
        data = {}
        for name, value in self.validated_data.items():
            if name == VARIABLES:
                for key, text in value.items():
                    data[f"var_{key}"] = "" if text is None else text
            else:
                data[INPUT_FIELDS[name]] = "" if value is None else value
        return data


class ExternalIdQuerySerializer(serializers.Serializer):
    documentType = serializers.CharField(max_length=20)
    documentNumber = serializers.CharField(max_length=60)
