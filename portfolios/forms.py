"""Input of the Carteras dialogs; the rules (owner, unique name, who may pick whom) are the
services' (portfolios.services), whose refusals the views put next to their field."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from moonflow.forms import BootstrapFormMixin
from moonflow.lists.selectors import saved_view_list
from moonflow.tenancy.models import Member, Team

from .selectors import agent_choices, portfolio_list, team_choices


class AgentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, member):
        return f"{member.display_name} · {member.code}" if member.code else member.display_name


class PortfolioForm(BootstrapFormMixin, forms.Form):
    """NUEVA CARTERA and Editar, with the seed's labels in the seed's order."""

    team = forms.ModelChoiceField(
        label=_("Seleccionar equipo"), queryset=Team.objects.none(), required=False,
        empty_label=_("Sin equipo"),
        error_messages={"invalid_choice": _("Ese equipo no existe en este proyecto o no es uno "
                                            "que usted pueda asignar: elija uno de la lista.")})
    agent = AgentChoiceField(
        label=_("Seleccione agente"), queryset=Member.objects.none(), required=False,
        empty_label=_("Sin agente"),
        error_messages={"invalid_choice": _("Ese agente no es un asesor activo de este proyecto "
                                            "que usted pueda asignar: elija uno de la lista.")})
    # No max_length: the service refuses a long name with its message, where the browser's
    # maxlength would cut it silently.
    name = forms.CharField(label=_("Nombre de cartera"), required=False,
                           help_text=_("Un nombre claro, p. ej.: Clientes VIP - Juan Pérez, "
                                       "Recuperación Mes de Julio."))

    def __init__(self, *args, member: Member, portfolio=None, **kwargs):
        super().__init__(*args, **kwargs)
        teams = team_choices(member)
        agents = [m.pk for m in agent_choices(member)]
        if portfolio is not None:
            # The current owners stay selectable (a team now out of reach, an agent who
            # left), so that renaming does not silently drop them.
            if portfolio.team_id:
                teams = Team.objects.filter(project_id=member.project_id).filter(
                    pk__in=[*teams.values_list("pk", flat=True), portfolio.team_id])
            if portfolio.agent_id:
                agents.append(portfolio.agent_id)
        self.fields["team"].queryset = teams.order_by("name", "id")
        self.fields["agent"].queryset = Member.objects.filter(
            project_id=member.project_id, pk__in=agents
        ).select_related("user").order_by("user__first_name", "user__last_name", "id")
        self.fields["name"].widget.attrs.update({"autocomplete": "off"})


class TrayAdditionForm(BootstrapFormMixin, forms.Form):
    """Agregar desde la bandeja de clientes: which portfolio, and which clients (the tray's
    current filter, or one of the member's saved views of the clients tray)."""

    CURRENT = "actual"
    ALL = "todos"

    cartera = forms.ModelChoiceField(label=_("Cartera"), queryset=None,
                                     empty_label=_("Elija una cartera"),
                                     error_messages={
                                         "required": _("Elija la cartera."),
                                         "invalid_choice": _("Esa cartera no existe o no está a "
                                                             "su cargo: elija una de la lista."),
                                     })
    clientes = forms.ChoiceField(label=_("Clientes"), error_messages={
        "required": _("Elija qué clientes agregar."),
        "invalid_choice": _("Esa vista guardada no existe o no está compartida con usted: elija "
                            "una de la lista."),
    })
    query = forms.CharField(required=False, widget=forms.HiddenInput, max_length=4000)

    def __init__(self, *args, member: Member, has_query: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cartera"].queryset = portfolio_list(member=member).order_by("name", "id")
        self.views = {str(v.pk): v for v in saved_view_list(member=member, tray="clients")}
        choices = []
        if has_query:
            choices.append((self.CURRENT, _("Los clientes del filtro actual de la bandeja")))
        choices.append((self.ALL, _("Todos los clientes que usted ve")))
        if self.views:
            choices.append((_("Vistas guardadas de la bandeja de clientes"),
                            [(pk, v.name) for pk, v in self.views.items()]))
        self.fields["clientes"].choices = choices
        if has_query:
            self.fields["clientes"].initial = self.CURRENT


class ContactFileForm(BootstrapFormMixin, forms.Form):
    archivo = forms.FileField(
        label=_("Archivo con números de documento"),
        help_text=_("XLSX, XLS, ODS o CSV con una columna «Documento» (y, si quiere, "
                    "«Tipo de documento»)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.ods,.csv,.txt"}),
        error_messages={"required": _("Elija el archivo que quiere cargar.")},
    )

    def clean_archivo(self):
        upload = self.cleaned_data["archivo"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(_(
                "El archivo «%(file)s» pesa %(size)s MB; el máximo es %(max)s MB. Divídalo en "
                "varios archivos.") % {"file": upload.name, "size": upload.size // 2**20,
                                        "max": settings.IMPORT_MAX_BYTES // 2**20})
        return upload
