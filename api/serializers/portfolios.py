"""Portfolios (Carteras) and their contacts in JSON, camelCase. The agent is named by their
Asesor ID, like a client's adviser; the team by its id."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .common import TotalSerializer
from .strict import StrictFieldsMixin
from .plain import PlainReadMixin


class PortfolioSerializer(PlainReadMixin, serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    teamId = serializers.IntegerField(source="team_id", allow_null=True)
    teamName = serializers.SerializerMethodField()
    agentUserProjectId = serializers.SerializerMethodField()
    agentName = serializers.SerializerMethodField()
    active = serializers.BooleanField()
    contactCount = serializers.SerializerMethodField(help_text=_(
        "Clientes en la cartera (también los de la papelera)."))
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")

    def get_teamName(self, portfolio) -> str | None:  # noqa: N802 (the JSON name)
        return portfolio.team.name if portfolio.team_id else None

    def get_agentUserProjectId(self, portfolio) -> str | None:  # noqa: N802
        return portfolio.agent.code if portfolio.agent_id else None

    def get_agentName(self, portfolio) -> str | None:  # noqa: N802
        return portfolio.agent.display_name if portfolio.agent_id else None

    def get_contactCount(self, portfolio) -> int:  # noqa: N802
        return self.context.get("contact_counts", {}).get(portfolio.pk, 0)


class PortfolioPageSerializer(serializers.Serializer):
    results = PortfolioSerializer(many=True)
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    total = TotalSerializer()


class PortfolioInputSerializer(StrictFieldsMixin, serializers.Serializer):
    """A create (a name, and a team, an agent or both) or an update (only what changes)."""

    name = serializers.CharField(required=False, allow_blank=True, max_length=400)
    teamId = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                      max_value=2**63 - 1)
    agentUserProjectId = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=80,
        help_text=_("El Asesor ID del agente (Ajustes → Usuarios). Vacío o null: sin agente."))
    active = serializers.BooleanField(required=False, help_text=_(
        "false: Desactivar (sus clientes dejan de verse a través de ella); true: Activar."))



class ContactSerializer(serializers.Serializer):
    clientId = serializers.IntegerField(source="client_id")
    name = serializers.CharField(source="client.name")
    documentType = serializers.CharField(source="client.document_type")
    documentNumber = serializers.CharField(source="client.document_number")
    addedAt = serializers.DateTimeField(source="added_at")
    inRecycleBin = serializers.SerializerMethodField()

    def get_inRecycleBin(self, contact) -> bool:  # noqa: N802
        return contact.client.deleted_at is not None


class ContactPageSerializer(serializers.Serializer):
    results = ContactSerializer(many=True)
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    total = TotalSerializer()


class ContactAdditionSerializer(serializers.Serializer):
    clientIds = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), min_length=1,
        help_text=_("Hasta 50 clientes a la vez, de los que esta clave ve, fuera de la "
                    "papelera."))


class ContactAdditionAnswerSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    already = serializers.IntegerField(help_text=_("Ya estaban en la cartera."))
    refused = serializers.IntegerField(help_text=_(
        "No agregados: no existen, esta clave no los ve o están en la papelera."))
