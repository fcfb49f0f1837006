"""Field rules of a client record and of a payment order, shared by every way in.

The individual form (Crear cliente / Editar), file imports, SFTP drops and the
API all clean a raw value with the same function, so a value accepted on
screen is accepted in a file and the other way round. Each function takes the
raw value (a string from a form or a CSV cell, or a real date/number cell from
a spreadsheet) and returns the clean value, or raises `FieldError` naming the
field, the value and what is expected.

Lookups that would cost a query per row (segments, members, custom
variables) come from a `ProjectRules` loaded once; an import builds one per
job and calls the functions row by row, or uses the dictionaries directly to
validate a whole column at once.

Decisions written down here because other modules rely on them:
- Document numbers are stored normalised: digits only for numeric documents
  (dots, spaces and hyphens that people type are dropped), RUT as
  "12345678-5" (check digit verified, "K" upper-case), NIT as its base digits
  (a check digit, when given, is verified and dropped: the DIAN derives it),
  CUIT as its 11 digits (check digit verified), RFC and passports upper-case.
- Custom variables are stored in `Client.extra` as JSON: text as a string,
  numbers as JSON numbers (int when integral), dates as ISO "aaaa-mm-dd"
  strings (so they sort and compare as text), choices as the option's
  canonical spelling.
- A number with a single separator ("1,5" or "1.5") takes it as the decimal
  separator; with both, the last one is decimal ("1.234,56", "1,234.56");
  repeated same separators are thousands ("1.234.567").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from moonflow.text import shorten

from .choices import (
    ClaimCategory,
    ClientStatus,
    ContactAlert,
    Contactability,
    DocumentType,
    PaymentOrderKind,
    PortfolioType,
    VariableType,
)

# Field labels exactly as the screens and the import error report show them.
LABELS = {
    "document_type": gettext_lazy("Tipo de documento"),
    "document_number": gettext_lazy("Número de documento"),
    "name": gettext_lazy("Nombre"),
    "email": gettext_lazy("Correo electrónico"),
    "phone": gettext_lazy("Teléfono"),
    "city": gettext_lazy("Ciudad"),
    "segment": gettext_lazy("Segmento"),
    "status": gettext_lazy("Estado"),
    "portfolio_type": gettext_lazy("Tipo de cartera"),
    "claim_category": gettext_lazy("Reclamo"),
    "contactability": gettext_lazy("Contactabilidad"),
    "contact_alert": gettext_lazy("Alertas de contacto"),
    "adviser_code": gettext_lazy("Asesor ID"),
    "supervisor_code": gettext_lazy("Supervisor asignado"),
    "number": gettext_lazy("Número"),
    "kind": gettext_lazy("Tipo"),
    "amount": gettext_lazy("Monto"),
    "interest": gettext_lazy("Intereses"),
    "discounts": gettext_lazy("Descuentos"),
    "payments": gettext_lazy("Pagos"),
    "currency": gettext_lazy("Moneda"),
    "issued_on": gettext_lazy("Emisión"),
    "due_date": gettext_lazy("Vencimiento"),
}


class FieldError(ValidationError):
    """A rejected value: which field, which value, and a message naming both.

    `field` is the code name ("document_number", or "extra.<key>" for a
    custom variable), `label` the Spanish column name, `value` the raw value
    as received. Being a ValidationError, forms can add it to the field as is.
    """

    def __init__(self, field: str, value, message: str, *, label: str | None = None):
        self.field = field
        self.label = str(label if label is not None else LABELS.get(field, field))
        self.value = "" if value is None else str(value)
        super().__init__(message, code="invalid")

    @property
    def text(self) -> str:
        return self.messages[0]


def _fail(field: str, value, detail: str, *, label: str | None = None):
    """Raise a FieldError whose message reads «Label» «value»: detail (a long value cut)."""
    label = str(label if label is not None else LABELS.get(field, field))
    shown = shorten(value)
    message = _("%(label)s «%(value)s»: %(detail)s") % {
        "label": label,
        "value": shown,
        "detail": detail,
    }
    raise FieldError(field, value, message, label=label)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # A numeric spreadsheet cell holding a document number or a phone.
        return str(int(value))
    # PostgreSQL text holds no NUL: a file padded with them keeps what can be read.
    return str(value).replace("\x00", "").strip()


def _required(field: str, value) -> str:
    text = _text(value)
    if not text:
        label = str(LABELS.get(field, field))
        raise FieldError(field, value, _("%(label)s: este campo es obligatorio.") % {"label": label})
    return text


def _max_length(field: str, text: str, limit: int) -> str:
    if len(text) > limit:
        _fail(field, text, _("admite hasta %(limit)s caracteres.") % {"limit": limit})
    return text


# --- Choices ------------------------------------------------------------------


def _choice(field: str, value, choices, *, required: bool = True, default=None) -> str:
    """Accept a choice's code or its label, in any case; return the code."""
    text = _text(value)
    if not text:
        if required and default is None:
            _required(field, value)
        return default
    folded = text.casefold()
    for code, label in choices:
        label = str(label)
        # "CC · Cédula de ciudadanía" is also accepted as "Cédula de ciudadanía".
        short = label.split(" · ", 1)[-1]
        if folded in (str(code).casefold(), label.casefold(), short.casefold()):
            return code
    options = ", ".join(str(label) for _code, label in choices)
    _fail(field, text, _("no es una opción válida. Use una de: %(options)s.") % {"options": options})


def clean_document_type(value) -> str:
    text = _text(value)
    if not text:
        _required("document_type", value)
    folded = text.casefold()
    for code, label in DocumentType.choices:
        short = str(label).split(" · ", 1)[-1]
        if folded in (code.casefold(), str(label).casefold(), short.casefold()):
            return code
    codes = ", ".join(DocumentType.values)
    _fail(
        "document_type",
        text,
        _("no es un tipo de documento válido. Use uno de: %(codes)s.") % {"codes": codes},
    )


def clean_status(value) -> str:
    return _choice("status", value, ClientStatus.choices, default=ClientStatus.ACTIVE)


def clean_portfolio_type(value) -> str:
    return _choice("portfolio_type", value, PortfolioType.choices, default=PortfolioType.CURRENT)


def clean_claim_category(value) -> str:
    return _choice("claim_category", value, ClaimCategory.choices, default=ClaimCategory.NONE)


def clean_contactability(value) -> str:
    return _choice(
        "contactability", value, Contactability.choices, default=Contactability.CONTACTABLE
    )


def clean_contact_alert(value) -> str:
    return _choice("contact_alert", value, ContactAlert.choices, default=ContactAlert.NONE)


def clean_payment_order_kind(value) -> str:
    return _choice("kind", value, PaymentOrderKind.choices, default=PaymentOrderKind.INVOICE)


# --- Document numbers -----------------------------------------------------------

_SEPARATORS = re.compile(r"[\s.\-]")
NIT_WEIGHTS = (3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71)
CUIT_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def rut_check_digit(body: str) -> str:
    """Chile's módulo 11: weights 2..7 from the right; 11 → "0", 10 → "K"."""
    total = sum(int(d) * (2 + i % 6) for i, d in enumerate(reversed(body)))
    rest = 11 - total % 11
    return {11: "0", 10: "K"}.get(rest, str(rest))


def nit_check_digit(body: str) -> str:
    """Colombia's DIAN check digit: prime weights from the right, módulo 11."""
    total = sum(int(d) * w for d, w in zip(reversed(body), NIT_WEIGHTS))
    rest = total % 11
    return str(rest if rest in (0, 1) else 11 - rest)


def cuit_check_digit(first_ten: str) -> str | None:
    """Argentina's CUIT/CUIL check digit, or None when no digit can be valid."""
    total = sum(int(d) * w for d, w in zip(first_ten, CUIT_WEIGHTS))
    rest = 11 - total % 11
    if rest == 11:
        return "0"
    if rest == 10:
        return None
    return str(rest)


def _digits(value: str, document_type: str, low: int, high: int) -> str:
    number = _SEPARATORS.sub("", value)
    if not number.isdigit() or not low <= len(number) <= high:
        length = str(low) if low == high else _("entre %(low)s y %(high)s") % {"low": low, "high": high}
        _fail(
            "document_number",
            value,
            _("para %(type)s use solo dígitos (%(length)s).") % {"type": document_type, "length": length},
        )
    return number


def clean_document_number(document_type: str, value) -> str:
    """Normalise and check a document number for its (already clean) type."""
    text = _required("document_number", value)
    _max_length("document_number", text, 30)
    if document_type in (DocumentType.CC, DocumentType.CE):
        if document_type == DocumentType.CC:
            return _digits(text, "CC", 3, 10)
        number = _SEPARATORS.sub("", text).upper()
        if not re.fullmatch(r"[A-Z0-9]{3,15}", number):
            _fail(
                "document_number",
                text,
                _("para CE use letras y dígitos (entre 3 y 15)."),
            )
        return number
    if document_type == DocumentType.DNI:
        return _digits(text, "DNI", 7, 8)
    if document_type == DocumentType.NIT:
        compact = re.sub(r"[\s.]", "", text)
        match = re.fullmatch(r"(\d{5,15})(?:-(\d))?", compact)
        if not match:
            _fail(
                "document_number",
                text,
                _("para NIT use entre 5 y 15 dígitos, con o sin dígito de verificación (900123456-8)."),
            )
        body, check = match.groups()
        if check is not None and check != nit_check_digit(body):
            _fail(
                "document_number",
                text,
                _("el dígito de verificación no corresponde (para %(body)s es %(check)s).")
                % {"body": body, "check": nit_check_digit(body)},
            )
        return body
    if document_type == DocumentType.RUT:
        compact = re.sub(r"[\s.]", "", text).upper()
        match = re.fullmatch(r"(\d{1,8})-?([0-9K])", compact)
        if not match:
            _fail(
                "document_number",
                text,
                _("para RUT use el número y su dígito verificador (12.345.678-5)."),
            )
        body, check = match.groups()
        if check != rut_check_digit(body):
            _fail(
                "document_number",
                text,
                _("el dígito verificador no corresponde (para %(body)s es %(check)s).")
                % {"body": body, "check": rut_check_digit(body)},
            )
        return f"{int(body)}-{check}"
    if document_type == DocumentType.CUIT:
        number = _digits(text, "CUIT", 11, 11)
        expected = cuit_check_digit(number[:10])
        if expected != number[10]:
            _fail("document_number", text, _("el dígito verificador del CUIT no corresponde."))
        return number
    if document_type == DocumentType.RFC:
        number = re.sub(r"[\s\-]", "", text).upper()
        match = re.fullmatch(r"[A-ZÑ&]{3,4}(\d{2})(\d{2})(\d{2})[A-Z0-9]{3}", number)
        if not match or not _valid_yymmdd(*match.groups()):
            _fail(
                "document_number",
                text,
                _("para RFC use 3 o 4 letras, la fecha aammdd y 3 caracteres (XAXX010101000)."),
            )
        return number
    # Passport (PAS) and any other: letters and digits.
    number = re.sub(r"[\s\-]", "", text).upper()
    if not re.fullmatch(r"[A-Z0-9]{5,20}", number):
        _fail(
            "document_number",
            text,
            _("para %(type)s use letras y dígitos (entre 5 y 20).") % {"type": document_type},
        )
    return number


def _valid_yymmdd(yy: str, mm: str, dd: str) -> bool:
    try:
        date(2000 + int(yy), int(mm), int(dd))
    except ValueError:
        return False
    return True


# --- Plain fields ---------------------------------------------------------------------


def clean_name(value) -> str:
    text = re.sub(r"\s+", " ", _required("name", value))
    return _max_length("name", text, 200)


_email_validator = EmailValidator()


def clean_email(value) -> str:
    text = _text(value)
    if not text:
        return ""
    _max_length("email", text, 200)
    try:
        _email_validator(text)
    except ValidationError:
        _fail("email", text, _("no es un correo electrónico válido (nombre@dominio.com)."))
    return text.lower()


def clean_phone(value) -> str:
    """Digits with an optional leading "+"; what people type around them is dropped."""
    text = _text(value)
    if not text:
        return ""
    compact = re.sub(r"[\s.\-()/]", "", text)
    if not re.fullmatch(r"\+?\d{7,15}", compact):
        _fail(
            "phone",
            text,
            _("use entre 7 y 15 dígitos, con el código de país opcional (+57 300 123 4567)."),
        )
    return compact


def clean_city(value) -> str:
    return _max_length("city", _text(value), 80)


def parse_number(value) -> Decimal:
    """A number typed or exported with "," or "." as decimal separator."""
    if isinstance(value, bool):
        raise InvalidOperation
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = re.sub(r"[\s$]", "", str(value))
    if not re.fullmatch(r"[+-]?[\d.,]*\d[\d.,]*", text):
        raise InvalidOperation
    dots, commas = text.count("."), text.count(",")
    if dots and commas:
        decimal_sep = "." if text.rfind(".") > text.rfind(",") else ","
        thousands = "," if decimal_sep == "." else "."
        if text.count(decimal_sep) > 1:
            raise InvalidOperation
        text = text.replace(thousands, "").replace(decimal_sep, ".")
    elif dots > 1:
        text = text.replace(".", "")
    elif commas > 1:
        text = text.replace(",", "")
    else:
        text = text.replace(",", ".")
    return Decimal(text)


def parse_date(value) -> date:
    """dd/mm/aaaa (also d-m-aaaa), ISO aaaa-mm-dd, or a real date cell."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    match = re.fullmatch(r"(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})", text)
    if match:
        day, month, year = (int(x) for x in match.groups())
        return date(year, month, day)
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?", text)
    if match:
        year, month, day = (int(x) for x in match.groups())
        return date(year, month, day)
    raise ValueError(text)


def clean_date(field: str, value, *, required: bool = True, label: str | None = None) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            _required(field, value)
        return None
    try:
        return parse_date(value)
    except ValueError:
        _fail(field, value, _("no es una fecha válida: use dd/mm/aaaa."), label=label)


MONEY_DIGITS = 12  # integer digits the amount columns hold
MONEY_LIMIT = Decimal(10) ** MONEY_DIGITS


def clean_money(field: str, value, *, required: bool = False, positive: bool = False) -> Decimal:
    """An amount with up to 2 decimals and 12 integer digits; never negative."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            _required(field, value)
        return Decimal("0")
    try:
        amount = parse_number(value)
    except (InvalidOperation, ValueError):
        _fail(field, value, _("no es un importe válido (1.234,56)."))
    if amount < 0 or (positive and amount == 0):
        _fail(field, value, _("debe ser mayor que cero.") if positive else _("no puede ser negativo."))
    # Size first: rounding a 27-digit amount to cents overflows Decimal's precision.
    if amount >= MONEY_LIMIT:
        _fail(field, value, _("es demasiado grande: use hasta %(digits)s dígitos enteros.")
              % {"digits": MONEY_DIGITS})
    if amount != amount.quantize(Decimal("0.01")):
        _fail(field, value, _("admite hasta 2 decimales."))
    return amount.quantize(Decimal("0.01"))


def clean_currency(value, *, default: str) -> str:
    text = _text(value).upper()
    if not text:
        return default
    if not re.fullmatch(r"[A-Z]{3}", text):
        _fail("currency", value, _("use el código ISO de 3 letras (COP, CLP, ARS…)."))
    return text


def clean_order_number(value) -> str:
    text = _required("number", value)
    _max_length("number", text, 40)
    return text


# --- Lookups in the project ---------------------------------------------------------


@dataclass
class ProjectRules:
    """What validation needs to know about a project, loaded once per form or import."""

    project: object
    segments: dict = field(default_factory=dict)  # casefolded name → Segment
    members: dict = field(default_factory=dict)  # code → Member (active or not)
    variables: dict = field(default_factory=dict)  # key → CustomVariable

    @classmethod
    def load(cls, project) -> ProjectRules:
        from moonflow.tenancy.models import Member

        from .models import CustomVariable, Segment

        return cls(
            project=project,
            segments={s.name.casefold(): s for s in Segment.objects.filter(project=project)},
            members={
                m.code: m for m in Member.objects.filter(project=project).select_related("user")
            },
            variables={v.key: v for v in CustomVariable.objects.filter(project=project)},
        )


def clean_segment(value, *, rules: ProjectRules):
    """A segment by name (any case); blank means none."""
    text = _text(value)
    if not text:
        return None
    segment = rules.segments.get(text.casefold())
    if segment is None:
        _fail("segment", text, _("no existe un segmento con ese nombre en el proyecto."))
    return segment


def clean_adviser_code(value, *, rules: ProjectRules):
    """The Asesor ID of an active member of the project; blank means unassigned."""
    text = _text(value)
    if not text:
        return None
    member = rules.members.get(text)
    label = str(LABELS["adviser_code"])
    if member is None:
        raise FieldError(
            "adviser_code", text,
            _("No existe un asesor con el ID «%(code)s».") % {"code": shorten(text)},
            label=label,
        )
    if not member.is_active:
        raise FieldError(
            "adviser_code",
            text,
            _("El asesor con el ID «%(code)s» (%(name)s) está inactivo.")
            % {"code": text, "name": member.display_name},
            label=label,
        )
    return member


def clean_supervisor_code(value, *, rules: ProjectRules):
    """The ID of an active supervisor or admin of the project; blank means none."""
    text = _text(value)
    if not text:
        return None
    member = rules.members.get(text)
    if member is None or not member.is_active or not member.can_manage:
        _fail(
            "supervisor_code",
            text,
            _("no existe un supervisor activo con ese ID en el proyecto."),
        )
    return member


# A number variable is stored as a JSON number, which imports, the API and
# spreadsheets read as a double: 15 digits are exact there.
VARIABLE_NUMBER_DIGITS = 15
OPTIONS_LISTED = 10  # options a message names before "…"

# A choice variable is a filter's checkboxes, a select in the client's form and
# a column: a few hundred options stay readable and light (20,000 made the tray
# page 4 MB and the create form take seconds). Ajustes saves no more than this;
# a longer list (older, or written by other means) is typed instead of picked.
CHOICES_MAX = 200
CHOICE_LENGTH_MAX = 100


def picks_from_a_list(variable) -> bool:
    """Whether a choice variable's options are offered as a list (else typed)."""
    return len(variable.choices or ()) <= CHOICES_MAX


def _options(choices) -> str:
    options = [str(o) for o in choices or []]
    listed = ", ".join(options[:OPTIONS_LISTED])
    return listed + ", …" if len(options) > OPTIONS_LISTED else listed


def clean_custom_value(variable, value):
    """One custom variable's value, typed; blank means absent (None)."""
    field_name = f"extra.{variable.key}"
    label = variable.label
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if variable.type == VariableType.NUMBER:
        try:
            number = parse_number(value)
        except (InvalidOperation, ValueError):
            _fail(field_name, value, _("no es un número válido (1.234,56)."), label=label)
        if not number.is_finite():
            _fail(field_name, value, _("no es un número válido (1.234,56)."), label=label)
        if number.adjusted() >= VARIABLE_NUMBER_DIGITS:
            _fail(
                field_name, value,
                _("es demasiado grande: use hasta %(digits)s dígitos enteros.")
                % {"digits": VARIABLE_NUMBER_DIGITS},
                label=label,
            )
        return int(number) if number == number.to_integral_value() else float(number)
    if variable.type == VariableType.DATE:
        return clean_date(field_name, value, label=label).isoformat()
    text = _text(value)
    if variable.type == VariableType.CHOICE:
        for option in variable.choices or []:
            if str(option).casefold() == text.casefold():
                return str(option)
        _fail(
            field_name,
            text,
            _("no es una opción válida. Use una de: %(options)s.")
            % {"options": _options(variable.choices)},
            label=label,
        )
    if len(text) > 500:
        _fail(field_name, text, _("admite hasta 500 caracteres."), label=label)
    return text


def clean_extra(raw: dict, *, rules: ProjectRules) -> tuple[dict, list[FieldError]]:
    """Every custom variable of the project present in `raw` (by key), typed."""
    clean, errors = {}, []
    for key, variable in rules.variables.items():
        if key not in raw:
            continue
        try:
            value = clean_custom_value(variable, raw[key])
        except FieldError as error:
            errors.append(error)
            continue
        if value is not None:
            clean[key] = value
    return clean, errors


def find_external_id_holder(*, project, document_type: str, document_number: str, exclude_pk=None):
    """The client (active or in the recycle bin) already holding this external ID."""
    from .models import Client

    qs = Client.objects.filter(
        project=project, document_type=document_type, document_number=document_number
    ).select_related("adviser__user")
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.first()


def check_external_id_free(
    *, project, document_type: str, document_number: str, exclude_pk=None, member=None
) -> None:
    """Refuse an external ID another client of the project already holds.

    The message names the existing client; when `member` may not see it (a
    restricted adviser), it says only that the client belongs to another
    adviser, so nobody learns a name they may not see.
    """
    holder = find_external_id_holder(
        project=project,
        document_type=document_type,
        document_number=document_number,
        exclude_pk=exclude_pk,
    )
    if holder is None:
        return
    external_id = f"{document_type} {document_number}"
    if member is not None and not _member_sees(member, holder):
        message = _(
            "Número de documento «%(value)s»: ya existe un cliente con el documento "
            "%(external_id)s en el proyecto, asignado a otro asesor."
        )
        params = {"value": document_number, "external_id": external_id}
    else:
        message = _(
            "Número de documento «%(value)s»: ya existe el cliente %(name)s con el documento "
            "%(external_id)s%(where)s."
        )
        params = {
            "value": document_number,
            "external_id": external_id,
            "name": holder.name,
            "where": _(" (en la papelera)") if holder.is_deleted else "",
        }
    raise FieldError("document_number", document_number, message % params)


def _member_sees(member, client) -> bool:
    from .models import Client
    from .visibility import client_visibility_q, sees_whole_book

    if sees_whole_book(member):
        return True
    return Client.objects.filter(pk=client.pk).filter(client_visibility_q(member)).exists()


@dataclass
class CleanClient:
    """The outcome of `clean_client_row`: values ready for the services, and errors."""

    values: dict
    errors: list[FieldError]


CLIENT_FIELDS = (
    "document_type",
    "document_number",
    "name",
    "email",
    "phone",
    "city",
    "segment",
    "status",
    "portfolio_type",
    "claim_category",
    "contactability",
    "contact_alert",
    "adviser_code",
    "supervisor_code",
)


def clean_client_row(raw: dict, *, rules: ProjectRules, partial: bool = False) -> CleanClient:
    """Clean every field present in `raw`, collecting all errors of the row.

    `raw` maps field names (CLIENT_FIELDS, plus custom variable keys under
    "extra") to raw values. With `partial`, absent fields are left out (an
    import that updates only some columns); otherwise absent optional fields
    take their defaults. Uniqueness of the external ID is not checked here:
    an import resolves it by upsert, the form with `check_external_id_free`.
    """
    values, errors = {}, []

    def run(name, fn, *args):
        if partial and name not in raw:
            return
        try:
            values[name] = fn(*args, raw.get(name))
        except FieldError as error:
            errors.append(error)

    run("document_type", clean_document_type)
    # Without a valid type the number cannot be checked; the type's error says why.
    if "document_type" in values:
        run("document_number", clean_document_number, values["document_type"])
    run("name", clean_name)
    run("email", clean_email)
    run("phone", clean_phone)
    run("city", clean_city)
    run("segment", lambda v: clean_segment(v, rules=rules))
    run("status", clean_status)
    run("portfolio_type", clean_portfolio_type)
    run("claim_category", clean_claim_category)
    run("contactability", clean_contactability)
    run("contact_alert", clean_contact_alert)
    run("adviser_code", lambda v: clean_adviser_code(v, rules=rules))
    run("supervisor_code", lambda v: clean_supervisor_code(v, rules=rules))
    if "extra" in raw or not partial:
        extra, extra_errors = clean_extra(raw.get("extra") or {}, rules=rules)
        values["extra"] = extra
        errors.extend(extra_errors)
    return CleanClient(values=values, errors=errors)
