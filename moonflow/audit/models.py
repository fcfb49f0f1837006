"""An append-only log of who changed what, shared by every module."""

from django.conf import settings
from django.db import models
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


class AuditEvent(models.Model):
    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    event = models.CharField(max_length=20, choices=AuditEventKind.choices)
    resource_type = models.CharField(max_length=40)
    resource_id = models.CharField(max_length=64)
    resource_label = models.CharField(max_length=255, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["project", "resource_type", "resource_id", "-created_at"],
                name="audit_resource_idx",
            ),
            models.Index(fields=["project", "-created_at"], name="audit_project_time_idx"),
        ]

    def __str__(self):
        return f"{self.event} {self.resource_type}:{self.resource_id}"
