"""Input for the Usuarios and Equipos dialogs.

The forms only shape input; the rules (unique ID, last admin, unique team
name) live in advisers.services, whose ValidationErrors the views attach to
the right field.
"""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from moonflow.forms import BootstrapFormMixin
from moonflow.tenancy.models import Member, Role
from moonflow.tenancy.selectors import member_list, supervisor_choices, team_list
from transfers.forms import TransferPlanForm


class MemberPermissionsForm(BootstrapFormMixin, forms.Form):
    restricted_to_assigned = forms.BooleanField(
        label=_("Asignación de asesor"),
        required=False,
        help_text=_("El usuario ve solo los registros que tiene asociados."),
    )
    role = forms.ChoiceField(label=_("Rol"), choices=Role.choices)
    team = forms.ModelChoiceField(
        label=_("Equipo"), queryset=None, required=False, empty_label=_("Sin equipo")
    )

    def __init__(self, *args, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = team_list(member=member)


class MemberEditForm(BootstrapFormMixin, forms.Form):
    # No max_length here: the service refuses a long ID with its clear message,
    # where the browser's maxlength would cut the value silently.
    code = forms.CharField(
        label=_("ID"),
        help_text=_(
            "Moonflow asigna un número automáticamente; puede cambiarlo por un identificador "
            "único: letras, números, «-» o «_», hasta 40 caracteres."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs["autocomplete"] = "off"


class MemberInviteForm(BootstrapFormMixin, forms.Form):
    email = forms.EmailField(label=_("Correo electrónico"))
    first_name = forms.CharField(label=_("Nombre"), max_length=150)
    last_name = forms.CharField(label=_("Apellidos"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Rol"), choices=Role.choices, initial=Role.ADVISER)
    team = forms.ModelChoiceField(
        label=_("Equipo"), queryset=None, required=False, empty_label=_("Sin equipo")
    )

    def __init__(self, *args, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = team_list(member=member)
        self.fields["email"].widget.attrs["autocomplete"] = "off"


class TeamForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Nombre"), max_length=120)
    supervisor = forms.ModelChoiceField(
        label=_("Supervisor"), queryset=None, required=False, empty_label=_("Sin supervisor")
    )

    def __init__(self, *args, member: Member, current_supervisor: Member | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = supervisor_choices(member=member)
        if current_supervisor is not None:
            # Keep a supervisor who has since changed role or left selectable,
            # so editing the name does not silently drop them.
            choices = member_list(member=member).filter(
                Q(pk__in=choices.values("pk")) | Q(pk=current_supervisor.pk)
            )
        self.fields["supervisor"].queryset = choices


class MemberDeactivateForm(TransferPlanForm):
    """Desactivar a member who holds clients: keep their clients assigned to them, or hand
    their book over to one adviser or split among several (Cambio de gestor's choices)."""

    KEEP = "keep"
    HAND_OVER = "hand_over"

    handover = forms.ChoiceField(
        label=_("Sus clientes"),
        choices=[
            (KEEP, _("Dejarlos asignados a su ID")),
            (HAND_OVER, _("Pasarlos a otros asesores")),
        ],
        initial=KEEP,
        required=False,
        widget=forms.RadioSelect,
    )

    @property
    def hands_over(self) -> bool:
        """Whether the book is handed over; otherwise nothing else of the form matters."""
        return self.is_bound and self.data.get("handover") == self.HAND_OVER
