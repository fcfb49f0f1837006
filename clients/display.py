"""How stored values read on screen and in files people read: formatting only.

Values are stored normalised (`clients.validation`): "888605031" for a NIT,
"+573094617291" for a phone. These functions write them the way people are
used to reading them, and are used only when showing a value, never when
storing or matching one; a value they do not recognise is shown as stored.

- `document_display(document_type, number)`, through one function per type:
  `cc_display` "1.020.304.050", `nit_display` "888.605.031-8" (with its
  verification digit), `rut_display` "12.345.678-5", `cuit_display`
  "30-24801014-9"; CE, DNI, RFC and passports as stored.
- `phone_display(phone)`: "+57 309 461 7291" (Colombia), "+51 912 345 678"
  (Peru), "+56 9 1234 5678" (Chile), "+54 9 11 1234-5678" (Argentina), and
  the other country codes as stored.
- `external_id_display(document_type, number)`: "NIT 888.605.031-8".

Templates use them through `{% load client_display %}`
(clients/templatetags/client_display.py).
"""

from __future__ import annotations

import re

from .choices import DocumentType
from .validation import cuit_check_digit, nit_check_digit, rut_check_digit


def _thousands(digits: str) -> str:
    """ "1020304050" → "1.020.304.050"."""
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)]
    return ".".join(groups)


def cc_display(number: str) -> str:
    """Colombia's cédula with thousands dots: "1.020.304.050"."""
    return _thousands(number) if re.fullmatch(r"[1-9]\d{2,9}", number) else number


def nit_display(number: str) -> str:
    """A NIT with its verification digit, derived: "888.605.031-8"."""
    if not re.fullmatch(r"\d{5,15}", number):
        return number
    return f"{_thousands(number)}-{nit_check_digit(number)}"


def rut_display(number: str) -> str:
    """A Chilean RUT with dots: "12.345.678-5"."""
    match = re.fullmatch(r"(\d{1,8})-([0-9K])", number)
    if not match or match.group(2) != rut_check_digit(match.group(1)):
        return number
    return f"{_thousands(match.group(1))}-{match.group(2)}"


def cuit_display(number: str) -> str:
    """An Argentine CUIT with its hyphens: "30-24801014-9"."""
    if not re.fullmatch(r"\d{11}", number) or cuit_check_digit(number[:10]) != number[10]:
        return number
    return f"{number[:2]}-{number[2:10]}-{number[10]}"


# CE, DNI, RFC and passports read as stored.
_DOCUMENT_DISPLAY = {
    DocumentType.CC: cc_display,
    DocumentType.NIT: nit_display,
    DocumentType.RUT: rut_display,
    DocumentType.CUIT: cuit_display,
}


def document_display(document_type: str, number: str) -> str:
    """A stored document number as people write it for its type."""
    number = number or ""
    display = _DOCUMENT_DISPLAY.get(document_type)
    return display(number) if display is not None else number


def external_id_display(document_type: str, number: str) -> str:
    """ "NIT 888.605.031-8": the document type and its number as people read them."""
    return f"{document_type} {document_display(document_type, number)}"


# Country code → how its numbers are grouped: (national digits, group sizes,
# separators between groups). A stored phone whose national part has another
# length is shown as stored.
_PHONE_PLANS = {
    "57": {10: ((3, 3, 4), (" ", " "))},  # Colombia: 300 123 4567
    "51": {9: ((3, 3, 3), (" ", " "))},  # Peru: 912 345 678
    "56": {9: ((1, 4, 4), (" ", " "))},  # Chile: 9 1234 5678
    "54": {  # Argentina: mobiles 9 11 1234-5678, landlines 11 1234-5678
        11: ((1, 2, 4, 4), (" ", " ", "-")),
        10: ((2, 4, 4), (" ", "-")),
    },
}


def _grouped(digits: str, sizes, separators) -> str:
    parts, start = [], 0
    for size in sizes:
        parts.append(digits[start:start + size])
        start += size
    text = parts[0]
    for separator, part in zip(separators, parts[1:]):
        text += separator + part
    return text


def phone_display(phone: str) -> str:
    """A stored phone ("+573094617291") as people read it ("+57 309 461 7291")."""
    phone = phone or ""
    match = re.fullmatch(r"\+(\d{7,15})", phone)
    if not match:
        return phone
    digits = match.group(1)
    for code, plans in _PHONE_PLANS.items():
        if digits.startswith(code):
            national = digits[len(code):]
            plan = plans.get(len(national))
            if plan is not None:
                return f"+{code} {_grouped(national, *plan)}"
    return phone
