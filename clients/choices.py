"""The fixed vocabularies of a client record, with the seeds' Spanish labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DocumentType(models.TextChoices):
    CC = "CC", _("CC · Cédula de ciudadanía")
    CE = "CE", _("CE · Cédula de extranjería")
    NIT = "NIT", _("NIT")
    DNI = "DNI", _("DNI")
    RUT = "RUT", _("RUT")
    CUIT = "CUIT", _("CUIT")
    RFC = "RFC", _("RFC")
    PAS = "PAS", _("Pasaporte")


class ClientStatus(models.TextChoices):
    ACTIVE = "active", _("Activo")
    INACTIVE = "inactive", _("Inactivo")


class PortfolioType(models.TextChoices):
    # "Vigente" also names a payment order's state ("Active"): in English a
    # portfolio is "Current", hence a context of its own.
    CURRENT = "current", pgettext_lazy("portfolio type", "Vigente")
    WRITTEN_OFF = "written_off", pgettext_lazy("portfolio type", "Castigada")


class ClaimCategory(models.TextChoices):
    CONTRACTUAL = "contractual", _("Condiciones contractuales")
    BILLING = "billing", _("Errores de facturación")
    PAYMENT = "payment", _("Problemas con el pago")
    PRODUCT = "product", _("Problemas con producto/servicio")
    NONE = "none", _("Sin reclamo / Reclamo cerrado")


class Contactability(models.TextChoices):
    CONTACTABLE = "contactable", _("Contactable")
    NOT_CONTACTABLE = "not_contactable", _("No contactable")
    PROBLEMS = "problems", _("Problemas de contactabilidad")


class ContactAlert(models.TextChoices):
    NONE = "none", _("Sin alertas")
    INVALID_PHONE = "invalid_phone", _("Teléfono inválido")
    BOUNCED_EMAIL = "bounced_email", _("Correo rebotado")
    DO_NOT_CONTACT = "do_not_contact", _("No contactar")
    RESTRICTED_HOURS = "restricted_hours", _("Horario restringido")


class Situation(models.IntegerChoices):
    """Ordered from best to worst so that sorting by situation reads naturally."""

    UP_TO_DATE = 10, _("Al día")
    LATE_1_30 = 20, _("Mora 1-30 días")
    LATE_31_60 = 30, _("Mora 31-60 días")
    LATE_61_90 = 40, _("Mora 61-90 días")
    LATE_90_PLUS = 50, _("Mora más de 90 días")
    CLAIM = 60, _("Con reclamo")
    FINISHED = 70, _("Finalizado")


class PaymentOrderKind(models.TextChoices):
    INSTALLMENT = "installment", _("Cuota")
    INVOICE = "invoice", _("Factura")
    PAYMENT_PLAN = "payment_plan", _("Plan de pago")
    RECEIPT = "receipt", _("Boleta")


class PaymentOrderStatus(models.TextChoices):
    """Stored states. "Vencida" is derived: pending and past its due date."""

    PENDING = "pending", _("Vigente")
    PAID = "paid", _("Pagada")
    ANNULLED = "annulled", _("Anulada")


class ClaimStatus(models.TextChoices):
    OPEN = "open", _("Abierto")
    CLOSED = "closed", _("Cerrado")


class AssignmentSource(models.TextChoices):
    SCREEN = "screen", _("Pantalla")
    FILE = "file", _("Archivo")
    SFTP = "sftp", _("SFTP")
    API = "api", _("API")
    TRANSFER = "transfer", _("Transferencia")
    SYSTEM = "system", _("Sistema")


class VariableType(models.TextChoices):
    TEXT = "text", _("Texto")
    NUMBER = "number", _("Número")
    DATE = "date", _("Fecha")
    CHOICE = "choice", _("Lista de opciones")


class ContactKind(models.TextChoices):
    EMAIL = "email", _("Correo electrónico")
    PHONE = "phone", _("Teléfono fijo")
    MOBILE = "mobile", _("Celular")
