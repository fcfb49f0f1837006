"""Ajustes → Integraciones → API: the form that creates a key."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from moonflow.forms import BootstrapFormMixin
from moonflow.tenancy.models import Member

from .models import ApiKeyScope


class ApiKeyForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Nombre"), max_length=120,
                           help_text=gettext_lazy("Para reconocerla: «ERP», «Integración CRM»."))
    scope = forms.ChoiceField(label=gettext_lazy("Alcance"), choices=ApiKeyScope.choices,
                              initial=ApiKeyScope.ADMIN, help_text=gettext_lazy(
                                  "Administrador: todo el proyecto. Como un usuario: solo lo "
                                  "que ese usuario ve (su asignación de asesor incluida)."))
    member = forms.ModelChoiceField(label=gettext_lazy("Usuario"), required=False,
                                    queryset=Member.objects.none())

    def __init__(self, data=None, *, project, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["member"].queryset = (Member.objects.filter(project=project).active()
                                          .select_related("user").order_by("code"))
        self.fields["member"].label_from_instance = lambda m: f"{m.display_name} ({m.code})"

    def clean(self):
        data = super().clean()
        if data.get("scope") == ApiKeyScope.MEMBER and not data.get("member"):
            self.add_error("member", _("Elija el usuario como el que actúa la clave."))
        return data
