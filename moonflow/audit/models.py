"""An append-only log of who changed what, shared by every module (docs/audit.md).

PostgreSQL itself refuses UPDATE, DELETE and TRUNCATE on the table (triggers,
migration 0005); there is no product path that changes or removes an event.
"""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Func
from django.utils.translation import gettext_lazy as _


class AuditEventKind(models.TextChoices):
    CREATED = "created", _("Creado")
    UPDATED = "updated", _("Actualizado")
    ACTIVATED = "activated", _("Activado")
    DEACTIVATED = "deactivated", _("Desactivado")
    DELETED = "deleted", _("Eliminado")
    RESTORED = "restored", _("Recuperado")
    TRANSFERRED = "transferred", _("Transferido")
    EXPORTED = "exported", _("Exportado")
    IMPORTED = "imported", _("Importado")
    INVITED = "invited", _("Invitado")
    CONTACT_ADDED = "contact_added", _("Contacto agregado")
    CONTACT_REMOVED = "contact_removed", _("Contacto eliminado")


class SearchVector(Func):
    """audit_search_vector(): the event's words for the Buscar box (moonflow.audit.search)."""

    function = "audit_search_vector"
    output_field = SearchVectorField()


class AuditEvent(models.Model):
    # PROTECT, as PostgreSQL does: an event outlives its project and its actor (a project
    # or a user with history cannot be deleted through the ORM; see docs/audit.md).
    project = models.ForeignKey("tenancy.Project", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )
    # The actor as they were when they acted (full name, else username; and the username).
    actor_label = models.CharField(max_length=200, blank=True)
    # With a database default: code that predates the column still inserts.
    actor_username = models.CharField(max_length=150, blank=True, default="", db_default="")
    event = models.CharField(max_length=20, choices=AuditEventKind.choices)
    resource_type = models.CharField(max_length=40)
    resource_id = models.CharField(max_length=64)
    resource_label = models.CharField(max_length=255, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=False)
    # Written by PostgreSQL at insert: "<project id>:<word>" for each folded word of the
    # actor's name and username and of the resource's label (a GIN index answers a word's
    # beginning within one project).
    search_vector = models.GeneratedField(
        expression=SearchVector(F("project_id"), F("actor_label"), F("actor_username"),
                                F("resource_label")),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # One resource's history (Ajustes → Usuarios, a member's changes).
            models.Index(
                fields=["project", "resource_type", "resource_id", "-created_at"],
                name="audit_resource_idx",
            ),
            # The Auditoría lists, newest first: the whole log, by Evento, by module
            # (resource type), and both (docs/audit.md, "Indexes").
            models.Index(fields=["project", "-created_at", "-id"], name="audit_time_idx"),
            models.Index(fields=["project", "event", "-created_at", "-id"],
                         name="audit_event_time_idx"),
            models.Index(fields=["project", "resource_type", "-created_at", "-id"],
                         name="audit_type_time_idx"),
            models.Index(fields=["project", "resource_type", "event", "-created_at", "-id"],
                         name="audit_type_event_time_idx"),
            GinIndex(fields=["search_vector"], name="audit_search_idx"),
        ]

    def __str__(self):
        return f"{self.event} {self.resource_type}:{self.resource_id}"
