"""A payment order created or changed through the API goes the screen's way: the order form
(`clients.forms.PaymentOrderForm`) then `clients.services` with source "api" (the audit, the
client's situation). Refusals come back as field-level problems."""

from __future__ import annotations

from django.utils.translation import gettext as _

from clients import services
from clients.choices import AssignmentSource
from clients.forms import PaymentOrderForm
from clients.validation import FieldError

from .problems import ProblemError
from .serializers.payment_orders import order_field_name

SOURCE = AssignmentSource.API


def _refused(errors: list[dict]) -> ProblemError:
    return ProblemError(400, _("Revise los campos señalados."), errors=errors)


def _form_errors(form: PaymentOrderForm) -> list[dict]:
    return [{"field": order_field_name(name), "message": str(message)}
            for name, messages in form.errors.items() for message in messages]


def _field_error(error: FieldError) -> ProblemError:
    return _refused([{"field": order_field_name(error.field), "message": str(error)}])


def payment_order_create_from_api(*, member, client, data: dict):
    """A new order of `client` (a client the key sees, outside the recycle bin)."""
    form = PaymentOrderForm(data, project=member.project)
    if not form.is_valid():
        raise _refused(_form_errors(form))
    try:
        return services.payment_order_create(client=client, actor=member.user, source=SOURCE,
                                             **form.clean_values)
    except FieldError as error:
        raise _field_error(error) from None


def payment_order_update_from_api(*, member, order, data: dict):
    """Change only the fields the body sends; the others keep what the order has. Paid and
    annulled orders are history (the service refuses them, naming `status`)."""
    shown = PaymentOrderForm(project=member.project, order=order)
    current = {name: shown.initial.get(name, "") for name in shown.fields}
    form = PaymentOrderForm({**current, **data}, project=member.project, order=order)
    if not form.is_valid():
        raise _refused(_form_errors(form))
    try:
        services.payment_order_update(order=order, actor=member.user, source=SOURCE,
                                      **form.clean_values)
    except FieldError as error:
        raise _field_error(error) from None
    return order
