"""What an import keeps between its steps: the mapping templates, the staged rows,
the row errors and the write checkpoint.

Every table is keyed by the project first (Citus: distributed by project_id,
colocated with the clients), and the staged rows and errors of a job are
deleted with it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from moonflow.db.fields import ProjectForeignKey, TenantRow


class MappingTemplate(TenantRow):
    """A saved mapping (file header → Moonflow field), offered again for the same headers."""

    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="+",
                                db_index=False)
    entity = models.CharField(max_length=30)
    name = models.CharField(_("Nombre de la plantilla"), max_length=120)
    # The file's normalised headers, sorted and joined: files with the same columns
    # (in any order, any case or accents) find their template.
    signature = models.CharField(max_length=2000)
    mapping = models.JSONField(default=dict)  # header as written → field key ("" = ignored)
    defaults = models.JSONField(default=dict)  # field key → value for every row
    created_by = models.ForeignKey("tenancy.Member", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "entity", "name"],
                                    name="mapping_template_unique_name"),
        ]
        indexes = [models.Index(fields=["project", "entity", "signature"],
                                name="mapping_template_sig_idx")]

    def __str__(self):
        return self.name


class StagedRow(TenantRow):
    """One valid data row of an import's file, cleaned, waiting to be written.

    A million of them are copied in by one analysis: no foreign key constraint checks each
    one (they cost a lookup of the project and the job per row, at each batch's commit).
    The engine writes them for the job it runs and drops them when the job ends; deleting a
    job or a project deletes its staged rows (on_delete, through Django)."""

    pk = models.CompositePrimaryKey("project_id", "job_id", "row_number")
    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="+",
                                db_index=False, db_constraint=False)
    job = ProjectForeignKey("jobs.ProcessJob", on_delete=models.CASCADE, related_name="+",
                            db_index=False, db_constraint=False)
    row_number = models.PositiveIntegerField()  # the file's own row number
    key = models.CharField(max_length=200)  # the entity's external ID, as compared
    values = models.JSONField()  # field → cleaned value, ready for SQL
    # A row with errors whose key could be read: never written, but "in the file",
    # so an "actualizar incluyendo eliminación" does not send its record to the bin.
    failed = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["project", "job", "key"], name="staged_row_key_idx")]


class RowError(TenantRow):
    """One rejected value (or row) of an import: what the error report lists."""

    pk = models.CompositePrimaryKey("project_id", "job_id", "row_number", "position")
    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="+",
                                db_index=False)
    job = ProjectForeignKey("jobs.ProcessJob", on_delete=models.CASCADE, related_name="+",
                            db_index=False, db_constraint=False)
    row_number = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField()  # order of the row's errors
    column = models.CharField(max_length=255, blank=True)  # the file's header
    value = models.TextField(blank=True)
    message = models.TextField()
    # Written while resolving against the book (another adviser's client, an edit on
    # screen after the upload), not while cleaning the file.
    at_write = models.BooleanField(default=False)


class WriteCheckpoint(TenantRow):
    """How far an import's writing got: committed in the same transaction as each chunk,
    so a run killed at any instant resumes after the last committed chunk with exact counts."""

    job = models.OneToOneField("jobs.ProcessJob", on_delete=models.CASCADE, primary_key=True,
                               related_name="+", db_constraint=False)
    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="+",
                                db_index=False)
    last_row = models.PositiveIntegerField(default=0)
    deletes_done = models.BooleanField(default=False)
    counts = models.JSONField(default=dict)


class SftpSource(TenantRow):
    """A folder on a customer's SFTP server that Moonflow polls for files to import."""

    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("Nombre"), max_length=120)
    entity = models.CharField(_("Qué importa"), max_length=30, default="clients")
    host = models.CharField(_("Servidor"), max_length=255)
    port = models.PositiveIntegerField(_("Puerto"), default=22)
    username = models.CharField(_("Usuario"), max_length=120)
    password_encrypted = models.TextField(blank=True)  # moonflow.imports.secrets
    private_key_encrypted = models.TextField(blank=True)
    host_key = models.TextField(blank=True)  # learnt on the first connection, then required
    folder = models.CharField(_("Carpeta remota"), max_length=500, default=".")
    pattern = models.CharField(_("Patrón de nombre"), max_length=120, default="*.csv")
    template = ProjectForeignKey(MappingTemplate, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("Plantilla de mapeo"), db_index=False,
                                 db_constraint=False)
    mode = models.CharField(_("Modo"), max_length=20, default="update")
    scope_adviser = models.ForeignKey("tenancy.Member", null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+",
                                      verbose_name=_("Alcance"), db_index=False)
    transfer_mode = models.BooleanField(_("Modo transferencia"), default=False)
    every_minutes = models.PositiveIntegerField(_("Revisar cada (minutos)"), default=60)
    is_active = models.BooleanField(_("Activa"), default=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_ok = models.BooleanField(null=True)
    last_message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "name"],
                                               name="sftp_source_unique_name")]

    def __str__(self):
        return self.name


class SftpFile(TenantRow):
    """A file an SFTP source has already taken: never imported twice (name, size, checksum)."""

    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="+",
                                db_index=False)
    source = ProjectForeignKey(SftpSource, on_delete=models.CASCADE, related_name="files",
                               db_index=False, db_constraint=False)
    name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    checksum = models.CharField(max_length=64)  # sha256
    job = ProjectForeignKey("jobs.ProcessJob", null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+", db_index=False, db_constraint=False)
    taken_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "source", "name", "size",
                                                       "checksum"], name="sftp_file_once")]
