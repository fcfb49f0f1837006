"""The tenant (`Project`), its teams and its members.

Every tenant table carries `project_id`, and every unique constraint and index
on it starts with `project`, so a project's rows cluster together.
"""

import re

from datetime import time

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

MEMBER_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


class Project(models.Model):
    name = models.CharField(_("Nombre"), max_length=120)
    slug = models.SlugField(_("Identificador"), max_length=60, unique=True)
    timezone = models.CharField(_("Zona horaria"), max_length=64, default="America/Bogota")
    language = models.CharField(_("Idioma"), max_length=8, default="es")
    currency = models.CharField(_("Moneda"), max_length=3, default="COP")
    # The night window, in the project's time zone, when offline downloads run
    # (interactions.night_downloads). An end before the start crosses midnight.
    night_window_start = models.TimeField(_("Inicio de la ventana nocturna"), default=time(2, 0))
    night_window_end = models.TimeField(_("Fin de la ventana nocturna"), default=time(5, 0))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrador")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADVISER = "adviser", _("Asesor")


class Team(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("Nombre"), max_length=120)
    supervisor = models.ForeignKey(
        "Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="supervised_teams"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="team_unique_name_per_project")
        ]

    def __str__(self):
        return self.name


class MemberQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def advisers(self):
        return self.filter(role=Role.ADVISER)

    def with_code(self, code: str):
        """The member whose Asesor ID is `code`, whatever its case ("hv-001" is "HV-001")."""
        return self.filter(code__iexact=(code or "").strip())


class Member(models.Model):
    """A user's membership in one project. `code` is the "Asesor ID"."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("Rol"), max_length=20, choices=Role.choices, default=Role.ADVISER)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    code = models.CharField(_("ID"), max_length=40)  # kept as typed; unique without case
    restricted_to_assigned = models.BooleanField(_("Asignación de asesor"), default=False)
    is_active = models.BooleanField(_("Activo"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["project", "user__first_name", "user__last_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="member_unique_user_per_project"),
            # Asesor IDs are compared without case: "HV-001" and "hv-001" are one ID
            # (people type them either way in forms and files).
            models.UniqueConstraint(
                models.F("project"), Upper("code"), name="member_unique_code_per_project"
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        full = self.user.get_full_name().strip()
        return full or self.user.get_username()

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR

    @property
    def is_adviser(self) -> bool:
        return self.role == Role.ADVISER

    @property
    def can_manage(self) -> bool:
        """Admins and supervisors assign clients."""
        return self.role in (Role.ADMIN, Role.SUPERVISOR)

    @property
    def may_import(self) -> bool:
        """Admins, and supervisors who see the whole book: an import reaches every client."""
        return self.can_manage and not self.restricted_to_assigned
