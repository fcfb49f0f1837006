"""The Auditoría lists on the list kernel: a module's window and Ajustes → Auditoría.

`AuditList(module)` tells `moonflow.lists` what is the audit log's: the base
queryset (`audit_event_list`, which decides who reads which events), the filters,
the Buscar box (moonflow.audit.search, a planned search), the columns and how a
row is drawn. The kernel does the rest: keyset pages, the bounded total, chips,
saved views, the download through the Log de procesos.

- **Order**: newest first (Fecha), from the (project, [event | resource_type …],
  -created_at, -id) indexes; oldest first reads the same indexes backwards.
- **Filters** (all dropdowns, as the seed shows them): Evento (the module's events,
  every kind on the project's page), Fecha (Hoy, Esta semana, Este mes, Este año in
  the project's timezone: moonflow.audit.dates) and, on the project's page only,
  Tipo de recurso (the registered types).
- **A download** of a module's window carries `modulo=<key>` in its parameters, so
  the one download task (`export_audit_task`, on AUDIT_DOWNLOADS) reads that module's
  events, checking again when it runs that the member may.
"""

from dataclasses import dataclass

import django_filters
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from moonflow.jobs.models import JobKind
from moonflow.lists.columns import CHOICE, DATETIME, TEXT, Column
from moonflow.lists.exports import Field
from moonflow.lists.filters import Chip, ListFilterSet
from moonflow.lists.keyset import DT, SortKey
from moonflow.lists.listing import ListPage, ListSpec, build_list

from .changes_text import Change, change_list, changes_sql
from .dates import PRESETS, preset_period, project_zone
from .models import AuditEvent, AuditEventKind
from .registry import SOURCE_LABELS, get_module, resource_type_choices, resource_type_label
from .search import audit_search
from .selectors import audit_event_list

TRAY = "audit"
MODULE_TRAY = "audit_module"
MODULE_PARAM = "modulo"
EVENT_PARAM, DATE_PARAM, TYPE_PARAM = "evento", "fecha", "tipo"


class AuditFilterSet(ListFilterSet):
    """URL parameters: evento (an AuditEventKind), fecha (hoy | semana | mes | anio),
    tipo (a registered resource type; the project's page only). One value each."""

    evento = django_filters.ChoiceFilter(label=_("Evento"), choices=AuditEventKind.choices,
                                         field_name="event")
    fecha = django_filters.ChoiceFilter(label=_("Fecha"), choices=PRESETS,
                                        method="filter_date")
    tipo = django_filters.ChoiceFilter(label=_("Tipo de recurso"), method="filter_type")

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, member, module=None, **kwargs):
        self.member = member
        super().__init__(data, queryset=queryset, **kwargs)
        if module is not None:
            self.filters["evento"].extra["choices"] = module.event_choices()
            del self.filters[TYPE_PARAM]
        else:
            self.filters[TYPE_PARAM].extra["choices"] = resource_type_choices()

    def filter_date(self, qs, name, value):
        period = preset_period(value, self.member.project)
        return qs.filter(created_at__gte=period.start, created_at__lt=period.end)

    def filter_type(self, qs, name, value):
        return qs.filter(resource_type=value)

    def chips(self, search=""):
        """A dropdown's value by its label ("Evento: Creado")."""
        chips = []
        for chip in super().chips(search):
            flt = self.filters.get(chip.param)
            if flt is not None and chip.value == "":
                labels = {str(v): str(lbl) for v, lbl in flt.extra.get("choices", ())}
                value = self.data.get(chip.param)
                if value in labels:
                    chip = Chip(f"{flt.label}: {labels[value]}", chip.param, "")
            chips.append(chip)
        return chips


COLUMNS = [
    Column("created_at", _("Fecha"), "created_at", DATETIME, default=True, required=True,
           sort_keys=(SortKey(F("created_at"), DT),)),
    Column("actor", _("Usuario"), "actor_label", TEXT, sortable=False, default=True,
           extra_paths=("actor_username",)),
    Column("event", _("Evento"), "event", CHOICE, sortable=False, default=True, required=True,
           choices=tuple(AuditEventKind.choices)),
    Column("resource", _("Recurso"), "resource_label", TEXT, sortable=False, default=True,
           required=True, extra_paths=("resource_type", "resource_id")),
    Column("changes", _("Cambios"), "changes", TEXT, sortable=False, default=True),
    Column("source", _("Origen"), "source", CHOICE, sortable=False,
           choices=tuple(SOURCE_LABELS.items())),
]


@dataclass
class AuditRow:
    """One event as the table shows it."""

    id: int
    when: str  # dd/mm/aaaa hh:mm in the project's timezone
    actor: str
    username: str  # shown under the name when it says more
    event: str
    resource_type: str
    resource: str
    resource_id: str
    changes: list[Change]
    source: str


def audit_rows(member, rows: list[dict]) -> list[AuditRow]:
    zone = project_zone(member.project)
    events = dict(AuditEventKind.choices)
    drawn = []
    for row in rows:
        actor = row.get("actor_label") or ""
        username = row.get("actor_username") or ""
        when = row.get("created_at")
        drawn.append(AuditRow(
            id=row["id"],
            when=formats.date_format(timezone.localtime(when, zone), "d/m/Y H:i") if when else "",
            actor=actor or str(_("Sistema")),
            username=username if username and username.casefold() != actor.casefold() else "",
            event=str(events.get(row.get("event"), row.get("event") or "")),
            resource_type=resource_type_label(row.get("resource_type") or ""),
            resource=row.get("resource_label") or "",
            resource_id=row.get("resource_id") or "",
            changes=change_list(event=row.get("event") or "",
                                resource_type_key=row.get("resource_type") or "",
                                changes=row.get("changes")),
            source=str(SOURCE_LABELS.get(row.get("source") or "", row.get("source") or "")),
        ))
    return drawn


def audit_export_fields(columns: list[Column]) -> list[Field]:
    """The file's fields for the columns: one value per cell, as the screen says it."""
    fields = []
    for column in columns:
        label = str(column.label)
        if column.key == "actor":
            fields.append(Field(label, F("actor_label"), TEXT))
            fields.append(Field(str(_("Nombre de usuario")), F("actor_username"), TEXT))
        elif column.key == "resource":
            fields.append(Field(str(_("Tipo de recurso")), F("resource_type"), CHOICE,
                                tuple(resource_type_choices())))
            fields.append(Field(label, F("resource_label"), TEXT))
            fields.append(Field(str(_("ID del recurso")), F("resource_id"), TEXT))
        elif column.key == "changes":
            fields.append(Field(label, changes_sql(), TEXT))
        else:
            fields.append(Field(label, F(column.path), column.kind,
                                column.choices if column.kind == CHOICE else ()))
    return fields


class AuditList(ListSpec):
    """A module's events (`module`: its registry key) or, without one, the whole project's.

    `module_from_params`: the module comes from the parameters' `modulo` (the downloads'
    list, AUDIT_DOWNLOADS): that is how a module window's download, queued with
    `modulo=<key>`, runs through the one download task. The pages never read it.
    """

    tray = TRAY
    noun_singular = _("evento")
    noun_plural = _("eventos")
    page_sizes = (25, 50, 100)
    default_page_size = 25
    default_sort = "created_at"
    default_descending = True
    section = "settings"
    list_url_name = "audit:project"
    columns_url_name = "audit:columns"
    view_create_url_name = "audit:view_create"
    view_delete_url_name = "audit:view_delete"
    download_url_name = "audit:download"
    download_dialog_title = _("Descargar auditoría")
    download_intro = _("Se genera un reporte con todos los eventos de la lista, con la "
                       "búsqueda, los filtros y las columnas actuales. Lo encontrarás en el Log "
                       "de procesos y recibirás un correo cuando esté listo.")
    export_kind = JobKind.AUDIT_EXPORT
    export_resource = "audit_export"
    file_stem = "auditoria"

    def __init__(self, module: str | None = None, *, module_from_params: bool = False):
        self.module_key = module
        self.module_from_params = module_from_params
        if module:
            # A module's window shows the default columns, whatever was chosen on the
            # project's page.
            self.tray = MODULE_TRAY

    def module_of(self, params) -> str | None:
        if self.module_key:
            return self.module_key
        if not self.module_from_params or params is None:
            return None
        return (params.get(MODULE_PARAM) or "").strip() or None

    def columns(self, member):
        return COLUMNS

    def base_queryset(self, member, params):
        return audit_event_list(member=member, module=self.module_of(params))

    def filterset(self, member, params, queryset):
        key = self.module_of(params)
        return AuditFilterSet(params, queryset=queryset, member=member,
                              module=get_module(key) if key else None)

    def search_plan(self, member, text):
        return audit_search(member.project_id, text)

    def draw_rows(self, member, rows, columns, *, context):
        return audit_rows(member, rows)

    def export_fields(self, member, columns):
        return audit_export_fields(columns)

    def download_title(self, fmt: str) -> str:
        return str(_("Descarga de auditoría (%(format)s)")) % {"format": fmt.upper()}


AUDIT = AuditList()
AUDIT_DOWNLOADS = AuditList(module_from_params=True)


def build_audit_list(*, member, params, module: str | None = None) -> ListPage:
    """One page of a module's AUDITORÍA (`module`) or of Ajustes → Auditoría."""
    spec = AuditList(module) if module else AUDIT
    return build_list(spec, member=member, params=params)
