"""The columns of a communications file: Moonflow's names, the names people give them, what
they accept (the "reporte modelo" and the mapping screen show these)."""

from __future__ import annotations

from dataclasses import replace

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.importing.fields import SYNONYMS as CLIENT_SYNONYMS
from clients.importing.fields import client_fields
from moonflow.imports.mapping import ImportField

from ..models import CampaignKind, Channel, Direction, InteractionStatus, Outcome, RecipientKind

# Field key → the label a file's header and an error message use.
LABELS = {
    "document_type": gettext_lazy("Tipo de documento"),
    "document_number": gettext_lazy("Número de documento"),
    "direction": gettext_lazy("Tipo de comunicación"),
    "channel": gettext_lazy("Canal"),
    "scheduled_at": gettext_lazy("Fecha de envío"),
    "sent_at": gettext_lazy("Fecha de envío real"),
    "campaign_kind": gettext_lazy("Tipo de flujo"),
    "campaign": gettext_lazy("Flujo, evento o campaña"),
    "template": gettext_lazy("Plantilla"),
    "recipient_kind": gettext_lazy("Tipo de destinatario"),
    "recipients": gettext_lazy("Destinatarios"),
    "status": gettext_lazy("Estado"),
    "adviser_code": gettext_lazy("Asesor ID"),
    "error_message": gettext_lazy("Mensaje de error"),
    "outcome": gettext_lazy("Resultado de pago"),
    "promise_amount": gettext_lazy("Monto prometido"),
    "promise_date": gettext_lazy("Fecha de la promesa"),
}

# Other names of each column, in Spanish and English (compared without case, accents,
# spacing, punctuation or word order: moonflow.imports.mapping).
SYNONYMS = {
    "document_type": ("tipo de documento del cliente", "tipo documento cliente",
                      *CLIENT_SYNONYMS["document_type"]),
    "document_number": ("numero de documento del cliente", "documento del cliente",
                        "numero identificador", "identificador", "numero identificador unico",
                        *CLIENT_SYNONYMS["document_number"]),
    "direction": ("tipo", "direccion", "sentido", "saliente entrante", "direction",
                  "interaction type"),
    "channel": ("canal de envio", "canal de la comunicacion", "medio", "channel"),
    "scheduled_at": ("fecha", "fecha envio", "fecha y hora de envio", "fecha programada",
                     "fecha de la comunicacion", "fecha de la interaccion", "send date",
                     "scheduled at", "scheduled date", "date"),
    "sent_at": ("fecha real", "fecha envio real", "fecha y hora de envio real", "enviado el",
                "sent at", "actual send date"),
    "campaign_kind": ("tipo de campana", "tipo flujo evento campana", "tipo de flujo evento o "
                      "campana", "campaign kind", "campaign type", "flow type"),
    "campaign": ("flujo", "evento", "campana", "nombre de la campana", "nombre del flujo",
                 "flujo evento campana", "campaign", "flow", "event"),
    "template": ("nombre de la plantilla", "plantilla utilizada", "template", "template name"),
    "recipient_kind": ("tipo destinatario", "destinatario tipo", "recipient kind",
                       "recipient type"),
    "recipients": ("destinatario", "para", "enviado a", "telefono o correo", "recipient",
                   "recipients", "to"),
    "status": ("estado de la comunicacion", "estado de envio", "status", "state"),
    "adviser_code": CLIENT_SYNONYMS["adviser_code"],
    "error_message": ("error", "detalle del error", "motivo del error", "error message"),
    "outcome": ("resultado", "resultado de la gestion", "outcome", "payment outcome"),
    "promise_amount": ("monto promesa", "monto de la promesa", "valor prometido",
                       "valor de la promesa", "promise amount"),
    "promise_date": ("fecha promesa", "fecha de pago prometida", "fecha compromiso",
                     "promise date"),
}

REQUIRED = ("document_type", "document_number", "channel", "scheduled_at", "recipients",
            "status")

# Required fields that may take one value for every row instead of a column (the mapping
# screen offers it): a provider's file rarely says which channel it comes from.
FOR_EVERY_ROW = {"channel": Channel, "status": InteractionStatus}


def _options(choices) -> str:
    return ", ".join(str(label) for code, label in choices if code)


def interaction_fields(project) -> list[ImportField]:
    """Every field a communications file can feed, in the model report's order."""
    client = {f.key: f for f in client_fields(project)
              if f.key in ("document_type", "document_number")}
    helps = {
        "direction": _("Uno de: %(options)s. Vacío: Saliente.") % {
            "options": _options(Direction.choices)},
        "channel": _("Uno de: %(options)s.") % {"options": _options(Channel.choices)},
        "scheduled_at": _("Fecha dd/mm/aaaa o fecha y hora dd/mm/aaaa hh:mm (también "
                          "aaaa-mm-dd hh:mm), en la zona horaria del proyecto (%(tz)s).") % {
            "tz": project.timezone},
        "sent_at": _("Cuándo salió en realidad; mismo formato que la fecha de envío."),
        "campaign_kind": _("Uno de: %(options)s.") % {"options": _options(CampaignKind.choices)},
        "campaign": _("El nombre del flujo, evento o campaña (hasta 120 caracteres)."),
        "template": _("El nombre de la plantilla usada (hasta 120 caracteres)."),
        "recipient_kind": _("Uno de: %(options)s. Vacío: Cliente.") % {
            "options": _options(RecipientKind.choices)},
        "recipients": _("El número o la dirección a la que se envió; varios separados por "
                        "coma o punto y coma."),
        "status": _("Uno de: %(options)s.") % {"options": _options(InteractionStatus.choices)},
        "adviser_code": _("El ID del asesor (Ajustes → Usuarios, columna ID), en mayúsculas o "
                          "minúsculas. Vacío: el asesor del cliente."),
        "error_message": _("Por qué falló, si falló (hasta 500 caracteres)."),
        "outcome": _("Uno de: %(options)s. Vacío: sin resultado de pago.") % {
            "options": _options(Outcome.choices)},
        "promise_amount": _("Con «Promesa de pago»: el monto prometido, mayor que cero "
                            "(1.234.567,89)."),
        "promise_date": _("Con «Promesa de pago»: la fecha prometida, dd/mm/aaaa."),
    }
    examples = {
        "direction": str(Direction.OUTBOUND.label), "channel": str(Channel.WHATSAPP.label),
        "scheduled_at": "15/03/2026 10:30", "sent_at": "15/03/2026 10:31",
        "campaign_kind": str(CampaignKind.CAMPAIGN.label), "campaign": "Cobranza marzo",
        "template": "Recordatorio de pago", "recipient_kind": str(RecipientKind.CLIENT.label),
        "recipients": "+57 300 123 4567", "status": str(InteractionStatus.DELIVERED.label),
        "adviser_code": "", "error_message": "", "outcome": str(Outcome.PROMISE.label),
        "promise_amount": "250.000,00", "promise_date": "31/03/2026",
    }
    fields = []
    for key, synonyms in SYNONYMS.items():
        if key in client:
            # The client's own columns (their help, example and the type's choices) under the
            # names a communications file gives them.
            fields.append(replace(client[key], synonyms=synonyms, group="interaction"))
            continue
        choices = FOR_EVERY_ROW.get(key)
        fields.append(ImportField(
            key=key, label=str(LABELS[key]), required=key in REQUIRED, synonyms=synonyms,
            help=helps[key], example=examples[key], group="interaction",
            choices=tuple((c, str(label)) for c, label in choices.choices) if choices else (),
        ))
    return fields
