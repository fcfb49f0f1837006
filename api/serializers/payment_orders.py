"""Payment orders in JSON, camelCase: what an order reads as, what a create or an update
sends (cleaned by the order form's path, `clients.forms.PaymentOrderForm`), and a batch
(cleaned by the payment orders importer, `clients.importing.orders`)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .bulk import BulkJobRefSerializer, BulkRowsField, BulkScopedSerializer
from .clients import json_field_name
from .common import TotalSerializer
from .strict import StrictFieldsMixin
from .plain import PlainReadMixin

# JSON name → the order form's field and the importer's field key (the same names).
ORDER_FIELDS = {
    "number": "number",
    "kind": "kind",
    "amount": "amount",
    "interest": "interest",
    "discounts": "discounts",
    "payments": "payments",
    "currency": "currency",
    "issuedOn": "issued_on",
    "dueDate": "due_date",
}
MONEY_FIELDS = ("amount", "interest", "discounts", "payments", "balance")
# A batch's row: the client's external ID, the order's fields and its balance ("Saldo").
BULK_ORDER_FIELDS = {"documentType": "document_type", "documentNumber": "document_number",
                     **ORDER_FIELDS, "balance": "balance"}
_KEY_TO_JSON = {key: name for name, key in BULK_ORDER_FIELDS.items()}


def order_field_name(key: str | None) -> str:
    """The JSON name of an order form field or an importer's column."""
    if not key or key == "__all__":
        return ""
    return _KEY_TO_JSON.get(key) or json_field_name(key)


class PaymentOrderSerializer(PlainReadMixin, serializers.Serializer):
    id = serializers.IntegerField()
    clientId = serializers.IntegerField(source="client_id")
    number = serializers.CharField()
    kind = serializers.CharField()
    kindLabel = serializers.CharField(source="get_kind_display")
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    interest = serializers.DecimalField(max_digits=18, decimal_places=2)
    discounts = serializers.DecimalField(max_digits=18, decimal_places=2)
    payments = serializers.DecimalField(max_digits=18, decimal_places=2)
    total = serializers.DecimalField(max_digits=18, decimal_places=2, help_text=_(
        "Monto + intereses − descuentos − pagos."))
    currency = serializers.CharField()
    issuedOn = serializers.DateField(source="issued_on", allow_null=True)
    dueDate = serializers.DateField(source="due_date")
    status = serializers.CharField(help_text=_("pending, paid o annulled (lo guardado)."))
    state = serializers.CharField(help_text=_(
        "vigente, vencida, pagada o anulada: el estado de hoy, como en Órdenes de pago."))
    paidAt = serializers.DateTimeField(source="paid_at", allow_null=True)
    annulledAt = serializers.DateTimeField(source="annulled_at", allow_null=True)
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")


class PaymentOrderPageSerializer(serializers.Serializer):
    results = PaymentOrderSerializer(many=True)
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    total = TotalSerializer()


def _amount(**kwargs):
    return serializers.CharField(required=False, allow_blank=True, max_length=30, help_text=_(
        "Un número JSON (1250000.5) o un texto como en la pantalla (1.250.000,50)."), **kwargs)


class PaymentOrderInputSerializer(StrictFieldsMixin, serializers.Serializer):
    """What a create (number, amount and due date) or an update (only what changes) sends."""

    number = serializers.CharField(required=False, allow_blank=True, max_length=60)
    kind = serializers.CharField(required=False, allow_blank=True, max_length=40, help_text=_(
        "installment, invoice, payment_plan o receipt (o su nombre). Vacío: invoice."))
    amount = _amount()
    interest = _amount()
    discounts = _amount()
    payments = _amount()
    currency = serializers.CharField(required=False, allow_blank=True, max_length=10)
    issuedOn = serializers.CharField(required=False, allow_blank=True, allow_null=True,
                                     max_length=20, help_text=_("aaaa-mm-dd o dd/mm/aaaa."))
    dueDate = serializers.CharField(required=False, allow_blank=True, max_length=20,
                                    help_text=_("aaaa-mm-dd o dd/mm/aaaa."))


    def form_data(self) -> dict:
        """The validated JSON as the order form's data (field → text)."""
        return {ORDER_FIELDS[name]: "" if value is None else value
                for name, value in self.validated_data.items()}


def order_rows_field() -> BulkRowsField:
    # Every row names its client (the external ID) and its order (the number).
    return BulkRowsField(fields=BULK_ORDER_FIELDS, money=MONEY_FIELDS, min_length=1,
                         required=("documentType", "documentNumber", "number"))


class PaymentOrderBulkSerializer(BulkScopedSerializer):
    paymentOrders = order_rows_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paymentOrders"].max_length = settings.API_BULK_MAX_ROWS


class PaymentOrderBulkRowSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The row's position in `paymentOrders` (from 0)")
    documentType = serializers.CharField(allow_blank=True)
    documentNumber = serializers.CharField(allow_blank=True)
    number = serializers.CharField(allow_blank=True)
    result = serializers.ChoiceField(choices=("created", "updated", "unchanged", "failed"))
    clientId = serializers.IntegerField(allow_null=True)
    paymentOrderId = serializers.IntegerField(allow_null=True)
    errors = serializers.ListField(child=serializers.DictField(), required=False)


class PaymentOrderBulkAnswerSerializer(serializers.Serializer):
    job = BulkJobRefSerializer()
    counts = serializers.DictField(child=serializers.IntegerField(), required=False)
    results = PaymentOrderBulkRowSerializer(many=True, required=False)
    detail = serializers.CharField(required=False)
