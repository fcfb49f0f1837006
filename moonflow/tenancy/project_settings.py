"""Ajustes → Proyecto: the project's own settings (today: the night window in which the
night's work runs, e.g. the interactions downloads), admins only."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from moonflow.audit.models import AuditEventKind
from moonflow.audit.services import audit_record
from moonflow.forms import BootstrapFormMixin

from .decorators import admin_required
from .models import Project

SETTINGS_FIELDS = ("night_window_start", "night_window_end")


class ProjectSettingsForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Project
        fields = SETTINGS_FIELDS
        widgets = {name: forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
                   for name in SETTINGS_FIELDS}
        help_texts = {"night_window_start": gettext_lazy(
            "Hora del proyecto. Las descargas programadas se procesan dentro de esta ventana y "
            "están listas a su inicio.")}

    def clean(self):
        data = super().clean()
        start, end = data.get("night_window_start"), data.get("night_window_end")
        if start is not None and start == end:
            raise ValidationError(_("La ventana nocturna debe durar algo: el inicio y el fin "
                                    "no pueden ser la misma hora."))
        return data


def project_settings_update(*, project, actor, **values) -> bool:
    """Save the changed settings with one audit event; False when nothing changed."""
    changes = {name: [str(getattr(project, name)), str(value)]
               for name, value in values.items() if getattr(project, name) != value}
    if not changes:
        return False
    with transaction.atomic():
        for name, value in values.items():
            setattr(project, name, value)
        project.save(update_fields=list(values))
        audit_record(project=project, actor=actor, event=AuditEventKind.UPDATED,
                     resource_type="project", resource_id=project.pk,
                     resource_label=project.name, changes=changes)
    return True


@admin_required
@require_http_methods(["GET", "POST"])
def project_settings(request):
    project = Project.objects.get(pk=request.project.pk)
    form = ProjectSettingsForm(request.POST or None, instance=None, initial={
        name: getattr(project, name) for name in SETTINGS_FIELDS})
    if request.method == "POST" and form.is_valid():
        if project_settings_update(project=project, actor=request.user,
                                   **{name: form.cleaned_data[name] for name in SETTINGS_FIELDS}):
            messages.success(request, _("Ajustes del proyecto guardados."))
        else:
            messages.info(request, _("No había cambios que guardar."))
        return redirect("project_settings", project=project.slug)
    return render(request, "tenancy/project_settings.html",
                  {"form": form, "tab": "project", "section": "settings"})
