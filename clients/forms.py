"""Input of the client record, payment order and Ajustes dialogs.

The forms only shape input: the client record is cleaned by
`clients.validation.clean_client_row`, the function every import uses, and
each other field by the same function of `clients.validation` an import
uses, so the messages on screen are the ones of the error report. Rules that
need the database beyond a lookup (claims, order state, whose a new client
is) live in `clients.services`, whose FieldErrors the views attach to the
field they name (`ClientForm.add_field_error`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from moonflow.forms import BootstrapFormMixin
from moonflow.tenancy.models import Role
from moonflow.numbers import format_number
from moonflow.text import shorten

from . import validation
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
from .models import CUSTOM_VARIABLE_KEY_RE
from .validation import CHOICE_LENGTH_MAX, CHOICES_MAX, FieldError, ProjectRules


def _date_text(value) -> str:
    return value.strftime("%d/%m/%Y") if isinstance(value, date) else ""


def _money_text(value) -> str:
    if value is None:
        return ""
    return f"{Decimal(value):.2f}".replace(".", ",")


def _id_of(instance) -> str:
    return str(instance.pk) if instance is not None else ""


def _select(label, choices=()):
    return forms.CharField(label=label, required=False, widget=forms.Select(choices=choices))


# The row `clean_client_row` cleans for the client form; the Asesor ID and the
# supervisor only for members who assign clients.
ASSIGN_FIELDS = ("adviser_code", "supervisor_code")
ROW_FIELDS = tuple(f for f in validation.CLIENT_FIELDS if f not in ASSIGN_FIELDS)


class ClientForm(BootstrapFormMixin, forms.Form):
    """Crear cliente / Editar: every field of the record, in the record's sections.

    The "Información del asesor" section (Asesor ID, Supervisor asignado) is
    only editable by admins and supervisors: advisers do not hand clients out.
    """

    # Choices are drawn as selects but cleaned by clients.validation, so a
    # tampered or stale value gets the same message an import would.
    document_type = _select(gettext_lazy("Tipo de documento"))
    document_number = forms.CharField(label=gettext_lazy("Número de documento"), required=False)
    name = forms.CharField(label=gettext_lazy("Nombre"), required=False)
    email = forms.CharField(label=gettext_lazy("Correo electrónico"), required=False)
    phone = forms.CharField(label=gettext_lazy("Teléfono"), required=False)
    city = forms.CharField(label=gettext_lazy("Ciudad"), required=False)
    segment = _select(gettext_lazy("Segmento"))
    status = _select(gettext_lazy("Estado"), ClientStatus.choices)
    portfolio_type = _select(gettext_lazy("Tipo de cartera"), PortfolioType.choices)
    contactability = _select(gettext_lazy("Contactabilidad"), Contactability.choices)
    contact_alert = _select(gettext_lazy("Alertas de contacto"), ContactAlert.choices)
    adviser_code = forms.CharField(
        label=gettext_lazy("Asesor ID"),
        required=False,
        help_text=gettext_lazy(
            "El ID del asesor en Ajustes → Usuarios. Déjelo vacío para dejar el cliente sin asesor."
        ),
    )
    supervisor_code = _select(gettext_lazy("Supervisor asignado"))
    claim_category = _select(gettext_lazy("Reclamos"), ClaimCategory.choices)
    # Editar: the adviser and supervisor the dialog showed (ids), so that a field left as it
    # was never overwrites a newer value (clients.services.client_update).
    shown_adviser = forms.CharField(widget=forms.HiddenInput, required=False)
    shown_supervisor = forms.CharField(widget=forms.HiddenInput, required=False)
    SHOWN_FIELDS = ("shown_adviser", "shown_supervisor")

    CREATE_INITIAL = {
        "status": ClientStatus.ACTIVE,
        "portfolio_type": PortfolioType.CURRENT,
        "contactability": Contactability.CONTACTABLE,
        "contact_alert": ContactAlert.NONE,
        "claim_category": ClaimCategory.NONE,
    }

    SECTIONS = (
        ("client", gettext_lazy("Datos del cliente"),
         ("document_type", "document_number", "name", "segment", "status", "portfolio_type")),
        ("contact", gettext_lazy("Contacto"),
         ("email", "phone", "city", "contactability", "contact_alert")),
        ("adviser", gettext_lazy("Información del asesor"), ("adviser_code", "supervisor_code")),
        ("claims", gettext_lazy("Reclamos"), ("claim_category",)),
    )

    def __init__(self, data=None, *, member, rules: ProjectRules, client=None, **kwargs):
        self.member = member
        self.rules = rules
        self.client = client
        self.can_assign = member.can_manage
        kwargs.setdefault("initial", self._initial(client) if client else dict(self.CREATE_INITIAL))
        super().__init__(data, **kwargs)
        self.fields["document_type"].widget.choices = [("", "---------"), *DocumentType.choices]
        segment_names = sorted((s.name for s in rules.segments.values()), key=str.casefold)
        self.fields["segment"].widget.choices = [("", _("Sin segmento"))] + [
            (n, n) for n in segment_names
        ]
        # Active supervisors, plus whoever supervises this client now.
        supervisors = sorted(
            (
                m
                for m in rules.members.values()
                if (m.is_active and m.role == Role.SUPERVISOR)
                or (client is not None and m.pk == client.supervisor_id)
            ),
            key=lambda m: m.display_name.casefold(),
        )
        self.fields["supervisor_code"].widget.choices = [("", _("Sin supervisor"))] + [
            (m.code, f"{m.display_name} ({m.code})") for m in supervisors
        ]
        self.fields["adviser_code"].widget.attrs["autocomplete"] = "off"
        if not self.can_assign:
            for name in ("adviser_code", "supervisor_code"):
                self.fields[name].disabled = True
        if client is None or not self.can_assign:
            for name in self.SHOWN_FIELDS:
                del self.fields[name]
        self.variable_fields = []
        for variable in rules.variables.values():
            name = f"var_{variable.key}"
            self.fields[name] = self._variable_field(variable)
            self.variable_fields.append(name)
            if client is not None and name not in self.initial:
                self.initial[name] = self._variable_initial(variable, client.extra.get(variable.key))
        # The mixin styled the declared fields only; style the dynamic ones.
        self.style_fields()

    @staticmethod
    def _initial(client) -> dict:
        return {
            "document_type": client.document_type,
            "document_number": client.document_number,
            "name": client.name,
            "email": client.email,
            "phone": client.phone,
            "city": client.city,
            "segment": client.segment.name if client.segment_id else "",
            "status": client.status,
            "portfolio_type": client.portfolio_type,
            "contactability": client.contactability,
            "contact_alert": client.contact_alert,
            "adviser_code": client.adviser.code if client.adviser_id else "",
            "supervisor_code": client.supervisor.code if client.supervisor_id else "",
            "claim_category": client.claim_category,
            "shown_adviser": str(client.adviser_id or ""),
            "shown_supervisor": str(client.supervisor_id or ""),
        }

    @staticmethod
    def _variable_field(variable):
        if variable.type == VariableType.CHOICE and validation.picks_from_a_list(variable):
            return _select(
                variable.label, [("", "---------")] + [(o, o) for o in variable.choices or []]
            )
        field = forms.CharField(label=variable.label, required=False)
        if variable.type == VariableType.CHOICE:
            field.help_text = _("Escriba una de las %(count)s opciones de la lista.") % {
                "count": format_number(len(variable.choices))}
        elif variable.type == VariableType.DATE:
            field.widget.attrs["placeholder"] = _("dd/mm/aaaa")
            field.help_text = _("Fecha en formato dd/mm/aaaa.")
        elif variable.type == VariableType.NUMBER:
            field.widget.attrs["inputmode"] = "decimal"
        return field

    @staticmethod
    def _variable_initial(variable, stored):
        if stored is None:
            return ""
        if variable.type == VariableType.DATE:
            try:
                return _date_text(date.fromisoformat(stored))
            except (TypeError, ValueError):
                return stored
        if variable.type == VariableType.NUMBER:
            return str(stored).replace(".", ",")
        return stored

    def sections(self):
        """(title, bound fields) in the order the dialog shows them."""
        out = [
            {"key": key, "title": title, "fields": [self[n] for n in names]}
            for key, title, names in self.SECTIONS
        ]
        if self.variable_fields:
            out.append(
                {
                    "key": "extra",
                    "title": _("Variables adicionales"),
                    "fields": [self[n] for n in self.variable_fields],
                }
            )
        return out

    def field_for_error(self, error: FieldError) -> str | None:
        """The form field a FieldError names (custom variable "extra.<key>" → "var_<key>")."""
        name = error.field
        if name.startswith("extra."):
            name = "var_" + name.removeprefix("extra.")
        elif name == "adviser":
            name = "adviser_code"
        return name if name in self.fields else None

    def add_field_error(self, error: FieldError) -> None:
        """Show a validation or service refusal next to the field it names (or above)."""
        self.add_error(self.field_for_error(error), error)

    def clean(self):
        data = self.cleaned_data
        names = ROW_FIELDS + (ASSIGN_FIELDS if self.can_assign else ())
        raw = {name: data.get(name) for name in names}
        raw["extra"] = {
            name.removeprefix("var_"): data.get(name) for name in self.variable_fields
        }
        row = validation.clean_client_row(raw, rules=self.rules, partial=True)
        for error in row.errors:
            self.add_field_error(error)
        out = dict(row.values)
        # Custom variables: the record keeps values of variables not on the form;
        # a field left blank removes the variable's value.
        failed = {self.field_for_error(error) for error in row.errors}
        extra = dict(self.client.extra) if self.client is not None else {}
        for name in self.variable_fields:
            key = name.removeprefix("var_")
            if key in out["extra"]:
                extra[key] = out["extra"][key]
            elif name not in failed:
                extra.pop(key, None)
        out["extra"] = extra
        if "document_type" in out and "document_number" in out:
            try:
                validation.check_external_id_free(
                    project=self.rules.project,
                    document_type=out["document_type"],
                    document_number=out["document_number"],
                    exclude_pk=self.client.pk if self.client is not None else None,
                    member=self.member,
                )
            except FieldError as error:
                self.add_error("document_number", error)
        self.clean_values = out
        return data

    def service_kwargs(self) -> dict:
        """Arguments for client_create / client_update."""
        values = dict(self.clean_values)
        if self.can_assign:
            values["adviser"] = values.pop("adviser_code", None)
            values["supervisor"] = values.pop("supervisor_code", None)
            for name in self.SHOWN_FIELDS:
                # Absent from the post (no dialog): the service compares with what is stored.
                if name in self.fields and name in self.data:
                    values[name] = self.cleaned_data.get(name) or ""
        return values

    def show_stored_assignment(self, client) -> None:
        """After a refused change of adviser: the dialog now shows the client's adviser and
        supervisor as they are stored (the supervisor field too, when it had been left as it
        was), and a new Guardar applies the Asesor ID typed in."""
        data = self.data.copy()
        if data.get("shown_supervisor", "") == _id_of(self.clean_values.get("supervisor_code")):
            data["supervisor_code"] = client.supervisor.code if client.supervisor_id else ""
            data["shown_supervisor"] = str(client.supervisor_id or "")
        data["shown_adviser"] = str(client.adviser_id or "")
        self.data = data


class DeleteClientForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Motivo (opcional)"),
        required=False,
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- Payment orders -------------------------------------------------------------------


class PaymentOrderForm(BootstrapFormMixin, forms.Form):
    number = forms.CharField(label=gettext_lazy("Número"), required=False)
    kind = _select(gettext_lazy("Tipo"), PaymentOrderKind.choices)
    amount = forms.CharField(label=gettext_lazy("Monto"), required=False)
    interest = forms.CharField(label=gettext_lazy("Intereses"), required=False)
    discounts = forms.CharField(label=gettext_lazy("Descuentos"), required=False)
    payments = forms.CharField(label=gettext_lazy("Pagos"), required=False)
    currency = forms.CharField(label=gettext_lazy("Moneda"), required=False)
    issued_on = forms.CharField(label=gettext_lazy("Emisión"), required=False)
    due_date = forms.CharField(label=gettext_lazy("Vencimiento"), required=False)

    def __init__(self, data=None, *, project, order=None, **kwargs):
        self.project = project
        if order is not None:
            kwargs.setdefault(
                "initial",
                {
                    "number": order.number,
                    "kind": order.kind,
                    "amount": _money_text(order.amount),
                    "interest": _money_text(order.interest),
                    "discounts": _money_text(order.discounts),
                    "payments": _money_text(order.payments),
                    "currency": order.currency,
                    "issued_on": _date_text(order.issued_on),
                    "due_date": _date_text(order.due_date),
                },
            )
        else:
            kwargs.setdefault("initial", {"currency": project.currency})
        super().__init__(data, **kwargs)
        for name in ("issued_on", "due_date"):
            self.fields[name].widget.attrs["placeholder"] = _("dd/mm/aaaa")
        for name in ("amount", "interest", "discounts", "payments"):
            self.fields[name].widget.attrs["inputmode"] = "decimal"

    def clean(self):
        data = self.cleaned_data
        out = {}

        def run(name, fn, *args, **kw):
            try:
                out[name] = fn(*args, data.get(name), **kw)
            except FieldError as error:
                self.add_error(name, error)

        run("number", validation.clean_order_number)
        run("kind", validation.clean_payment_order_kind)
        run("amount", validation.clean_money, "amount", required=True, positive=True)
        for name in ("interest", "discounts", "payments"):
            run(name, validation.clean_money, name)
        run("currency", validation.clean_currency, default=self.project.currency)
        run("issued_on", validation.clean_date, "issued_on", required=False)
        run("due_date", validation.clean_date, "due_date")
        self.clean_values = out
        return data


class PaymentOrderFilterForm(BootstrapFormMixin, forms.Form):
    """The Órdenes de pago filters; every value is optional and lives in the URL."""

    STATUS_CHOICES = (
        ("", gettext_lazy("Todos")),
        ("vigente", gettext_lazy("Vigente")),
        ("vencida", gettext_lazy("Vencida")),
        ("pagada", gettext_lazy("Pagada")),
        ("anulada", gettext_lazy("Anulada")),
    )
    q = forms.CharField(label=gettext_lazy("Cliente"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Estado"), choices=STATUS_CHOICES, required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Tipo"), required=False)
    due_from = forms.DateField(
        label=gettext_lazy("Vence desde"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    due_to = forms.DateField(
        label=gettext_lazy("Vence hasta"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, with_client_search: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Todos")), *PaymentOrderKind.choices]
        self.fields["q"].widget.attrs["placeholder"] = _("Nombre o documento")
        if not with_client_search:
            del self.fields["q"]

    def filters(self) -> dict:
        """The valid filters; an invalid one (a mistyped date) is dropped, not the rest."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


# --- Ajustes ---------------------------------------------------------------------


class SegmentForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Segmento"), max_length=80)


class CustomVariableForm(BootstrapFormMixin, forms.Form):
    label = forms.CharField(label=gettext_lazy("Nombre"), max_length=80)
    key = forms.CharField(
        label=gettext_lazy("Clave"),
        max_length=40,
        required=False,
        help_text=gettext_lazy(
            "La columna que usan los archivos y la API: minúsculas, números y «_». "
            "Si la deja vacía se toma del nombre. No se puede cambiar después."
        ),
    )
    type = forms.ChoiceField(label=gettext_lazy("Tipo"), choices=VariableType.choices)
    choices = forms.CharField(
        label=gettext_lazy("Opciones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Solo para «Lista de opciones»: una opción por línea, hasta 200 opciones de hasta "
            "100 caracteres."
        ),
    )

    def __init__(self, *args, variable=None, **kwargs):
        self.variable = variable
        if variable is not None:
            kwargs.setdefault(
                "initial",
                {
                    "label": variable.label,
                    "key": variable.key,
                    "type": variable.type,
                    "choices": "\n".join(variable.choices or []),
                },
            )
        super().__init__(*args, **kwargs)
        if variable is not None:
            # Files map to the key and stored values were typed: both stay.
            self.fields["key"].disabled = True
            self.fields["type"].disabled = True

    def clean_key(self):
        if self.variable is not None:
            return self.variable.key
        key = (self.cleaned_data.get("key") or "").strip()
        if not key:
            key = slugify(self.cleaned_data.get("label") or self.data.get("label") or "")
            key = key.replace("-", "_")[:40]
        if not CUSTOM_VARIABLE_KEY_RE.match(key):
            raise forms.ValidationError(
                _(
                    "Clave «%(key)s»: use minúsculas, números y «_», empezando por una letra "
                    "(hasta 40 caracteres)."
                )
                % {"key": key}
            )
        return key

    def clean_choices(self):
        lines = (self.cleaned_data.get("choices") or "").splitlines()
        options, seen = [], set()
        for line in lines:
            option = line.strip()
            if option and option.casefold() not in seen:
                seen.add(option.casefold())
                options.append(option)
        return options

    def _check_choices(self, options) -> None:
        if not options:
            self.add_error(
                "choices", _("Opciones: escriba al menos una opción para una lista de opciones.")
            )
            return
        too_long = next((o for o in options if len(o) > CHOICE_LENGTH_MAX), None)
        if too_long is not None:
            self.add_error("choices", _(
                "Opciones: «%(option)s» es demasiado larga; cada opción admite hasta "
                "%(max)s caracteres."
            ) % {"option": shorten(too_long), "max": CHOICE_LENGTH_MAX})
        if len(options) > CHOICES_MAX:
            self.add_error("choices", _(
                "Opciones: escribió %(count)s y una lista admite hasta %(max)s. Para más "
                "valores (códigos, sucursales, productos) use una variable de tipo «Texto»."
            ) % {"count": format_number(len(options)), "max": CHOICES_MAX})

    def clean(self):
        data = super().clean()
        kind = self.variable.type if self.variable is not None else data.get("type")
        if kind == VariableType.CHOICE:
            self._check_choices(data.get("choices"))
        if kind != VariableType.CHOICE:
            data["choices"] = []
        return data
