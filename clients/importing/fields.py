"""The columns of a client file: Moonflow's names, the names people give them, what they accept."""

from __future__ import annotations

from django.utils.translation import gettext as _

from moonflow.imports.mapping import ImportField

from ..choices import (
    ClaimCategory,
    ClientStatus,
    Contactability,
    ContactAlert,
    DocumentType,
    PortfolioType,
    VariableType,
)
from ..models import CustomVariable, Segment
from ..validation import LABELS

# Other names of each column, in Spanish and English (compared without case,
# accents, spacing or word order: moonflow.imports.mapping).
SYNONYMS = {
    "document_type": ("tipo doc", "tipo documento", "tipo de identificacion", "tipo id",
                      "document type", "documentType", "id type"),
    "document_number": ("documento", "numero documento", "nro documento", "no documento",
                        "identificacion", "numero de identificacion", "cedula", "nit",
                        "document", "document number", "documentNumber", "id externo",
                        "external id", "externalId"),
    "name": ("nombre cliente", "nombre del cliente", "nombres", "razon social", "cliente",
             "name", "client name", "full name", "customer name"),
    "email": ("correo", "email", "e-mail", "mail", "correo electronico cliente"),
    "phone": ("telefono", "celular", "movil", "telefono celular", "phone", "mobile", "tel",
              "phone number"),
    "city": ("ciudad", "municipio", "city"),
    "segment": ("segmento", "segment"),
    "status": ("estado", "estado cliente", "status"),
    "portfolio_type": ("tipo cartera", "portfolio type", "portfolioType"),
    "claim_category": ("reclamo", "categoria reclamo", "claim", "claim category"),
    "contactability": ("contactabilidad", "contactability"),
    "contact_alert": ("alerta de contacto", "alertas contacto", "contact alert"),
    "adviser_code": ("id asesor", "asesor", "codigo asesor", "adviser id", "adviser",
                     "adviserUserProjectId", "agent id", "gestor", "id gestor"),
    "supervisor_code": ("supervisor", "supervisor id", "id supervisor", "supervisorId"),
}

REQUIRED = ("document_type", "document_number", "name")


def _options(choices) -> str:
    return ", ".join(str(label) for _code, label in choices)


def client_fields(project) -> list[ImportField]:
    """Every field a client file can feed, the project's custom variables included."""
    segments = list(Segment.objects.filter(project=project).values_list("name", flat=True)[:20])
    helps = {
        "document_type": _("Uno de: %(options)s.") % {
            "options": ", ".join(DocumentType.values)},
        "document_number": _("Como aparece en el documento; puntos, guiones y espacios se "
                             "ignoran. Con el tipo, identifica al cliente (ID externo)."),
        "name": _("Nombre completo o razón social."),
        "email": _("Una dirección de correo válida."),
        "phone": _("Con o sin indicativo de país (+57 300 123 4567)."),
        "city": _("Texto libre."),
        "segment": _("El nombre de un segmento del proyecto%(some)s.") % {
            "some": (": " + ", ".join(segments)) if segments else ""},
        "status": _("Uno de: %(options)s. Vacío: Activo.") % {
            "options": _options(ClientStatus.choices)},
        "portfolio_type": _("Uno de: %(options)s. Vacío: Vigente.") % {
            "options": _options(PortfolioType.choices)},
        "claim_category": _("Uno de: %(options)s.") % {"options": _options(ClaimCategory.choices)},
        "contactability": _("Uno de: %(options)s.") % {
            "options": _options(Contactability.choices)},
        "contact_alert": _("Uno de: %(options)s.") % {"options": _options(ContactAlert.choices)},
        "adviser_code": _("El ID del asesor (Ajustes → Usuarios, columna ID), en mayúsculas o "
                          "minúsculas. Vacío: sin asesor."),
        "supervisor_code": _("El ID de un supervisor o administrador activo del proyecto."),
    }
    examples = {
        "document_type": "CC", "document_number": "1.020.304.050", "name": "María Pérez Gómez",
        "email": "maria.perez@example.com", "phone": "+57 300 123 4567", "city": "Bogotá",
        "segment": segments[0] if segments else "", "status": str(ClientStatus.ACTIVE.label),
        "portfolio_type": str(PortfolioType.CURRENT.label), "claim_category": "",
        "contactability": str(Contactability.CONTACTABLE.label), "contact_alert": "",
        "adviser_code": "", "supervisor_code": "",
    }
    fields = [
        ImportField(key=key, label=str(LABELS[key]), required=key in REQUIRED,
                    synonyms=SYNONYMS.get(key, ()), help=helps[key], example=examples[key],
                    group="client",
                    choices=tuple((c, str(label)) for c, label in DocumentType.choices)
                    if key == "document_type" else ())
        for key in SYNONYMS
    ]
    for variable in CustomVariable.objects.filter(project=project).order_by("position", "id"):
        fields.append(ImportField(
            key=f"extra.{variable.key}", label=variable.label, synonyms=(variable.key,),
            help=_variable_help(variable), example=_variable_example(variable), group="client",
        ))
    return fields


def _variable_help(variable) -> str:
    if variable.type == VariableType.NUMBER:
        return _("Variable adicional: un número (1.234,56).")
    if variable.type == VariableType.DATE:
        return _("Variable adicional: una fecha dd/mm/aaaa.")
    if variable.type == VariableType.CHOICE:
        options = [str(o) for o in (variable.choices or [])][:20]
        return _("Variable adicional: una de %(options)s.") % {"options": ", ".join(options)}
    return _("Variable adicional: texto.")


def _variable_example(variable) -> str:
    if variable.type == VariableType.NUMBER:
        return "1.234,56"
    if variable.type == VariableType.DATE:
        return "31/12/2026"
    if variable.type == VariableType.CHOICE:
        return str((variable.choices or [""])[0])
    return ""
