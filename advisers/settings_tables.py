"""Ajustes → Equipos as a file (moonflow/imports/tables.py): name and supervisor by Asesor ID,
saved through the team services (names unique without case, changes audited)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from moonflow.tenancy.models import Member, Role, Team

from .services import member_set_active, member_update, team_create, team_update

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


EMAIL, NAME, ROLE, CODE, TEAM_NAME, RESTRICTED, ACTIVE = (
    "Correo", "Nombre", "Rol", "ID", "Equipo", "Asignación de asesor", "Activo")
YES, NO = "Sí", "No"


def _yes_no(value, column) -> bool:
    text = str(value or "").strip().casefold()
    if text in ("sí", "si", "s", "yes", "y", "1", "true", "verdadero", "x"):
        return True
    if text in ("no", "n", "0", "false", "falso", ""):
        return False
    raise ValidationError({column: _("%(column)s: use Sí o No.") % {"column": column}})


class MemberResource(resources.ModelResource):
    """Ajustes → Usuarios: change people's ID, role, team, "Asignación de asesor" and state in
    bulk. A person is found by e-mail; new people are invited from the Usuarios screen (the
    invitation e-mail is sent from there), so an unknown e-mail is reported, not created."""

    class Meta:
        model = Member
        fields = ()
        skip_unchanged = False
        report_skipped = True
        skip_diff = True

    def __init__(self, *, project, actor):
        super().__init__()
        self.project, self.actor = project, actor
        for name in (EMAIL, NAME, ROLE, CODE, TEAM_NAME, RESTRICTED, ACTIVE):
            self.fields[name] = fields.Field(column_name=name, attribute=None, readonly=True)

    def get_queryset(self):
        return (Member.objects.filter(project=self.project)
                .select_related("user", "team").order_by("user__email", "id"))

    def export_field(self, field, instance, **kwargs):
        values = {
            EMAIL: instance.user.email, NAME: instance.display_name,
            ROLE: instance.get_role_display(), CODE: instance.code,
            TEAM_NAME: instance.team.name if instance.team else "",
            RESTRICTED: YES if instance.restricted_to_assigned else NO,
            ACTIVE: YES if instance.is_active else NO,
        }
        return values.get(field.column_name, "")

    def get_import_id_fields(self):
        return []

    def get_instance(self, instance_loader, row):
        email = str(row.get(EMAIL) or "").strip()
        if not email:
            raise ValidationError({EMAIL: _("Correo: este campo es obligatorio.")})
        member = self.get_queryset().filter(user__email__iexact=email).first()
        if member is None:
            raise ValidationError({EMAIL: _(
                "Correo «%(email)s»: no es usuario del proyecto. Invítelo desde Ajustes → "
                "Usuarios (la invitación le llega por correo).") % {"email": email}})
        return member

    def import_instance(self, instance, row, **kwargs):
        changes = {}
        role = str(row.get(ROLE) or "").strip()
        if role:
            match = next((code for code, label in Role.choices
                          if role.casefold() in (code, str(label).casefold())), None)
            if match is None:
                raise ValidationError({ROLE: _("Rol «%(role)s»: use %(options)s.") % {
                    "role": role, "options": ", ".join(str(l) for _c, l in Role.choices)}})
            changes["role"] = match
        code = str(row.get(CODE) or "").strip()
        if code:
            changes["code"] = code
        team_name = " ".join(str(row.get(TEAM_NAME) or "").split())
        if TEAM_NAME in row:
            team = None
            if team_name:
                team = Team.objects.filter(project=self.project, name__iexact=team_name).first()
                if team is None:
                    raise ValidationError({TEAM_NAME: _(
                        "Equipo «%(name)s»: no existe en el proyecto.") % {"name": team_name}})
            changes["team"] = team
        if RESTRICTED in row:
            changes["restricted_to_assigned"] = _yes_no(row.get(RESTRICTED), RESTRICTED)
        active = _yes_no(row.get(ACTIVE), ACTIVE) if str(row.get(ACTIVE) or "").strip() else None
        instance._import_changes = {k: v for k, v in changes.items()
                                    if getattr(instance, k if k != "team" else "team") != v}
        instance._import_active = active

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors:
            return False
        active = getattr(instance, "_import_active", None)
        return not instance._import_changes and (active is None or active == instance.is_active)

    def save_instance(self, instance, is_create, row, **kwargs):
        member = Member.objects.select_related("project").get(pk=instance.pk)
        if instance._import_changes:
            member_update(member=member, actor=self.actor, **instance._import_changes)
        if instance._import_active is not None:
            member_set_active(member=member, actor=self.actor, active=instance._import_active)
