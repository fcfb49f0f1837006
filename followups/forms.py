"""The Gestiones dialogs' forms: they read what the user typed; the services judge it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from moonflow.forms import BootstrapFormMixin

from .choices import ContactChannel, FollowUpKind

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATE_ERRORS = {
    "required": gettext_lazy("Fecha: es obligatoria (dd/mm/aaaa)."),
    "invalid": gettext_lazy("Fecha: no es una fecha válida (dd/mm/aaaa)."),
}
TIME_ERRORS = {"invalid": gettext_lazy("Hora: no es una hora válida (hh:mm).")}


def _date_field(label=gettext_lazy("Fecha")):
    return forms.DateField(label=label, input_formats=DATE_FORMATS, error_messages=DATE_ERRORS,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def _time_field():
    return forms.TimeField(label=gettext_lazy("Hora (opcional)"), required=False,
                           error_messages=TIME_ERRORS,
                           widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))


class FollowUpForm(BootstrapFormMixin, forms.Form):
    """Nueva gestión: a task, a payment promise (amount, date) or a contact (channel, when)."""

    kind = forms.ChoiceField(label=gettext_lazy("Tipo"), choices=FollowUpKind.choices,
                             initial=FollowUpKind.TASK,
                             error_messages={"invalid_choice": gettext_lazy(
                                 "Tipo: elija Tarea, Promesa de pago o Contacto programado.")})
    title = forms.CharField(label=gettext_lazy("Qué hacer"), required=False)
    due_on = _date_field()
    due_time = _time_field()
    amount = forms.DecimalField(label=gettext_lazy("Monto prometido"), required=False,
                                max_digits=14, decimal_places=2,
                                error_messages={"invalid": gettext_lazy(
                                    "Monto prometido: escriba un número, p. ej. 150000.")})
    channel = forms.ChoiceField(
        label=gettext_lazy("Canal"), required=False,
        choices=[("", "—"), *ContactChannel.choices],
        error_messages={"invalid_choice": gettext_lazy("Canal: elija uno de la lista.")})
    detail = forms.CharField(label=gettext_lazy("Detalle (opcional)"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class RescheduleForm(BootstrapFormMixin, forms.Form):
    due_on = _date_field(gettext_lazy("Nueva fecha"))
    due_time = _time_field()


class CloseForm(BootstrapFormMixin, forms.Form):
    """Completar / Anular: an optional note on the result."""

    note = forms.CharField(label=gettext_lazy("Resultado (opcional)"), required=False,
                           max_length=2_000, widget=forms.Textarea(attrs={"rows": 2}))


class PromiseCompleteForm(CloseForm):
    kept = forms.TypedChoiceField(
        label=gettext_lazy("¿Se cumplió la promesa?"), coerce=lambda v: v == "yes",
        choices=[("yes", gettext_lazy("Sí, cumplida")), ("no", gettext_lazy("No, incumplida"))],
        initial="yes")

    field_order = ["kept", "note"]


class NoteForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(label=gettext_lazy("Nota"), required=False,
                           widget=forms.Textarea(attrs={"rows": 4}))
