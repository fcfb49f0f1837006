"""API keys, the stored answers of idempotent requests and a bulk upsert's row results.

The tables meet the distribution rules (docs/distribution.md) from the start: each
primary key is natural and starts with `project_id` — a key is (project, prefix),
since the presented key carries both (api.keys) —, every index starts with it, and
the one link between two of them is the composite foreign key
`(project_id, api_key_prefix) → api_apikey (project_id, prefix)`, created by the
migration (Django's ForeignKey cannot point at a composite key).
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiKeyScope(models.TextChoices):
    ADMIN = "admin", _("Administrador")
    MEMBER = "member", _("Como un usuario")


class ApiKey(models.Model):
    """A project's API key. Only its hash is stored; the secret is shown once.

    `member` is who the key acts as: for an "admin" key the admin who created it
    (the key stops working when they are no longer an active admin), for a
    "member" key the chosen member, with that member's visibility.
    """

    pk = models.CompositePrimaryKey("project_id", "prefix")
    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="+",
                                db_index=False)
    name = models.CharField(_("Nombre"), max_length=120)
    scope = models.CharField(_("Alcance"), max_length=10, choices=ApiKeyScope.choices)
    member = models.ForeignKey("tenancy.Member", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("Usuario"), db_index=False)
    prefix = models.CharField(_("Prefijo"), max_length=12)
    key_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+", db_index=False)
    created_at = models.DateTimeField(_("Creada"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("Último uso"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("Revocada"), null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["project", "created_at"], name="api_key_project_idx"),
            models.Index(fields=["project", "member"], name="api_key_member_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class IdempotentRequest(models.Model):
    """The first answer to a POST with an Idempotency-Key, kept 24 h (api.tasks).

    Its primary key is (project, API key, Idempotency-Key): the row is inserted before the
    write, in the write's transaction: a concurrent
    retry waits on the unique constraint and then reads the stored answer."""

    pk = models.CompositePrimaryKey("project_id", "api_key_prefix", "key")
    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="+",
                                db_index=False)
    api_key_prefix = models.CharField(max_length=12)  # → ApiKey (project_id, prefix)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    status = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["project", "created_at"], name="api_idempotency_age_idx"),
        ]


class BulkRowResult(models.Model):
    """What one row of a synchronous bulk upsert did, in the import's words (api.bulk):
    written by the import job as it writes, read once by the request that ran it."""

    pk = models.CompositePrimaryKey("project_id", "job_id", "row_number")
    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="+",
                                db_index=False)
    # The job's id, without a foreign key: jobs_processjob has no (project_id, id) key yet
    # (docs/distribution.md); the rows go with the request that reads them, or nightly.
    job_id = models.BigIntegerField()
    row_number = models.PositiveIntegerField()  # the job's file row (the request's index + 2)
    result = models.CharField(max_length=20)  # created, updated, unchanged, restored…, failed
    client_id = models.BigIntegerField(null=True)
    errors = models.JSONField(default=list)  # [{"column": field key, "message": …}]
