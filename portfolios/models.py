"""Portfolios (Carteras): named sets of clients owned by a team and/or an agent.

A portfolio's name is unique in its project compared without case, accents or
repeated spaces ("Recuperación  Julio" is "recuperacion julio"): `name_key` is
that comparison, computed by PostgreSQL itself (a stored generated column), so
every way a row is written (the services, a COPY, a test's `objects.create`)
keeps it right, and the unique constraint on (project, name_key) settles a
race between two people creating the same name.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Func, Value
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from moonflow.db.fields import ProjectForeignKey, TenantRow

# The accented letters a name may carry and their plain forms (capitals too: PostgreSQL's
# lower() leaves them as they are under the "C" collation).
ACCENTED = "ÁÉÍÓÚÜÑÀÈÌÒÙÂÊÎÔÛÄËÏÖÇáéíóúüñàèìòùâêîôûäëïöç"
PLAIN = "aeiouunaeiouaeiouaeiocaeiouunaeiouaeiouaeioc"
NAME_MAX = 120


class NameKey(Func):
    """A portfolio name as compared for uniqueness and search: lower case, accents plain,
    spaces collapsed and trimmed. Immutable SQL, so it can be a generated column."""

    function = "btrim"
    output_field = models.CharField(max_length=NAME_MAX)

    def __init__(self, expression, **extra):
        folded = Func(Lower(expression), Value(ACCENTED), Value(PLAIN), function="translate",
                      output_field=models.CharField())
        collapsed = Func(folded, Value(r"\s+"), Value(" "), Value("g"),
                         function="regexp_replace", output_field=models.CharField())
        super().__init__(collapsed, **extra)


class Portfolio(TenantRow):
    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("Nombre de cartera"), max_length=NAME_MAX)
    name_key = models.GeneratedField(
        expression=NameKey(F("name")),
        output_field=models.CharField(max_length=NAME_MAX),
        db_persist=True,
    )
    team = models.ForeignKey(
        "tenancy.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="portfolios",
        verbose_name=_("Equipo"),
        db_index=False,
    )
    agent = models.ForeignKey(
        "tenancy.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="portfolios",
        verbose_name=_("Agente"),
        db_index=False,
    )
    active = models.BooleanField(_("Activa"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name_key"],
                                    name="portfolio_unique_name_key")
        ]
        indexes = [
            models.Index(fields=["project", "agent"], name="portfolio_agent_idx"),
            models.Index(fields=["project", "team"], name="portfolio_team_idx"),
        ]

    def __str__(self):
        return self.name


class PortfolioClient(TenantRow):
    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="+")
    portfolio = ProjectForeignKey(Portfolio, on_delete=models.CASCADE, related_name="memberships",
                                  db_index=False, db_constraint=False)
    client = ProjectForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="portfolio_memberships",
        db_index=False, db_constraint=False,
    )
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", db_index=False,
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "portfolio", "client"], name="portfolioclient_unique"
            )
        ]
        indexes = [
            models.Index(fields=["project", "client"], name="portfolioclient_client_idx"),
            # En cartera, newest first: a keyset page of a portfolio at any depth.
            models.Index(fields=["project", "portfolio", "added_at", "id"],
                         name="portfolioclient_recent_idx"),
        ]
