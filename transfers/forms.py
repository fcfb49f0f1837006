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


class BulkTransferForm(BootstrapFormMixin, forms.Form):
    """Cambio de gestor: the tray's filter (its state query), the advisers who receive the
    clients, in the order picked, and how they are dealt."""

    SINGLE = "single"
    METHOD_CHOICES = [
        (SINGLE, _("Un solo asesor")),
        ("round_robin", _("Reparto round robin")),
        ("by_count", _("Equilibrado por número de clientes")),
        ("by_balance", _("Equilibrado por saldo")),
    ]

    query = forms.CharField(required=False, max_length=4000, widget=forms.HiddenInput)
    advisers = forms.TypedMultipleChoiceField(
        label=_("Asesores que reciben los clientes"),
        coerce=int,
        error_messages={
            "required": _("Elija al menos un asesor que reciba los clientes."),
            "invalid_choice": _("Uno de los asesores elegidos no puede recibir clientes: elija "
                                "de la lista."),
        },
        widget=forms.CheckboxSelectMultiple,
    )
    method = forms.ChoiceField(
        label=_("Cómo repartir"),
        choices=METHOD_CHOICES,
        initial=SINGLE,
        error_messages={
            "required": _("Elija cómo repartir los clientes."),
            "invalid_choice": _("Elija cómo repartir: un solo asesor, round robin, por número "
                                "de clientes o por saldo."),
        },
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Nota de traspaso"),
        required=False,
        max_length=NOTE_MAX_CHARS,
        help_text=_("Opcional: queda en cada cliente, con el asesor anterior y el nuevo."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    digest = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = {m.pk: m for m in targets}
        self.fields["advisers"].choices = [(m.pk, member_label(m)) for m in targets]
        self.fields["note"].error_messages["max_length"] = _(
            "Nota de traspaso: máximo %(limit_value)d caracteres (tiene %(show_value)d).")

    def clean_advisers(self):
        picked = []
        for pk in self.cleaned_data["advisers"]:
            if self.targets[pk] not in picked:
                picked.append(self.targets[pk])
        return picked

    def clean(self):
        data = super().clean()
        if data.get("method") == self.SINGLE and len(data.get("advisers") or []) > 1:
            self.add_error("advisers", _("Con «Un solo asesor» elija exactamente un asesor, o "
                                         "elija un reparto entre varios."))
        return data
