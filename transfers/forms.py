"""The forms of Acciones → Transferir cliente and of Cambio de gestor.

`TransferPlanForm` (who receives a set of clients, and its preview's digest)
is shared by Cambio de gestor and by the hand-over offered when an adviser is
deactivated (advisers.forms.MemberDeactivateForm).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from clients.lists import CLIENTS
from moonflow.forms import BootstrapFormMixin

from .jobs import SINGLE_METHOD
from .plans import split_plan
from .services import NOTE_MAX_CHARS, TransferError, member_label

# The clients a Cambio de gestor takes by hand: the rows ticked on one page of the clients
# tray, so at most its largest page; the tray's filter is the way to move more.
SELECTION_LIMIT = max(CLIENTS.page_sizes)

STALE_PLAN = _("Los clientes o las carteras de los asesores cambiaron desde la vista previa: "
               "revise el nuevo reparto y confirme otra vez.")


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


class TransferPlanForm(BootstrapFormMixin, forms.Form):
    """Who receives a set of clients: the advisers, in the order picked, how they are dealt,
    a hand-off note, and the digest of the plan the user previewed. Cambio de gestor and the
    hand-over offered when an adviser is deactivated both build on it."""

    SINGLE = "single"
    METHOD_CHOICES = [
        (SINGLE, _("Un solo asesor")),
        ("round_robin", _("Reparto round robin")),
        ("by_count", _("Equilibrado por número de clientes")),
        ("by_balance", _("Equilibrado por saldo")),
    ]

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

    def review_plan(self, *, project, clients, confirming: bool, nothing_to_move: str):
        """The plan of the valid form's choices over `clients` (ids or a queryset), and
        whether it may be confirmed: when `confirming`, only the plan the user previewed (its
        digest) with clients in it; otherwise the form says why. The form then carries the
        digest of the plan it shows, the one the next Confirmar refers to."""
        data = self.cleaned_data
        method = data["method"]
        try:
            plan = split_plan(project=project, clients=clients, advisers=data["advisers"],
                              method=SINGLE_METHOD if method == self.SINGLE else method)
        except TransferError as error:
            self.add_error("advisers", str(error))
            return None, False
        shown = data["digest"]
        confirmable = False
        if confirming and not plan.clients:
            self.add_error(None, nothing_to_move)
        elif confirming and shown != plan.digest:
            self.add_error(None, str(STALE_PLAN) if shown else _(
                "Revise la vista previa del reparto antes de confirmar."))
        else:
            confirmable = confirming
        bound = self.data.copy()
        bound["digest"] = plan.digest
        self.data = bound
        return plan, confirmable

    def request_options(self) -> dict:
        """What `transfer_request` takes for the valid form's choices (besides the clients)."""
        data = self.cleaned_data
        if data["method"] == self.SINGLE:
            return {"to_adviser": data["advisers"][0], "digest": data["digest"],
                    "note": data["note"]}
        return {"advisers": data["advisers"], "method": data["method"],
                "digest": data["digest"], "note": data["note"]}


class ClientSelectionField(forms.Field):
    """Client ids ticked in the clients tray (as many hidden inputs), at most `limit`."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, limit: int, **kwargs):
        self.limit = limit
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        ids = []
        for item in value:
            try:
                pk = int(item)
            except (TypeError, ValueError):
                raise forms.ValidationError(
                    _("La selección de clientes no es válida: vuelva a la bandeja y marque los "
                      "clientes otra vez."), code="invalid") from None
            if pk > 0 and pk not in ids:
                ids.append(pk)
        return ids

    def validate(self, value):
        super().validate(value)
        if len(value) > self.limit:
            raise forms.ValidationError(
                _("Puede transferir hasta %(limit)s clientes marcados a la vez: para más, use el "
                  "filtro de la bandeja.") % {"limit": self.limit}, code="too_many")


class BulkTransferForm(TransferPlanForm):
    """Cambio de gestor from the clients tray: the clients ticked on its page (`clients`) or
    else its filter (its state query), and who receives them."""

    query = forms.CharField(required=False, max_length=4000, widget=forms.HiddenInput)
    clients = ClientSelectionField(limit=SELECTION_LIMIT)

    @property
    def is_selection(self) -> bool:
        """Whether the dialog is about ticked clients rather than the tray's filter: any id
        posted (even one that is not valid, or no longer visible) keeps it so, so a selection
        never falls back to the whole filter."""
        if self.is_bound:
            return bool(self.data.getlist("clients"))
        return bool(self.initial.get("clients"))

    def selection_ids(self) -> list[int]:
        """The ticked ids the form carries (none when they are not valid)."""
        if not self.is_bound:
            return list(self.initial.get("clients") or [])
        try:
            return self.fields["clients"].clean(self["clients"].value())
        except forms.ValidationError:
            return []
