"""Interactions in JSON, camelCase: what a record reads as, and what a create or a batch
sends (cleaned by the communications importer, `interactions.importing`). Records are
only registered: nothing is sent to anyone."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from clients.visibility import OTHER_ADVISER, may_read_adviser

from .bulk import BulkJobRefSerializer, BulkRowsField, BulkScopedSerializer
from .common import TotalSerializer
from .strict import StrictFieldsMixin
from .plain import PlainReadMixin

# JSON name → the communications importer's field key.
INTERACTION_FIELDS = {
    "documentType": "document_type",
    "documentNumber": "document_number",
    "direction": "direction",
    "channel": "channel",
    "scheduledAt": "scheduled_at",
    "sentAt": "sent_at",
    "campaignKind": "campaign_kind",
    "campaign": "campaign",
    "template": "template",
    "recipientKind": "recipient_kind",
    "recipients": "recipients",
    "status": "status",
    "adviserUserProjectId": "adviser_code",
    "errorMessage": "error_message",
    "outcome": "outcome",
    "promiseAmount": "promise_amount",
    "promiseDate": "promise_date",
}
_KEY_TO_JSON = {key: name for name, key in INTERACTION_FIELDS.items()}
RESULTS = ("created", "unchanged", "failed")


def interaction_field_name(key: str | None) -> str:
    return _KEY_TO_JSON.get(key or "", key or "")


class InteractionSerializer(PlainReadMixin, serializers.Serializer):
    id = serializers.IntegerField()
    clientId = serializers.IntegerField(source="client_id")
    direction = serializers.CharField()
    channel = serializers.CharField()
    channelLabel = serializers.CharField(source="get_channel_display")
    scheduledAt = serializers.DateTimeField(source="scheduled_at", allow_null=True)
    sentAt = serializers.DateTimeField(source="sent_at", allow_null=True)
    campaignKind = serializers.CharField(source="campaign_kind")
    campaign = serializers.CharField()
    template = serializers.CharField()
    recipientKind = serializers.CharField(source="recipient_kind")
    recipients = serializers.CharField()
    status = serializers.CharField()
    statusLabel = serializers.CharField(source="get_status_display")
    adviserUserProjectId = serializers.SerializerMethodField(help_text=_(
        "El Asesor ID del asesor de la gestión; null sin asesor o si es otro asesor que esta "
        "clave no puede ver."))
    adviserName = serializers.SerializerMethodField()
    errorMessage = serializers.CharField(source="error_message")
    source = serializers.CharField(help_text=_("platform o uploaded (Carga masiva: también "
                                               "la API)."))
    outcome = serializers.CharField()
    promiseAmount = serializers.DecimalField(source="promise_amount", max_digits=18,
                                             decimal_places=2, allow_null=True)
    promiseDate = serializers.DateField(source="promise_date", allow_null=True)
    createdAt = serializers.DateTimeField(source="created_at")

    def _readable(self, record) -> bool:
        return may_read_adviser(self.context.get("readable_adviser_ids"), record.adviser_id)

    def get_adviserUserProjectId(self, record) -> str | None:  # noqa: N802 (the JSON name)
        if not record.adviser_id or not self._readable(record):
            return None
        return record.adviser.code

    def get_adviserName(self, record) -> str | None:  # noqa: N802
        if not record.adviser_id:
            return None
        if not self._readable(record):
            return str(OTHER_ADVISER)
        return record.adviser.display_name


class InteractionPageSerializer(serializers.Serializer):
    results = InteractionSerializer(many=True)
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    total = TotalSerializer()


def interaction_rows_field(**kwargs) -> BulkRowsField:
    # Every row names its client (the external ID): the importer finds it by it.
    return BulkRowsField(fields=INTERACTION_FIELDS, money=("promiseAmount",),
                         required=("documentType", "documentNumber"), **kwargs)


def _text_field(help_text=None, **kwargs):
    return serializers.CharField(required=False, allow_blank=True, allow_null=True,
                                 max_length=500, help_text=help_text, **kwargs)


class InteractionInputSerializer(StrictFieldsMixin, serializers.Serializer):
    """One record to register (the same fields as a batch's row)."""

    documentType = serializers.CharField(max_length=20)
    documentNumber = serializers.CharField(max_length=60)
    direction = _text_field(_("outbound o inbound (o su nombre). Vacío: outbound."))
    channel = serializers.CharField(max_length=40, help_text=_(
        "whatsapp, sms, email, voice, push, ivr o portal (o su nombre)."))
    scheduledAt = serializers.CharField(max_length=40, help_text=_(
        "Fecha de envío: aaaa-mm-ddThh:mm[:ss][±hh:mm] o dd/mm/aaaa hh:mm; sin zona, la del "
        "proyecto."))
    sentAt = _text_field()
    campaignKind = _text_field(_("flow, event o campaign."))
    campaign = _text_field()
    template = _text_field()
    recipientKind = _text_field(_("client, reference o guarantor. Vacío: client."))
    recipients = serializers.CharField(max_length=500, help_text=_(
        "El número o la dirección; varios separados por coma."))
    status = serializers.CharField(max_length=40, help_text=_(
        "scheduled, sent, delivered, read, unread, failed, bounced o answered."))
    adviserUserProjectId = _text_field(_("Vacío: el asesor del cliente."))
    errorMessage = _text_field()
    outcome = _text_field(_("promise o to_verify. Vacío: sin resultado de pago."))
    promiseAmount = _text_field(_("Un número JSON o un texto (250.000,00)."))
    promiseDate = _text_field(_("aaaa-mm-dd o dd/mm/aaaa."))

    def to_internal_value(self, data):
        if isinstance(data, dict) and isinstance(data.get("promiseAmount"), (int, float)):
            data = {**data, "promiseAmount": str(data["promiseAmount"])}
        return super().to_internal_value(data)

    def cells(self) -> dict:
        """The record as the importer's cells (the batch's way, through its field)."""
        row = {name: value for name, value in self.initial_data.items() if value is not None}
        return interaction_rows_field().to_internal_value([row])[0]


class InteractionBulkSerializer(BulkScopedSerializer):
    interactions = interaction_rows_field(min_length=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interactions"].max_length = settings.API_BULK_MAX_ROWS


class InteractionBulkRowSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The row's position in `interactions` (from 0)")
    documentType = serializers.CharField(allow_blank=True)
    documentNumber = serializers.CharField(allow_blank=True)
    result = serializers.ChoiceField(choices=RESULTS, help_text=(
        "created: registered now; unchanged: the same record was already registered"))
    clientId = serializers.IntegerField(allow_null=True)
    interactionId = serializers.IntegerField(allow_null=True)
    errors = serializers.ListField(child=serializers.DictField(), required=False)


class InteractionBulkAnswerSerializer(serializers.Serializer):
    job = BulkJobRefSerializer()
    counts = serializers.DictField(child=serializers.IntegerField(), required=False)
    results = InteractionBulkRowSerializer(many=True, required=False)
    detail = serializers.CharField(required=False)
