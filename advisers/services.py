"""Writes on project members and teams: creation, the Asesor ID, role, team,
permission, state.

Every change to a member's ID, role, team, permission or state (and to a
team's name or supervisor) is recorded in the audit log as `[old, new]`.
A project always keeps at least one active admin, so nobody can lock the
project out of its own settings.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, Max
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from moonflow.audit.changes import save_changes
from moonflow.audit.models import AuditEventKind
from moonflow.audit.services import audit_record
from moonflow.tenancy.models import MEMBER_CODE_RE, Member, Project, Role, Team
from moonflow.text import shorten

User = get_user_model()


def next_member_code(project: Project) -> str:
    """The next free number in the project (numeric IDs only are counted)."""
    highest = (
        Member.objects.filter(project=project, code__regex=r"^[0-9]{1,18}$")
        .annotate(number=Cast("code", BigIntegerField()))
        .aggregate(top=Max("number"))["top"]
    )
    return str((highest or 0) + 1)


def validate_member_code(*, project: Project, code: str, member: Member | None = None) -> str:
    code = (code or "").strip()
    if not MEMBER_CODE_RE.match(code):
        raise ValidationError(
            _(
                "El ID «%(code)s» no es válido: use letras, números, «-» o «_», "
                "hasta 40 caracteres."
            )
            % {"code": shorten(code)},
            code="invalid",
        )
    holder = Member.objects.filter(project=project).with_code(code).select_related("user").first()
    if holder is not None and (member is None or holder.pk != member.pk):
        raise ValidationError(
            _("El ID «%(code)s» ya lo tiene %(holder)s.")
            % {"code": code, "holder": holder.display_name},
            code="duplicate",
        )
    return code


def _audit_member(member: Member, *, actor, event: str, changes: dict) -> None:
    audit_record(
        project=member.project,
        actor=actor,
        event=event,
        resource_type="member",
        resource_id=member.pk,
        resource_label=member.display_name,
        changes=changes,
        source="screen",
    )


@transaction.atomic
def member_create(
    *,
    project: Project,
    user,
    role: str = Role.ADVISER,
    team=None,
    code: str | None = None,
    restricted_to_assigned: bool = False,
    actor=None,
) -> Member:
    # Serialise code assignment per project: two invitations at once must not
    # both take the same "next free number".
    Project.objects.select_for_update().filter(pk=project.pk).first()
    code = validate_member_code(project=project, code=code) if code else next_member_code(project)
    member = Member.objects.create(
        project=project,
        user=user,
        role=role,
        team=team,
        code=code,
        restricted_to_assigned=restricted_to_assigned,
    )
    _audit_member(
        member,
        actor=actor,
        event=AuditEventKind.CREATED,
        changes={"code": [None, code], "role": [None, role]},
    )
    return member


@transaction.atomic
def member_update(*, member: Member, actor, **fields) -> Member:
    """Change any of code, role, team, restricted_to_assigned; audit what changed."""
    allowed = {"code", "role", "team", "restricted_to_assigned"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"member_update() got unexpected fields: {sorted(unknown)}")
    if "code" in fields:
        fields["code"] = validate_member_code(
            project=member.project, code=fields["code"], member=member
        )
    team = fields.get("team")
    if team is not None and team.project_id != member.project_id:
        raise ValidationError(_("El equipo no pertenece a este proyecto."), code="invalid")
    if "role" in fields and fields["role"] != Role.ADMIN:
        _ensure_other_admin(member)
    save_changes(
        member,
        fields,
        actor=actor,
        resource_type="member",
        label=lambda m: m.display_name,
        project=member.project,
        plain=_plain,
        # A concurrent edit took the same code between validation and save.
        on_conflict=lambda: ValidationError(
            _("El ID «%(code)s» ya está en uso.") % {"code": fields.get("code")}, code="duplicate"
        ),
    )
    return member


def _ensure_other_admin(member: Member) -> None:
    """Refuse to demote or deactivate the project's last active admin."""
    if member.role != Role.ADMIN or not member.is_active:
        return
    # Serialise with other admin changes in the project: two admins demoting
    # each other at once must not leave the project without one.
    Project.objects.select_for_update().filter(pk=member.project_id).first()
    others = Member.objects.filter(
        project_id=member.project_id, role=Role.ADMIN, is_active=True
    ).exclude(pk=member.pk)
    if not others.exists():
        raise ValidationError(
            _("%(name)s es el único administrador activo del proyecto: asigne otro antes.")
            % {"name": member.display_name},
            code="last_admin",
        )


def _plain(value):
    if hasattr(value, "pk"):
        return str(value)
    return value


@transaction.atomic
def member_set_active(*, member: Member, actor, active: bool) -> Member:
    """Deactivating keeps the member's clients assigned (and visible to supervisors)."""
    if member.is_active == active:
        return member
    if not active:
        if actor is not None and actor.pk == member.user_id:
            raise ValidationError(_("No puede desactivarse a sí mismo."), code="self")
        _ensure_other_admin(member)
    member.is_active = active
    member.save(update_fields=["is_active"])
    _audit_member(
        member,
        actor=actor,
        event=AuditEventKind.ACTIVATED if active else AuditEventKind.DEACTIVATED,
        changes={"is_active": [not active, active]},
    )
    return member


@transaction.atomic
def member_invite(
    *, project: Project, email: str, first_name: str, last_name: str, role: str, team, actor, request=None
) -> Member:
    """Add a person by email; a new user gets a link to choose a password."""
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    created_user = user is None
    if created_user:
        username = _free_username(email)
        user = User.objects.create_user(
            username=username, email=email, first_name=first_name, last_name=last_name
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
    elif Member.objects.filter(project=project, user=user).exists():
        raise ValidationError(
            _("%(email)s ya es usuario de este proyecto.") % {"email": email}, code="exists"
        )
    member = member_create(project=project, user=user, role=role, team=team, actor=actor)
    audit_record(
        project=project,
        actor=actor,
        event=AuditEventKind.INVITED,
        resource_type="member",
        resource_id=member.pk,
        resource_label=member.display_name,
        changes={"email": [None, email]},
        source="screen",
    )
    transaction.on_commit(lambda: _send_invitation(email, request))
    return member


def _free_username(email: str) -> str:
    base = email.split("@")[0][:140] or "usuario"
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


def _send_invitation(email: str, request) -> None:
    """The password-reset email doubles as the invitation: it sets a first password."""
    form = PasswordResetForm(data={"email": email})
    if form.is_valid():
        # PasswordResetForm skips users with unusable passwords; invited users
        # have none yet, so include them explicitly.
        form.get_users = lambda _email: User.objects.filter(email__iexact=email, is_active=True)
        form.save(
            request=request,
            use_https=bool(request and request.is_secure()),
            subject_template_name="registration/invitation_subject.txt",
            email_template_name="registration/invitation_email.txt",
        )


def _validate_team(*, project: Project, name: str, supervisor, team: Team | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Escriba el nombre del equipo."), code="required")
    clash = Team.objects.filter(project=project, name__iexact=name)
    if team is not None:
        clash = clash.exclude(pk=team.pk)
    if clash.exists():
        raise ValidationError(
            _("Ya existe un equipo llamado «%(name)s».") % {"name": name}, code="duplicate"
        )
    if supervisor is not None and supervisor.project_id != project.pk:
        raise ValidationError(_("El supervisor no pertenece a este proyecto."), code="invalid")
    return name


def _audit_team(team: Team, *, actor, event: str, changes: dict) -> None:
    audit_record(
        project=team.project,
        actor=actor,
        event=event,
        resource_type="team",
        resource_id=team.pk,
        resource_label=team.name,
        changes=changes,
        source="screen",
    )


@transaction.atomic
def team_create(*, project: Project, name: str, supervisor: Member | None = None, actor) -> Team:
    name = _validate_team(project=project, name=name, supervisor=supervisor)
    try:
        with transaction.atomic():
            team = Team.objects.create(project=project, name=name, supervisor=supervisor)
    except IntegrityError:
        raise ValidationError(
            _("Ya existe un equipo llamado «%(name)s».") % {"name": name}, code="duplicate"
        ) from None
    _audit_team(
        team,
        actor=actor,
        event=AuditEventKind.CREATED,
        changes={"name": [None, name], "supervisor": [None, _plain(supervisor)]},
    )
    return team


@transaction.atomic
def team_update(*, team: Team, actor, **fields) -> Team:
    """Change a team's name and/or supervisor; audit what changed."""
    unknown = set(fields) - {"name", "supervisor"}
    if unknown:
        raise TypeError(f"team_update() got unexpected fields: {sorted(unknown)}")
    fields["name"] = _validate_team(
        project=team.project,
        name=fields.get("name", team.name),
        supervisor=fields.get("supervisor", team.supervisor),
        team=team,
    )
    save_changes(
        team,
        fields,
        actor=actor,
        resource_type="team",
        label=lambda t: t.name,
        project=team.project,
        plain=_plain,
        on_conflict=lambda: ValidationError(
            _("Ya existe un equipo llamado «%(name)s».") % {"name": fields["name"]},
            code="duplicate",
        ),
    )
    return team
