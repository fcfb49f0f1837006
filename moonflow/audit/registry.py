"""What the apps tell the audit log: their resource types and their modules.

The core imports no app: each app registers from its `AppConfig.ready()`.

- **Resource types** (`register_resource_types`): the `resource_type` an app writes
  into its events, with the Spanish label the Auditoría pages show ("member" →
  "Usuario", "client_export" → "Descarga de clientes") and, optionally, the model
  whose fields the events change: the Cambios column then names a field by the
  model field's `verbose_name` and a choice value by its label. A callable may
  stand for the mapping when the types are known only once every app is ready
  (the importers of moonflow.imports).
- **Modules** (`register_module`): a screen with an AUDITORÍA button ("carteras"),
  the resource types its window lists, the events its Evento filter offers and
  who may open it (by default `sees_module_audit`: admins, and supervisors who
  see the whole book).

Example (portfolios/apps.py)::

    register_module("carteras", label=_("Carteras"),
                    resource_types={"portfolio": (_("Cartera"), Portfolio)},
                    events=CARTERAS_EVENTS)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from .models import AuditEventKind

# Field names that many resources share, for a model field without an explicit
# verbose_name (or an event field that is no model field: a download's filters).
COMMON_FIELD_LABELS = {
    "name": _("Nombre"),
    "email": _("Correo electrónico"),
    "phone": _("Teléfono"),
    "team": _("Equipo"),
    "agent": _("Agente"),
    "adviser": _("Asesor"),
    "supervisor": _("Supervisor"),
    "segment": _("Segmento"),
    "status": _("Estado"),
    "active": _("Activa"),
    "is_active": _("Activo"),
    "role": _("Rol"),
    "code": _("ID"),
    "client": _("Cliente"),
    "clients": _("Clientes"),
    "filters": _("Filtros"),
    "columns": _("Columnas"),
    "format": _("Formato"),
    "rows": _("Filas"),
    "file": _("Archivo"),
    "mapping": _("Mapeo"),
    "mode": _("Modo"),
    "scope_adviser_id": _("Asesor del alcance"),
    "all_or_nothing": _("Todo o nada"),
    "counts": _("Conteos"),
    "job": _("Proceso"),
}

# Where an event came from (the services' `source`).
SOURCE_LABELS = {
    "screen": _("Pantalla"),
    "file": _("Archivo"),
    "sftp": _("SFTP"),
    "api": _("API"),
    "transfer": _("Transferencia"),
    "system": _("Sistema"),
}


@dataclass(frozen=True)
class ResourceType:
    key: str
    name: object  # a (lazy) label, or a callable returning one (read when shown)
    model_ref: object = None  # a model class or "app_label.Model"

    @property
    def label(self) -> str:
        return str(self.name() if callable(self.name) else self.name)

    @property
    def model(self):
        if isinstance(self.model_ref, str):
            return apps.get_model(self.model_ref)
        return self.model_ref

    def _model_field(self, name: str):
        if self.model is None:
            return None
        try:
            return self.model._meta.get_field(name)
        except Exception:  # FieldDoesNotExist, or a relation's reverse accessor
            return None

    def field_label(self, name: str) -> str:
        """How the Cambios column names a changed field."""
        model_field = self._model_field(name)
        verbose = getattr(model_field, "verbose_name", None)
        if verbose is not None and str(verbose) != name.replace("_", " "):
            return str(verbose)
        if name in COMMON_FIELD_LABELS:
            return str(COMMON_FIELD_LABELS[name])
        return name.replace("_", " ").capitalize()

    def choice_label(self, name: str, value) -> str | None:
        """The label of a choice value of the model field, None when it is no choice."""
        model_field = self._model_field(name)
        choices = getattr(model_field, "flatchoices", None) if model_field else None
        if not choices or isinstance(value, (list, dict)):
            return None
        for stored, label in choices:
            if str(stored) == str(value):
                return str(label)
        return None


def sees_module_audit(member) -> bool:
    """Who opens a module's AUDITORÍA by default: admins, and supervisors who see the whole
    book (an event names resources and clients that a restricted member may not see)."""
    return member.is_admin or (member.is_supervisor and not member.restricted_to_assigned)


@dataclass(frozen=True)
class AuditModule:
    key: str  # the URL's <module>: "carteras"
    label: str  # "Carteras"
    resource_types: tuple[str, ...]
    events: tuple[str, ...] = field(default_factory=tuple)  # the Evento filter's choices
    may_open: Callable = sees_module_audit

    def event_choices(self) -> list[tuple[str, str]]:
        labels = dict(AuditEventKind.choices)
        return [(value, labels[value]) for value in self.events]


_TYPES: dict[str, ResourceType] = {}
_PROVIDERS: list[Callable[[], Mapping]] = []
_MODULES: dict[str, AuditModule] = {}


def _register_one(key: str, value) -> None:
    label, model = value if isinstance(value, tuple) else (value, None)
    _TYPES[key] = ResourceType(key, label, model)


def register_resource_types(types: Mapping | Callable[[], Mapping]) -> None:
    """Register resource types: `{key: label}` or `{key: (label, model)}` (a model class or
    "app_label.Model"), or a callable returning such a mapping (read when a type is first
    looked up, once every app is ready). A label may itself be a callable (read when shown)."""
    if callable(types):
        _PROVIDERS.append(types)
        return
    for key, value in types.items():
        _register_one(key, value)


def register_module(key: str, *, label, resource_types: Mapping | Iterable[str],
                    events: Iterable[str] | None = None,
                    may_open: Callable | None = None) -> None:
    """Register a module's AUDITORÍA window (URL name `audit:module`, kwargs `project` and
    `module=key`).

    `resource_types`: the types its window lists, as a mapping (registered here as by
    `register_resource_types`) or as keys registered elsewhere. `events`: the Evento
    filter's choices (AuditEventKind values), all kinds by default. `may_open(member)`:
    who opens it (`sees_module_audit` by default); anyone else gets 403.
    """
    if isinstance(resource_types, Mapping):
        register_resource_types(resource_types)
        keys = tuple(resource_types)
    else:
        keys = tuple(resource_types)
    if not keys:
        raise ValueError(f"Module {key!r} lists no resource type")
    chosen = tuple(events) if events is not None else tuple(AuditEventKind.values)
    unknown = set(chosen) - set(AuditEventKind.values)
    if unknown:
        raise ValueError(f"Unknown audit events for module {key!r}: {sorted(unknown)}")
    _MODULES[key] = AuditModule(key=key, label=label, resource_types=keys, events=chosen,
                                may_open=may_open or sees_module_audit)


def _types() -> dict[str, ResourceType]:
    if _PROVIDERS:
        for provider in list(_PROVIDERS):
            for key, value in provider().items():
                if key not in _TYPES:
                    _register_one(key, value)
    return _TYPES


def registered_resource_types() -> dict[str, ResourceType]:
    """Every registered type, by key."""
    return dict(_types())


def resource_type(key: str) -> ResourceType:
    """The registered type, or one named by its key (a type no app registered)."""
    found = _types().get(key)
    return found if found is not None else ResourceType(key, key)


def resource_type_label(key: str) -> str:
    return resource_type(key).label


def resource_type_choices() -> list[tuple[str, str]]:
    """(key, label) of every registered type, by label: Ajustes → Auditoría's filter."""
    pairs = [(key, t.label) for key, t in _types().items()]
    return sorted(pairs, key=lambda pair: pair[1].casefold())


def get_module(key: str) -> AuditModule | None:
    return _MODULES.get(key)


def registered_modules() -> list[AuditModule]:
    return list(_MODULES.values())


def source_label(value: str) -> str:
    return str(SOURCE_LABELS.get(value, value or ""))
