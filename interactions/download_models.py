"""The interactions tray's offline download: one request per member and day, run at night.

The rules (once a day, the 45-day range, the night window) live in
`interactions.night_downloads`; the table only records the requests and
guards "once a day" with a unique constraint, so two tabs asking at once
cannot both get in.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from moonflow.db.fields import ProjectForeignKey, TenantRow

__all__ = ["NightDownload", "NightDownloadStatus"]


class NightDownloadStatus(models.TextChoices):
    PENDING = "pending", _("Programada")
    # Taken by a night run: its ProcessJob (in the Log de procesos) says the rest.
    CLAIMED = "claimed", _("En proceso")


class NightDownload(TenantRow):
    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="+",
                                db_index=False)
    member = models.ForeignKey("tenancy.Member", on_delete=models.CASCADE, related_name="+",
                               db_index=False)
    status = models.CharField(max_length=10, choices=NightDownloadStatus.choices,
                              default=NightDownloadStatus.PENDING)
    # The project's local date of the request: "once a day" is counted on it.
    local_day = models.DateField()
    # When the night run may take it: the start of the next night window.
    due_at = models.DateTimeField()
    # The tray's filters (cleaned, as a job's options), the send-date range and the columns.
    params = models.JSONField(default=dict, blank=True)
    date_from = models.DateField()
    date_to = models.DateField()
    columns = models.JSONField(default=list, blank=True)
    format = models.CharField(max_length=4)
    job = ProjectForeignKey("jobs.ProcessJob", null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+", db_index=False, db_constraint=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "member", "local_day"],
                                    name="night_download_once_a_day"),
            models.UniqueConstraint(fields=["project", "job"], name="night_download_one_job"),
        ]
        indexes = [
            # The beat's look at due requests, whatever the project.
            models.Index(fields=["due_at"], name="night_download_due_idx",
                         condition=Q(status="pending")),
        ]

    def __str__(self):
        return f"NightDownload #{self.pk} ({self.status})"
