"""What a member keeps of a list: the columns they chose, and saved views.

`tray` names the list ("clients", "payment_orders", "jobs"…). The tables kept
the names they had when only the clients tray had them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from moonflow.db.fields import TenantRow


class TrayPreference(TenantRow):
    """The columns a member chose for a list (Agregar/quitar columnas)."""

    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("tenancy.Member", on_delete=models.CASCADE, related_name="+",
                               db_index=False)
    tray = models.CharField(max_length=30)
    columns = models.JSONField(default=list)

    class Meta:
        db_table = "clients_traypreference"
        constraints = [
            models.UniqueConstraint(
                fields=["project", "member", "tray"], name="traypreference_unique"
            )
        ]


class SavedView(TenantRow):
    """Filters and columns of a list under a name, personal or shared."""

    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey("tenancy.Member", on_delete=models.CASCADE, related_name="+",
                              db_index=False)
    tray = models.CharField(max_length=30)
    name = models.CharField(_("Nombre"), max_length=80)
    query = models.CharField(max_length=2000, blank=True)
    columns = models.JSONField(default=list)
    shared = models.BooleanField(_("Compartida con el proyecto"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "clients_savedview"
        ordering = ["name"]
        indexes = [models.Index(fields=["project", "tray", "owner"], name="savedview_idx")]
