"""What validation looks up in the project: segments, members, custom variables,
and the external IDs other clients hold.

Lookups that would cost a query per row come from a `ProjectRules` loaded
once per form or import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import InvalidOperation

from django.utils.translation import gettext as _

from moonflow.imports.values import InvalidValue
from moonflow.imports.values import parse_number as parse_file_number
from moonflow.text import shorten

from ..choices import VariableType
from .fields import LABELS, FieldError, _fail, _text, clean_date, parse_number


@dataclass
class ProjectRules:
    """What validation needs to know about a project, loaded once per form or import."""

    project: object
    segments: dict = field(default_factory=dict)  # casefolded name → Segment
    # Asesor ID without case (`member_code_key`) → Member, active or not.
    members: dict = field(default_factory=dict)
    variables: dict = field(default_factory=dict)  # key → CustomVariable
    # Set by an import: numbers come from a file whose decimal mark is this ("," or
    # "."; None when the file does not tell), read by moonflow.imports.values, which
    # refuses an ambiguous "45.000" instead of guessing.
    from_file: bool = False
    decimal_mark: str | None = None

    @classmethod
    def load(cls, project) -> ProjectRules:
        from moonflow.tenancy.models import Member

        from ..models import CustomVariable, Segment

        return cls(
            project=project,
            segments={s.name.casefold(): s for s in Segment.objects.filter(project=project)},
            members={
                member_code_key(m.code): m
                for m in Member.objects.filter(project=project).select_related("user")
            },
            variables={v.key: v for v in CustomVariable.objects.filter(project=project)},
        )

    def member_by_code(self, code):
        """The member whose Asesor ID is `code` in any case ("hv-001" is "HV-001"), or None."""
        return self.members.get(member_code_key(code))


def member_code_key(code) -> str:
    """How Asesor IDs compare: without case, like `Member.objects.with_code` and the
    project's unique constraint on upper(code)."""
    return (code or "").strip().upper()


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
    member = rules.member_by_code(text)
    if member is not None and member.is_active:
        return member
    label = str(LABELS["adviser_code"])
    if member is None:
        raise FieldError(
            "adviser_code", text,
            _("No existe un asesor con el ID «%(code)s».") % {"code": shorten(text)},
            label=label,
        )
    raise FieldError(
        "adviser_code",
        text,
        _("El asesor con el ID «%(code)s» (%(name)s) está inactivo.")
        % {"code": text, "name": member.display_name},
        label=label,
    )


def clean_supervisor_code(value, *, rules: ProjectRules):
    """The ID of an active supervisor or admin of the project; blank means none."""
    text = _text(value)
    if not text:
        return None
    member = rules.member_by_code(text)
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


def clean_custom_value(variable, value, *, rules: ProjectRules | None = None):
    """One custom variable's value, typed; blank means absent (None)."""
    field_name = f"extra.{variable.key}"
    label = variable.label
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if variable.type == VariableType.NUMBER:
        if rules is not None and rules.from_file and isinstance(value, str):
            try:
                number = parse_file_number(value, decimal_mark=rules.decimal_mark)
            except InvalidValue as error:
                _fail(field_name, value, error.reason, label=label)
        else:
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
            value = clean_custom_value(variable, raw[key], rules=rules)
        except FieldError as error:
            errors.append(error)
            continue
        if value is not None:
            clean[key] = value
    return clean, errors


def find_external_id_holder(*, project, document_type: str, document_number: str, exclude_pk=None):
    """The client (active or in the recycle bin) already holding this external ID."""
    from ..models import Client

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
    from ..models import Client
    from ..visibility import client_visibility_q, sees_whole_book

    if sees_whole_book(member):
        return True
    return Client.objects.filter(pk=client.pk).filter(client_visibility_q(member)).exists()

