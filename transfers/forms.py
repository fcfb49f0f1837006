"""The form of Acciones → Transferir cliente."""

from django import forms
from django.utils.translation import gettext_lazy as _

from moonflow.forms import BootstrapFormMixin

from .services import NOTE_MAX_CHARS, member_label


class TransferClientForm(BootstrapFormMixin, forms.Form):
    """The new adviser, among `targets` (the current one left out), and a hand-off note."""

    adviser = forms.TypedChoiceField(
        label=_("Nuevo asesor"),
        coerce=int,
        error_messages={
            "required": _("Elija el asesor que recibe el cliente."),
            "invalid_choice": _("El asesor elegido no puede recibir este cliente: elija uno "
                                "de la lista."),
        },
        widget=forms.Select(attrs={"size": 8}),
    )
    note = forms.CharField(
        label=_("Nota de traspaso"),
        required=False,
        max_length=NOTE_MAX_CHARS,
        help_text=_("Opcional: queda en el cliente, con el asesor anterior y el nuevo."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = {m.pk: m for m in targets}
        self.fields["adviser"].choices = [(m.pk, member_label(m)) for m in targets]
        self.fields["note"].error_messages["max_length"] = _(
            "Nota de traspaso: máximo %(limit_value)d caracteres (tiene %(show_value)d).")

    def clean_adviser(self):
        return self.targets[self.cleaned_data["adviser"]]
