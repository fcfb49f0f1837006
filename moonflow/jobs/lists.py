"""The Log de procesos on the list kernel: newest first, filters by state and kind.

The rows come from `job_list(member=…)` (which decides who sees which jobs),
in the order of the indexes built for it: (project, -created_at, -id) and, for
a member who sees only their own, (project, requested_by, -created_at, -id).
"""

import django_filters
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from moonflow.lists.columns import DATETIME, TEXT, Column
from moonflow.lists.filters import ListFilterSet
from moonflow.lists.keyset import DT, SortKey
from moonflow.lists.listing import ListPage, ListSpec, build_list

from .models import JobKind, JobStatus, ProcessJob
from .selectors import job_list

TRAY = "jobs"


class JobFilterSet(ListFilterSet):
    estado = django_filters.MultipleChoiceFilter(
        label=_("Estado"), choices=JobStatus.choices, field_name="status", distinct=False
    )
    proceso = django_filters.MultipleChoiceFilter(
        label=_("Proceso"), choices=JobKind.choices, field_name="kind", distinct=False
    )

    class Meta:
        model = ProcessJob
        fields: list[str] = []


COLUMNS = [
    Column("title", _("Proceso"), "title", TEXT, sortable=False, default=True, required=True),
    Column("requested_by", _("Solicitado por"), "requested_by_id", TEXT, sortable=False,
           default=True),
    Column("status", _("Estado"), "status", TEXT, sortable=False, default=True, required=True),
    Column("progress", _("Progreso"), "done", TEXT, sortable=False, default=True),
    Column("counts", _("Conteos"), "read", TEXT, sortable=False, default=True),
    Column("created_at", _("Creado"), "created_at", DATETIME, default=True, required=True,
           sort_keys=(SortKey(F("created_at"), DT),)),
    Column("finished_at", _("Fin"), "finished_at", DATETIME, sortable=False),
]


class JobList(ListSpec):
    tray = TRAY
    noun_singular = _("proceso")
    noun_plural = _("procesos")
    page_sizes = (25, 50, 100)
    default_page_size = 50
    default_sort = "created_at"
    default_descending = True
    section = "jobs"
    list_url_name = "jobs:list"
    columns_url_name = "jobs:columns"
    view_create_url_name = "jobs:view_create"
    view_delete_url_name = "jobs:view_delete"

    def columns(self, member):
        return COLUMNS

    def base_queryset(self, member, params):
        return job_list(member=member)

    def filterset(self, member, params, queryset):
        return JobFilterSet(params, queryset=queryset)

    def draw_rows(self, member, rows, columns, *, context):
        """The page's jobs, in the page's order: one query."""
        ids = [r["id"] for r in rows]
        jobs = {j.pk: j for j in job_list(member=member).filter(pk__in=ids)}
        return [jobs[pk] for pk in ids if pk in jobs]


JOBS = JobList()


def build_job_log(*, member, params) -> ListPage:
    return build_list(JOBS, member=member, params=params)
