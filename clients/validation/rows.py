"""A whole client row: every field of the record cleaned at once, all errors collected.

The form (Crear cliente / Editar) and every import clean a row through
`clean_client_row`, so the same input gets the same value and the same
message everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .fields import (
    FieldError,
    clean_currency,
    clean_date,
    clean_money,
    clean_order_number,
    clean_payment_order_kind,
    clean_city,
    clean_claim_category,
    clean_contact_alert,
    clean_contactability,
    clean_document_number,
    clean_document_type,
    clean_email,
    clean_name,
    clean_phone,
    clean_portfolio_type,
    clean_status,
)
from .rules import (
    ProjectRules,
    clean_adviser_code,
    clean_extra,
    clean_segment,
    clean_supervisor_code,
)


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



ORDER_FIELDS = ("number", "kind", "amount", "interest", "discounts", "payments", "balance",
                "currency", "issued_on", "due_date")


def clean_order_row(raw: dict, *, rules: ProjectRules) -> CleanClient:
    """Clean the payment-order fields present in `raw` (an import's row), all errors collected.

    Only what is given is cleaned (an update changes what the file has); creating
    an order needs the number, the amount and the due date, checked by the caller
    that knows whether the order exists. "balance" (Saldo) is what is left to pay:
    with the amount, it gives the payments (amount + interest − discounts − balance).
    """
    values, errors = {}, []

    def run(name, fn, *args, **kwargs):
        if name not in raw:
            return
        try:
            values[name] = fn(*args, raw.get(name), **kwargs)
        except FieldError as error:
            errors.append(error)

    run("number", clean_order_number)
    run("kind", clean_payment_order_kind)
    run("amount", clean_money, "amount", positive=True, rules=rules)
    for name in ("interest", "discounts", "payments", "balance"):
        run(name, clean_money, name, rules=rules)
    run("currency", clean_currency, default=rules.project.currency)
    run("issued_on", clean_date, "issued_on", required=False)
    run("due_date", clean_date, "due_date")
    if "balance" in values and "payments" not in values and "amount" in values:
        paid = (values["amount"] + values.get("interest", 0) - values.get("discounts", 0)
                - values["balance"])
        if paid < 0:
            errors.append(FieldError("balance", raw.get("balance"), _(
                "Saldo «%(value)s»: es mayor que el monto más los intereses menos los "
                "descuentos.") % {"value": raw.get("balance")}))
        else:
            values["payments"] = paid
    values.pop("balance", None)
    return CleanClient(values=values, errors=errors)
