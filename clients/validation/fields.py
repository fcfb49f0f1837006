"""Field cleaners: one raw value in, the stored value out, or a FieldError.

Each function takes the raw value (a string from a form or a CSV cell, or a
real date/number cell from a spreadsheet) and returns the value as it is
stored, or raises `FieldError` naming the field, the value and what is
expected. The stored form is the normalised one (see the package docstring):
cleaning a stored value gives it back unchanged, so a form saved without
changes writes nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from moonflow.text import shorten

from ..choices import (
    ClaimCategory,
    ClientStatus,
    Contactability,
    ContactAlert,
    DocumentType,
    PaymentOrderKind,
    PortfolioType,
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
    "balance": gettext_lazy("Saldo"),
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


@lru_cache(maxsize=128)
def _choice_index(choices_enum) -> dict[str, str]:
    """folded code, label or short label → code, the labels in every language of the product
    (a file is read the same whoever uploads it; built once: an import cleans a million rows
    with it, and asking for the active language on each cell cost a sixth of the cleaning)."""
    index = {}
    for language, _name in settings.LANGUAGES:  # the default language first: it wins a tie
        with translation.override(language):
            for code, label in choices_enum.choices:
                label = str(label)
                # "CC · Cédula de ciudadanía" is also accepted as "Cédula de ciudadanía".
                short = label.split(" · ", 1)[-1]
                for key in (str(code).casefold(), label.casefold(), short.casefold()):
                    index.setdefault(key, code)
    return index


def _choice(field: str, value, choices_enum, *, required: bool = True, default=None) -> str:
    """Accept a choice's code or its label, in any case; return the code."""
    text = _text(value)
    if not text:
        if required and default is None:
            _required(field, value)
        return default
    code = _choice_index(choices_enum).get(text.casefold())
    if code is not None:
        return code
    options = ", ".join(str(label) for _code, label in choices_enum.choices)
    _fail(field, text, _("no es una opción válida. Use una de: %(options)s.") % {"options": options})


def clean_document_type(value) -> str:
    text = _text(value)
    if not text:
        _required("document_type", value)
    code = _choice_index(DocumentType).get(text.casefold())
    if code is not None:
        return code
    codes = ", ".join(DocumentType.values)
    _fail(
        "document_type",
        text,
        _("no es un tipo de documento válido. Use uno de: %(codes)s.") % {"codes": codes},
    )


def clean_status(value) -> str:
    return _choice("status", value, ClientStatus, default=ClientStatus.ACTIVE)


def clean_portfolio_type(value) -> str:
    return _choice("portfolio_type", value, PortfolioType, default=PortfolioType.CURRENT)


def clean_claim_category(value) -> str:
    return _choice("claim_category", value, ClaimCategory, default=ClaimCategory.NONE)


def clean_contactability(value) -> str:
    return _choice(
        "contactability", value, Contactability, default=Contactability.CONTACTABLE
    )


def clean_contact_alert(value) -> str:
    return _choice("contact_alert", value, ContactAlert, default=ContactAlert.NONE)


def clean_payment_order_kind(value) -> str:
    return _choice("kind", value, PaymentOrderKind, default=PaymentOrderKind.INVOICE)


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


def clean_money(field: str, value, *, required: bool = False, positive: bool = False,
                rules=None) -> Decimal:
    """An amount with up to 2 decimals and 12 integer digits; never negative.

    With the `rules` of an import (`from_file`), a text is read with the file's
    decimal mark (moonflow.imports.values), which refuses an ambiguous "45.000".
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            _required(field, value)
        return Decimal("0")
    if rules is not None and rules.from_file and isinstance(value, str):
        from moonflow.imports.values import InvalidValue
        from moonflow.imports.values import parse_number as parse_file_number

        try:
            amount = parse_file_number(value, decimal_mark=rules.decimal_mark)
        except InvalidValue as error:
            _fail(field, value, error.reason)
    else:
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

