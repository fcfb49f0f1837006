"""Ajustes → Equipos as a file (moonflow/imports/tables.py): name and supervisor by Asesor ID,
saved through the team services (names unique without case, changes audited)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from moonflow.tenancy.models import Member, Team

from .services import team_create, team_update

TEAM, SUPERVISOR = "Equipo", "Supervisor (ID)"


class SupervisorWidget(widgets.Widget):
    """A supervisor or admin of the project by Asesor ID (any case); blank means none."""

    def __init__(self, project, **kwargs):
        super().__init__(**kwargs)
        self.project = project

    def clean(self, value, row=None, **kwargs):
        code = str(value or "").strip()
        if not code:
            return None
        member = Member.objects.with_code(code).filter(project=self.project).first()
        if member is None or not member.is_active or not member.can_manage:
            raise ValueError(_("no hay un supervisor activo con el ID «%(code)s».") % {
                "code": code})
        return member

    def render(self, value, obj=None, **kwargs):
        return value.code if value is not None else ""


class TeamResource(resources.ModelResource):
    class Meta:
        model = Team
        fields = ("name", "supervisor")
        import_id_fields = ("name",)
        skip_unchanged = True
        report_skipped = True
        skip_diff = True

    def __init__(self, *, project, actor):
        super().__init__()
        self.project, self.actor = project, actor
        self.fields["name"] = fields.Field(attribute="name", column_name=TEAM,
                                           widget=widgets.CharWidget())
        self.fields["supervisor"] = fields.Field(attribute="supervisor", column_name=SUPERVISOR,
                                                 widget=SupervisorWidget(project))

    def get_queryset(self):
        return Team.objects.filter(project=self.project).select_related("supervisor")

    def get_instance(self, instance_loader, row):
        name = " ".join(str(row.get(TEAM) or "").split())
        if not name:
            raise ValidationError({TEAM: _("Equipo: este campo es obligatorio.")})
        return self.get_queryset().filter(name__iexact=name).first()

    def init_instance(self, row=None):
        return Team(project=self.project)

    def save_instance(self, instance, is_create, row, **kwargs):
        if is_create:
            team_create(project=self.project, name=instance.name,
                        supervisor=instance.supervisor, actor=self.actor)
        else:
            team_update(team=Team.objects.get(pk=instance.pk), actor=self.actor,
                        name=instance.name, supervisor=instance.supervisor)
