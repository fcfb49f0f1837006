"""The Log de procesos: every background job and what it reported."""

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from moonflow.db.fields import ProjectForeignKey, TenantRow


class JobKind(models.TextChoices):
    CLIENT_IMPORT = "client_import", _("Importación de clientes")
    CLIENT_EXPORT = "client_export", _("Descarga de clientes")
    PAYMENT_ORDER_EXPORT = "payment_order_export", _("Descarga de órdenes de pago")
    PAYMENT_ORDER_IMPORT = "payment_order_import", _("Importación de órdenes de pago")
    INTERACTION_IMPORT = "interaction_import", _("Carga de comunicaciones")
    INTERACTION_EXPORT = "interaction_export", _("Descarga de interacciones")
    TRANSFER = "transfer", _("Transferencia de clientes")
    SITUATION_RECOMPUTE = "situation_recompute", _("Recálculo de situaciones")
    MEMBER_EXPORT = "member_export", _("Descarga de usuarios")
    RECYCLE_BIN_PURGE = "recycle_bin_purge", _("Vaciado de la papelera")
    SETTINGS_IMPORT = "settings_import", _("Importación de ajustes")
    PORTFOLIO_CONTACTS_ADD = "portfolio_contacts_add", _("Carga de contactos a cartera")
    AUDIT_EXPORT = "audit_export", _("Descarga de auditoría")


class JobStatus(models.TextChoices):
    # An import that read its file and waits for the user to map or confirm it.
    AWAITING = "awaiting", _("Pendiente de confirmación")
    QUEUED = "queued", _("En cola")
    RUNNING = "running", _("En proceso")
    SUCCEEDED = "succeeded", _("Finalizado")
    PARTIAL = "partial", _("Finalizado con errores")
    FAILED = "failed", _("Fallido")


FINISHED_STATUSES = (JobStatus.SUCCEEDED, JobStatus.PARTIAL, JobStatus.FAILED)

# Kinds that read rows into the book: their page shows every count, zeros
# included ("0 fallidos" is news). Other kinds show only the counts they moved.
IMPORT_KINDS = (JobKind.CLIENT_IMPORT, JobKind.PAYMENT_ORDER_IMPORT, JobKind.INTERACTION_IMPORT)

COUNT_FIELDS = ("read", "created", "updated", "restored", "transferred", "deleted", "failed",
                "unchanged")


def in_reader_language(translations: dict, fallback: str) -> str:
    """The text of `translations` ({"es": …, "en": …}) in the active language, else `fallback`."""
    translations = translations or {}
    language = translation.get_language() or settings.LANGUAGE_CODE
    return translations.get(language) or translations.get(language.split("-")[0]) or fallback


def job_file_path(instance, filename):
    return f"jobs/{instance.project_id}/{instance.pk or 'new'}/{filename}"


class ProcessJob(TenantRow):
    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        "tenancy.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs",
        db_index=False,
    )
    kind = models.CharField(_("Proceso"), max_length=40, choices=JobKind.choices)
    status = models.CharField(
        _("Estado"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    title = models.CharField(_("Descripción"), max_length=255, blank=True)
    input_file = models.FileField(upload_to=job_file_path, max_length=500, blank=True)
    input_name = models.CharField(max_length=255, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    options = models.JSONField(default=dict, blank=True)
    total = models.PositiveBigIntegerField(null=True, blank=True)
    done = models.PositiveBigIntegerField(default=0)
    read = models.PositiveBigIntegerField(_("Leídos"), default=0)
    created = models.PositiveBigIntegerField(_("Creados"), default=0)
    updated = models.PositiveBigIntegerField(_("Actualizados"), default=0)
    restored = models.PositiveBigIntegerField(_("Recuperados"), default=0)
    transferred = models.PositiveBigIntegerField(_("Transferidos"), default=0)
    deleted = models.PositiveBigIntegerField(_("Eliminados"), default=0)
    failed = models.PositiveBigIntegerField(_("Fallidos"), default=0)
    unchanged = models.PositiveBigIntegerField(_("Sin cambios"), default=0)
    result_file = models.FileField(upload_to=job_file_path, max_length=500, blank=True)
    error_file = models.FileField(upload_to=job_file_path, max_length=500, blank=True)
    message = models.TextField(_("Mensaje"), blank=True)
    # The message in every language of the site ({"es": …, "en": …}) when the
    # job wrote it as a lazy message (runner.job_message): each reader gets
    # their own language; `message` (the project's) is the fallback.
    message_translations = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("Creado"), auto_now_add=True)
    started_at = models.DateTimeField(_("Inicio"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("Fin"), null=True, blank=True)
    files_expire_at = models.DateTimeField(null=True, blank=True)
    files_purged = models.BooleanField(default=False)
    # Delivery: the Celery task that runs the job (so the sweeper can send it
    # again), when it was last handed to the broker, and how many runs claimed it.
    task_name = models.CharField(max_length=200, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["project", "-created_at", "-id"], name="job_project_recent_idx"),
            models.Index(
                fields=["project", "requested_by", "-created_at", "-id"], name="job_requester_idx"
            ),
            models.Index(
                fields=["files_expire_at"],
                name="job_files_expire_idx",
                condition=models.Q(files_purged=False),
            ),
            # A task carries a job's id alone: its worker finds the job's project by it once
            # (runner.project_of), then names the project (the primary key starts with it).
            models.Index(fields=["id"], name="job_id_idx"),
            # The sweeper's look at unfinished jobs, whatever the project.
            models.Index(
                fields=["status", "heartbeat_at"],
                name="job_unfinished_idx",
                condition=models.Q(status__in=["queued", "running"]),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def changes_by_itself(self) -> bool:
        """Queued or running: a page showing it refreshes itself (a job waiting for the user
        does not change until the user acts)."""
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)

    @property
    def is_running(self) -> bool:
        return self.status == JobStatus.RUNNING

    @property
    def awaiting_broker(self) -> bool:
        """Recorded but not yet handed to the broker: the sweeper will send it."""
        return self.status == JobStatus.QUEUED and self.enqueued_at is None

    @property
    def percent(self) -> int:
        if self.is_finished and self.status != JobStatus.FAILED:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.done * 100 / self.total))

    @property
    def eta_seconds(self) -> int | None:
        """Seconds left, extrapolated from the rate so far (None when unknown)."""
        if not self.is_running or not self.total or not self.done or not self.started_at:
            return None
        if self.done >= self.total:
            return None
        elapsed = (timezone.now() - self.started_at).total_seconds()
        if elapsed <= 0:
            return None
        rate = self.done / elapsed
        return max(1, round((self.total - self.done) / rate))

    @property
    def shown_message(self) -> str:
        """The message in the active language (the reader's), else as it was stored."""
        return in_reader_language(self.message_translations, self.message)

    @property
    def has_files(self) -> bool:
        return bool(self.result_file or self.error_file)

    @property
    def files_available(self) -> bool:
        return not self.files_purged and self.has_files

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNT_FIELDS}

    def labelled_counts(self) -> list[tuple[str, int]]:
        """(label, value) for each count, in a fixed order, for the templates."""
        return [
            (self._meta.get_field(name).verbose_name, getattr(self, name)) for name in COUNT_FIELDS
        ]

    def reported_counts(self) -> list[tuple[str, int]]:
        """Only the counts the job moved, for the compact list view."""
        return [(label, value) for label, value in self.labelled_counts() if value]

    def shown_counts(self) -> list[tuple[str, int]]:
        """The counts of the job's page: all of an import's, the moved ones of anything else."""
        if self.kind in IMPORT_KINDS:
            return self.labelled_counts()
        return self.reported_counts()


class Notification(TenantRow):
    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(
        "tenancy.Member", on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    job = ProjectForeignKey(ProcessJob, null=True, blank=True, on_delete=models.CASCADE,
                            db_index=False, db_constraint=False)
    message = models.CharField(max_length=500)
    message_translations = models.JSONField(default=dict, blank=True)  # as ProcessJob's
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["project", "member", "read_at"], name="notification_unread_idx"),
        ]

    @property
    def shown_message(self) -> str:
        return in_reader_language(self.message_translations, self.message)
