"""A client created or updated through the API goes the screen's way: the client form
(`clients.forms.ClientForm`: `clean_client_row`, the external-ID check, who may assign)
then `clients.services` with source "api". Refusals come back as field-level problems."""

from __future__ import annotations

from django.utils.translation import gettext as _

from clients import services
from clients.choices import AssignmentSource
from clients.forms import ClientForm
from clients.validation import FieldError, ProjectRules
from clients.views.record import hide_adviser_code
from clients.visibility import may_read_adviser, readable_adviser_ids

from .problems import ProblemError
from .serializers.clients import json_field_name


def _refused(errors: list[dict]) -> ProblemError:
    return ProblemError(400, _("Revise los campos señalados."), errors=errors)


def _form_errors(form: ClientForm) -> list[dict]:
    return [{"field": json_field_name(name), "message": str(message)}
            for name, messages in form.errors.items() for message in messages]


def _field_error(error: FieldError) -> list[dict]:
    return [{"field": json_field_name(error.field), "message": str(error)}]


def client_create_from_api(*, member, data: dict):
    """Create a client from the form data of an API body (api.serializers.clients)."""
    rules = ProjectRules.load(member.project)
    form = ClientForm({**ClientForm.CREATE_INITIAL, **data}, member=member, rules=rules)
    if not form.is_valid():
        raise _refused(_form_errors(form))
    try:
        return services.client_create(project=member.project, actor=member.user, member=member,
                                      source=AssignmentSource.API, **form.service_kwargs())
    except FieldError as error:
        raise _refused(_field_error(error)) from None


def client_update_from_api(*, member, client, data: dict):
    """Change only the fields the body sends; the others keep what the client has (an
    adviser the key may not read stays, unless the body names another Asesor ID)."""
    rules = ProjectRules.load(member.project)
    shown = ClientForm(member=member, rules=rules, client=client)
    adviser_hidden = not may_read_adviser(readable_adviser_ids(member), client.adviser_id)
    if adviser_hidden:
        hide_adviser_code(shown)
    current = {name: shown.initial.get(name, "") for name in shown.fields}
    form = ClientForm({**current, **data}, member=member, rules=rules, client=client)
    if not form.is_valid():
        raise _refused(_form_errors(form))
    kwargs = form.service_kwargs()
    if adviser_hidden and kwargs.get("adviser") is None:
        kwargs.pop("adviser", None)
    try:
        services.client_update(client=client, actor=member.user, member=member,
                               source=AssignmentSource.API, **kwargs)
    except FieldError as error:
        raise _refused(_field_error(error)) from None
    client.refresh_from_db()
    return client
