"""Interactions: one recorded contact with a client (a message, a call, a visit to the portal).

Designed for the scale-out: every index starts with `project_id` (the distribution
column of the clients' tables), so a project's interactions live on its clients'
shard; the foreign keys' own single-column indexes are left out where a
project-led index serves the same lookups.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from moonflow.db.fields import ProjectForeignKey, TenantRow


class Direction(models.TextChoices):
    OUTBOUND = "outbound", _("Saliente")
    INBOUND = "inbound", _("Entrante")


class Channel(models.TextChoices):
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    VOICE = "voice", _("Llamada / voz")
    PUSH = "push", _("Push")
    IVR = "ivr", _("IVR")
    PORTAL = "portal", _("Visita al portal")


class CampaignKind(models.TextChoices):
    FLOW = "flow", _("Flujo")
    EVENT = "event", _("Evento")
    CAMPAIGN = "campaign", _("Campaña")


class InteractionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Programada")
    SENT = "sent", _("Enviada")
    DELIVERED = "delivered", _("Entregada")
    READ = "read", _("Leída")
    UNREAD = "unread", _("No leída")
    FAILED = "failed", _("Fallida")
    BOUNCED = "bounced", _("Rebotada")
    ANSWERED = "answered", _("Respondida")


# The glossary the tray opens ("glosario de estados"): what each state means.
STATUS_GLOSSARY = {
    InteractionStatus.SCHEDULED: _("La comunicación está programada y todavía no se ha enviado."),
    InteractionStatus.SENT: _("Se envió al proveedor del canal; aún no hay confirmación de "
                              "entrega."),
    InteractionStatus.DELIVERED: _("El canal confirmó que llegó al destinatario."),
    InteractionStatus.READ: _("El destinatario abrió o leyó la comunicación."),
    InteractionStatus.UNREAD: _("Se entregó, pero el destinatario no la ha abierto."),
    InteractionStatus.FAILED: _("No se pudo enviar; el mensaje de error dice por qué."),
    InteractionStatus.BOUNCED: _("El canal la devolvió: la dirección o el número no existe o "
                                 "no la acepta."),
    InteractionStatus.ANSWERED: _("El destinatario respondió o atendió la llamada."),
}


class RecipientKind(models.TextChoices):
    CLIENT = "client", _("Cliente")
    REFERENCE = "reference", _("Referencia")
    GUARANTOR = "guarantor", _("Garante")


class InteractionSource(models.TextChoices):
    PLATFORM = "platform", _("Plataforma")
    UPLOADED = "uploaded", _("Carga masiva")


class Outcome(models.TextChoices):
    NONE = "", _("Sin resultado de pago")
    PROMISE = "promise", _("Promesa de pago")
    TO_VERIFY = "to_verify", _("Pago por verificar")


class Interaction(TenantRow):
    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="+",
                                db_index=False)
    client = ProjectForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="interactions", db_index=False,
        db_constraint=False,
    )
    direction = models.CharField(
        _("Tipo"), max_length=10, choices=Direction.choices, default=Direction.OUTBOUND
    )
    channel = models.CharField(_("Canal"), max_length=10, choices=Channel.choices)
    campaign_kind = models.CharField(
        _("Tipo de flujo"), max_length=10, choices=CampaignKind.choices, blank=True,
        default="", db_default="",
    )
    campaign = models.CharField(_("Flujo, evento o campaña"), max_length=120, blank=True)
    template = models.CharField(_("Plantilla"), max_length=120, blank=True)
    recipient_kind = models.CharField(
        _("Tipo de destinatario"), max_length=10, choices=RecipientKind.choices,
        default=RecipientKind.CLIENT, db_default=RecipientKind.CLIENT,
    )
    # The address or number used (several separated by ", ").
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
        db_index=False,
    )
    error_message = models.CharField(_("Mensaje de error"), max_length=500, blank=True)
    source = models.CharField(
        _("Origen"),
        max_length=10,
        choices=InteractionSource.choices,
        default=InteractionSource.PLATFORM,
    )
    outcome = models.CharField(_("Resultado de pago"), max_length=10, choices=Outcome.choices,
                               blank=True, default="", db_default="")
    promise_amount = models.DecimalField(_("Monto prometido"), max_digits=16, decimal_places=2,
                                         null=True, blank=True)
    promise_date = models.DateField(_("Fecha de la promesa"), null=True, blank=True)
    # An uploaded interaction's natural key (interactions.importing.natural_key): the same
    # record uploaded again, in this file or another, is found instead of duplicated.
    import_key = models.CharField(max_length=64, blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-scheduled_at", "-id"]
        indexes = [
            models.Index(fields=["project", "-scheduled_at", "-id"], name="interaction_tray_idx"),
            models.Index(
                fields=["project", "client", "-scheduled_at"], name="interaction_client_idx"
            ),
            models.Index(fields=["project", "channel", "-scheduled_at", "-id"],
                         name="interaction_channel_idx"),
            models.Index(fields=["project", "status", "-scheduled_at", "-id"],
                         name="interaction_status_idx"),
            models.Index(fields=["project", "adviser", "-scheduled_at", "-id"],
                         name="interaction_adviser_idx"),
            models.Index(fields=["project", "campaign", "-scheduled_at", "-id"],
                         name="interaction_campaign_idx"),
            models.Index(fields=["project", "template", "-scheduled_at", "-id"],
                         name="interaction_template_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["project", "import_key"],
                                    condition=~Q(import_key=""),
                                    name="interaction_import_key_uniq"),
        ]
from .download_models import *  # noqa: E402,F401,F403
