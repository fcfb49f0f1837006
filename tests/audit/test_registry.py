"""What the apps tell the audit log: resource types with their Spanish labels, and modules."""

import pytest
from django.utils.translation import override

from moonflow.audit import registry
from moonflow.audit.registry import register_module, resource_type, resource_type_label


@pytest.mark.parametrize("key, label", [
    ("member", "Usuario"), ("team", "Equipo"), ("client", "Cliente"),
    ("payment_order", "Orden de pago"), ("segment", "Segmento"),
    ("custom_variable", "Variable adicional"), ("project", "Proyecto"),
    ("client_export", "Descarga de clientes"),
    ("payment_order_export", "Descarga de órdenes de pago"),
    ("interaction_export", "Descarga de interacciones"), ("audit_export", "Descarga de auditoría"),
    ("clients_import", "Importación: Clientes"),
    ("interactions_import", "Importación: Comunicaciones masivas (historial de interacciones)"),
    ("portfolio", "Cartera"), ("transfer", "Transferencia de clientes"),
    ("followup", "Gestión"), ("client_note", "Nota del cliente"),
])
def test_every_resource_type_in_use_has_its_label(key, label):
    with override("es"):
        assert resource_type_label(key) == label


def test_a_type_nobody_registered_reads_as_its_key():
    assert resource_type_label("transfer_batch") == "transfer_batch"


def test_a_field_reads_as_its_models_verbose_name_else_as_a_common_name():
    member = resource_type("member")
    with override("es"):
        assert member.field_label("restricted_to_assigned") == "Asignación de asesor"
        assert member.field_label("team") == "Equipo"  # no verbose_name on the model
        assert member.field_label("rows") == "Filas"
        assert member.field_label("night_owl_mode") == "Night owl mode"
        assert member.choice_label("role", "supervisor") == "Supervisor"
        assert member.choice_label("team", "Equipo Norte") is None


def test_a_module_must_list_types_and_known_events(monkeypatch):
    monkeypatch.setattr(registry, "_MODULES", dict(registry._MODULES))
    with pytest.raises(ValueError, match="lists no resource type"):
        register_module("vacio", label="Vacío", resource_types=())
    with pytest.raises(ValueError, match="Unknown audit events"):
        register_module("raro", label="Raro", resource_types=("portfolio",), events=("borrado",))
    register_module("equipos", label="Equipos", resource_types=("team",))
    module = registry.get_module("equipos")
    assert module.resource_types == ("team",)
    assert len(module.event_choices()) == 12  # every kind when none is given
