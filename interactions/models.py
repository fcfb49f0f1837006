"""Interactions: one recorded contact with a client."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    OUTBOUND = "outbound", _("Saliente")
    INBOUND = "inbound", _("Entrante")


class Channel(models.TextChoices):
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    VOICE = "voice", _("Voz")
    PUSH = "push", _("Push")


class InteractionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Programada")
    SENT = "sent", _("Enviada")
    DELIVERED = "delivered", _("Entregada")
    READ = "read", _("Leída")
    UNREAD = "unread", _("No leída")
    FAILED = "failed", _("Fallida")
    ANSWERED = "answered", _("Respondida")


class InteractionSource(models.TextChoices):
    PLATFORM = "platform", _("Plataforma")
    UPLOADED = "uploaded", _("Cargada")


class Interaction(models.Model):
    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="interactions"
    )
    direction = models.CharField(
        _("Tipo"), max_length=10, choices=Direction.choices, default=Direction.OUTBOUND
    )
    channel = models.CharField(_("Canal"), max_length=10, choices=Channel.choices)
    campaign = models.CharField(_("Flujo, evento o campaña"), max_length=120, blank=True)
    template = models.CharField(_("Plantilla"), max_length=120, blank=True)
    recipients = models.CharField(_("Destinatarios"), max_length=500, blank=True)
    status = models.CharField(_("Estado"), max_length=10, choices=InteractionStatus.choices)
    scheduled_at = models.DateTimeField(_("Fecha de envío"), null=True, blank=True)
    sent_at = models.DateTimeField(_("Fecha de envío real"), null=True, blank=True)
    adviser = models.ForeignKey(
        "tenancy.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Asesor"),
    )
    error_message = models.CharField(_("Mensaje de error"), max_length=500, blank=True)
    source = models.CharField(
        _("Origen"),
        max_length=10,
        choices=InteractionSource.choices,
        default=InteractionSource.PLATFORM,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-scheduled_at", "-id"]
        indexes = [
            models.Index(fields=["project", "-scheduled_at", "-id"], name="interaction_tray_idx"),
            models.Index(
                fields=["project", "client", "-scheduled_at"], name="interaction_client_idx"
            ),
        ]
