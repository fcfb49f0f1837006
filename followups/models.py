"""An adviser's collections work on a client (gestiones) and the client's notes.

A gestión is a task / follow-up, a payment promise or a scheduled contact: one
table (`FollowUp`, its `kind`), so that what an adviser has to do today is one
range of one index, and a transfer hands every open one to the new adviser
with one statement.

Who: `adviser` is who *holds* an open gestión (a transfer moves it);
`created_by` and `closed_by` are who acted, and never change, so the history
stays attributed to whoever did the work.

Every index starts with `project_id` (the distribution column of the clients'
tables, Citus), and the client's foreign key has no index of its own: the
project-led ones serve its lookups.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from moonflow.db.fields import ProjectForeignKey, TenantRow

from .choices import (
    ContactChannel,
    FollowUpKind,
    FollowUpStatus,
    NoteKind,
    status_label,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


class FollowUp(TenantRow):
    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="+",
                                db_index=False)
    client = ProjectForeignKey("clients.Client", on_delete=models.CASCADE,
                               related_name="followups", db_index=False, db_constraint=False)
    kind = models.CharField(_("Tipo"), max_length=10, choices=FollowUpKind.choices)
    status = models.CharField(_("Estado"), max_length=10, choices=FollowUpStatus.choices,
                              default=FollowUpStatus.PENDING)
    title = models.CharField(_("Qué hacer"), max_length=200, blank=True)
    detail = models.TextField(_("Detalle"), blank=True)
    # The day it is due: a task's deadline, a promise's promised date, a contact's day
    # (in the project's timezone); a contact also has its hour.
    due_on = models.DateField(_("Fecha"))
    due_time = models.TimeField(_("Hora"), null=True, blank=True)
    amount = models.DecimalField(_("Monto prometido"), null=True, blank=True, **MONEY)
    currency = models.CharField(_("Moneda"), max_length=3, blank=True)
    channel = models.CharField(_("Canal"), max_length=10, choices=ContactChannel.choices,
                               blank=True)
    adviser = models.ForeignKey("tenancy.Member", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+", db_index=False,
                                verbose_name=_("Asesor"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", db_index=False)
    created_at = models.DateTimeField(_("Creada"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+", db_index=False)
    closed_at = models.DateTimeField(_("Cerrada"), null=True, blank=True)
    closing_note = models.TextField(_("Resultado"), blank=True)

    class Meta:
        ordering = ["due_on", "due_time", "id"]
        indexes = [
            # A client's gestiones (its Gestiones tab) and a transfer's open ones.
            models.Index(fields=["project", "client", "status", "due_on"],
                         name="followup_client_idx"),
            # Mis gestiones: an adviser's open ones by day (overdue, today, upcoming).
            models.Index(fields=["project", "adviser", "due_on", "id"],
                         name="followup_open_adviser_idx", condition=Q(status="pending")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="promise") | (Q(amount__gt=0) & ~Q(currency="")),
                name="followup_promise_has_amount"),
            models.CheckConstraint(condition=~Q(kind="contact") | ~Q(channel=""),
                                   name="followup_contact_has_channel"),
            models.CheckConstraint(condition=~Q(status="broken") | Q(kind="promise"),
                                   name="followup_only_promises_break"),
            models.CheckConstraint(
                condition=(Q(status="pending") & Q(closed_at__isnull=True))
                | (~Q(status="pending") & Q(closed_at__isnull=False)),
                name="followup_closed_when_not_pending"),
        ]

    def __str__(self):
        return self.title or str(self.get_kind_display())

    @property
    def is_open(self) -> bool:
        return self.status == FollowUpStatus.PENDING

    @property
    def status_label(self):
        return status_label(self.kind, self.status)


class ClientNote(TenantRow):
    """A note on a client; a hand-off note is written by a transfer for the new adviser."""

    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="+",
                                db_index=False)
    client = ProjectForeignKey("clients.Client", on_delete=models.CASCADE,
                               related_name="notes", db_index=False, db_constraint=False)
    kind = models.CharField(_("Tipo"), max_length=10, choices=NoteKind.choices,
                            default=NoteKind.NOTE)
    text = models.TextField(_("Nota"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+", db_index=False)
    # A hand-off note: who held the client and who received it.
    from_adviser = models.ForeignKey("tenancy.Member", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+", db_index=False)
    to_adviser = models.ForeignKey("tenancy.Member", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", db_index=False)
    created_at = models.DateTimeField(_("Fecha"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "client", "-created_at"],
                                name="clientnote_client_idx")]

    def __str__(self):
        return self.text[:60]
