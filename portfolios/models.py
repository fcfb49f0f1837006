"""Portfolios (Carteras): named sets of clients owned by a team and/or an agent."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Portfolio(models.Model):
    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("Nombre de cartera"), max_length=120)
    team = models.ForeignKey(
        "tenancy.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="portfolios",
        verbose_name=_("Equipo"),
    )
    agent = models.ForeignKey(
        "tenancy.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="portfolios",
        verbose_name=_("Agente"),
    )
    active = models.BooleanField(_("Activa"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="portfolio_unique_name")
        ]
        indexes = [
            models.Index(fields=["project", "agent"], name="portfolio_agent_idx"),
            models.Index(fields=["project", "team"], name="portfolio_team_idx"),
        ]

    def __str__(self):
        return self.name


class PortfolioClient(models.Model):
    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="+")
    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="memberships")
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="portfolio_memberships"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "portfolio", "client"], name="portfolioclient_unique"
            )
        ]
        indexes = [
            models.Index(fields=["project", "client"], name="portfolioclient_client_idx")
        ]
