"""Field rules of a client record and of a payment order, shared by every way in.

The individual form (Crear cliente / Editar), file imports, SFTP drops and the
API all clean a raw value with the same function, so a value accepted on
screen is accepted in a file and the other way round:
- `fields`: one raw value → the stored value, or a `FieldError` naming the
  field, the value and what is expected;
- `rules`: what needs the project (segments, Asesor IDs, custom variables,
  the external IDs other clients hold), looked up in a `ProjectRules`
  loaded once per form or import;
- `rows`: a whole client row at once (`clean_client_row`), every error of
  the row collected; the form and every import go through it.

Decisions written down here because other modules rely on them:
- Every value is stored in its normalised form, the one the cleaners return;
  cleaning a stored value gives it back unchanged, so a form saved without
  changes writes nothing, and an import matches a file's "900.123.456-8" to
  the client stored as "900123456". What people read ("900.123.456-8",
  "+57 300 123 4567") is formatted only when shown: `clients.display`.
- Document numbers, by type: CC digits only (3 to 10); CE letters and digits,
  upper-case; DNI digits (7 or 8); NIT its base digits (5 to 15; a check
  digit, when given, is verified and dropped: the DIAN derives it); RUT
  "12345678-5" (body without leading zeros or dots, check digit verified,
  "K" upper-case); CUIT its 11 digits (check digit verified, no hyphens);
  RFC and passports upper-case, without spaces or hyphens. Dots, spaces and
  hyphens people type are dropped.
- Phones: digits with an optional leading "+" and the country code
  ("+573001234567"); spaces, dots, hyphens, parentheses and slashes are
  dropped. Emails: lower-case, without surrounding spaces.
- Asesor IDs are compared without case ("hv-001" is "HV-001"), as the
  project's unique constraint on upper(code) does.
- Custom variables are stored in `Client.extra` as JSON: text as a string,
  numbers as JSON numbers (int when integral), dates as ISO "aaaa-mm-dd"
  strings (so they sort and compare as text), choices as the option's
  canonical spelling.
- A number with a single separator ("1,5" or "1.5") takes it as the decimal
  separator; with both, the last one is decimal ("1.234,56", "1,234.56");
  repeated same separators are thousands ("1.234.567").
"""

from .fields import (
    CUIT_WEIGHTS,
    LABELS,
    MONEY_DIGITS,
    MONEY_LIMIT,
    NIT_WEIGHTS,
    FieldError,
    clean_city,
    clean_claim_category,
    clean_contact_alert,
    clean_contactability,
    clean_currency,
    clean_date,
    clean_document_number,
    clean_document_type,
    clean_email,
    clean_money,
    clean_name,
    clean_order_number,
    clean_payment_order_kind,
    clean_phone,
    clean_portfolio_type,
    clean_status,
    cuit_check_digit,
    nit_check_digit,
    parse_date,
    parse_number,
    rut_check_digit,
)
from .rows import CLIENT_FIELDS, ORDER_FIELDS, CleanClient, clean_client_row, clean_order_row
from .rules import (
    CHOICE_LENGTH_MAX,
    CHOICES_MAX,
    OPTIONS_LISTED,
    VARIABLE_NUMBER_DIGITS,
    ProjectRules,
    check_external_id_free,
    clean_adviser_code,
    clean_custom_value,
    clean_extra,
    clean_segment,
    clean_supervisor_code,
    find_external_id_holder,
    member_code_key,
    picks_from_a_list,
)

__all__ = [
    "CHOICE_LENGTH_MAX",
    "CHOICES_MAX",
    "CLIENT_FIELDS",
    "ORDER_FIELDS",
    "CUIT_WEIGHTS",
    "LABELS",
    "MONEY_DIGITS",
    "MONEY_LIMIT",
    "NIT_WEIGHTS",
    "OPTIONS_LISTED",
    "VARIABLE_NUMBER_DIGITS",
    "CleanClient",
    "FieldError",
    "ProjectRules",
    "check_external_id_free",
    "clean_adviser_code",
    "clean_city",
    "clean_claim_category",
    "clean_client_row",
    "clean_order_row",
    "clean_contact_alert",
    "clean_contactability",
    "clean_currency",
    "clean_custom_value",
    "clean_date",
    "clean_document_number",
    "clean_document_type",
    "clean_email",
    "clean_extra",
    "clean_money",
    "clean_name",
    "clean_order_number",
    "clean_payment_order_kind",
    "clean_phone",
    "clean_portfolio_type",
    "clean_segment",
    "clean_status",
    "clean_supervisor_code",
    "cuit_check_digit",
    "find_external_id_holder",
    "member_code_key",
    "nit_check_digit",
    "parse_date",
    "parse_number",
    "picks_from_a_list",
    "rut_check_digit",
]
