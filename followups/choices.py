"""The vocabularies of an adviser's collections work: kinds of gestión, their states, channels."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FollowUpKind(models.TextChoices):
    TASK = "task", _("Tarea")
    PROMISE = "promise", _("Promesa de pago")
    CONTACT = "contact", _("Contacto programado")


class FollowUpStatus(models.TextChoices):
    """Stored states; each kind names them its own way (`status_label`)."""

    PENDING = "pending", _("Pendiente")
    DONE = "done", _("Hecha")
    BROKEN = "broken", _("Incumplida")  # promises only
    CANCELLED = "cancelled", _("Anulada")


# The open state: what a transfer hands to the new adviser and "Mis gestiones" lists.
OPEN = FollowUpStatus.PENDING

# How each kind reads its states (a promise is "cumplida", a contact "realizado").
STATUS_LABELS = {
    (FollowUpKind.TASK, FollowUpStatus.PENDING): pgettext_lazy("task", "Pendiente"),
    (FollowUpKind.TASK, FollowUpStatus.DONE): pgettext_lazy("task", "Completada"),
    (FollowUpKind.TASK, FollowUpStatus.CANCELLED): pgettext_lazy("task", "Cancelada"),
    (FollowUpKind.PROMISE, FollowUpStatus.PENDING): pgettext_lazy("promise", "Pendiente"),
    (FollowUpKind.PROMISE, FollowUpStatus.DONE): pgettext_lazy("promise", "Cumplida"),
    (FollowUpKind.PROMISE, FollowUpStatus.BROKEN): pgettext_lazy("promise", "Incumplida"),
    (FollowUpKind.PROMISE, FollowUpStatus.CANCELLED): pgettext_lazy("promise", "Anulada"),
    (FollowUpKind.CONTACT, FollowUpStatus.PENDING): pgettext_lazy("contact", "Programado"),
    (FollowUpKind.CONTACT, FollowUpStatus.DONE): pgettext_lazy("contact", "Realizado"),
    (FollowUpKind.CONTACT, FollowUpStatus.CANCELLED): pgettext_lazy("contact", "Cancelado"),
}


def status_label(kind: str, status: str):
    return STATUS_LABELS.get((kind, status)) or FollowUpStatus(status).label


class ContactChannel(models.TextChoices):
    CALL = "call", _("Llamada")
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Correo electrónico")
    VISIT = "visit", _("Visita")


class NoteKind(models.TextChoices):
    NOTE = "note", _("Nota")
    HANDOFF = "handoff", _("Nota de traspaso")
