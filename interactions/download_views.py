"""Descargar of the interactions tray: the dialog that schedules tonight's download.

The view only validates the dialog and calls `night_download_request`; the
rules (45 days, once a day, the night window) are the service's.
"""

from datetime import date, datetime

from django import forms
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from moonflow.dialogs import close_dialog, render_dialog
from moonflow.lists.columns import columns_for_params
from moonflow.lists.exports import XLSX
from moonflow.lists.params import VIEW_PARAM, saved_query
from moonflow.lists.views import FORMAT_CHOICES

from .lists import FROM_PARAM, INTERACTIONS, TO_PARAM
from .night_downloads import (
    MAX_RANGE_DAYS,
    AlreadyDone,
    AlreadyRequested,
    NightDownloadRefused,
    default_range,
    filter_labels,
    next_window_start,
    night_download_request,
    ready_text,
    refusal_for,
    todays_request,
)

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]
REPLACE = "reemplazar"


class NightDownloadForm(forms.Form):
    desde = forms.DateField(
        label=gettext_lazy("Fecha de envío desde"), input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"},
                               format="%Y-%m-%d"),
        error_messages={"required": gettext_lazy("Elige la fecha inicial del rango."),
                        "invalid": gettext_lazy("Fecha no válida.")},
    )
    hasta = forms.DateField(
        label=gettext_lazy("Fecha de envío hasta"), input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"},
                               format="%Y-%m-%d"),
        error_messages={"required": gettext_lazy("Elige la fecha final del rango."),
                        "invalid": gettext_lazy("Fecha no válida.")},
    )
    formato = forms.ChoiceField(label=gettext_lazy("Formato"), choices=FORMAT_CHOICES,
                                widget=forms.RadioSelect)
    query = forms.CharField(required=False, widget=forms.HiddenInput, max_length=4000)
    vista = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)


def _tray_state(request) -> tuple[QueryDict, str]:
    """(the tray's query, its saved view id): posted by the dialog, or the query string
    the tray opened the dialog with."""
    if request.method == "POST" and "query" in request.POST:
        params = QueryDict(request.POST["query"].lstrip("?"), mutable=True)
    else:
        params = request.GET.copy()
    view_id = request.POST.get(VIEW_PARAM) or params.get(VIEW_PARAM) or ""
    return params, view_id


def _tray_range(project, params) -> tuple[date, date]:
    """The tray's send-date range when it has one, else the tray's default."""
    default_from, default_to = default_range(project)
    return (_parse_date(params.get(FROM_PARAM)) or default_from,
            _parse_date(params.get(TO_PARAM)) or default_to)


def _parse_date(text) -> date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text or "", fmt).date()
        except ValueError:
            continue
    return None


@require_http_methods(["GET", "POST"])
def night_download(request):
    """GET: the dialog with the tray's filters. POST: schedule (or replace) tonight's download."""
    member = request.member
    project = request.project
    spec = INTERACTIONS
    params, view_id = _tray_state(request)
    query = saved_query(params)
    lookup = QueryDict(mutable=True)
    if view_id:
        lookup[VIEW_PARAM] = view_id
    columns = columns_for_params(member, spec.tray, lookup, spec.columns(member))
    list_url = reverse(spec.list_url_name, kwargs={"project": project.slug})
    back_url = f"{list_url}?{query}" if query else list_url

    refusal = None
    status = 200
    if request.method == "POST" and "formato" in request.POST:
        form = NightDownloadForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                scheduled = night_download_request(
                    member=member, params=params, date_from=data["desde"],
                    date_to=data["hasta"], fmt=data["formato"],
                    columns=[c.key for c in columns], replace=REPLACE in request.POST,
                )
            except (AlreadyRequested, AlreadyDone) as exc:
                refusal = exc
                status = 409
            except NightDownloadRefused as exc:
                form.add_error("hasta", exc.message)
                status = 400
            else:
                return close_dialog(request, _(
                    "Descarga programada para esta noche: estará lista %(ready)s en el Log de "
                    "procesos, y te avisaremos por correo.") % {
                        "ready": ready_text(project, scheduled.due_at)}, url=back_url)
        else:
            status = 400
    else:
        date_from, date_to = _tray_range(project, params)
        form = NightDownloadForm(initial={"desde": date_from, "hasta": date_to, "formato": XLSX,
                                          "query": query, "vista": view_id})
        pending = todays_request(member)
        if pending is not None:
            refusal = refusal_for(pending)

    return render_dialog(request, "interactions/download_dialog.html", {
        "title": _("Descargar interacciones"),
        "section": spec.section,
        "form": form,
        "form_action": reverse("interactions:night_download", kwargs={"project": project.slug}),
        "columns": columns,
        "filters": filter_labels(member, params),
        "max_days": MAX_RANGE_DAYS,
        "refusal": refusal,
        "can_replace": isinstance(refusal, AlreadyRequested),
        "refused_for_today": isinstance(refusal, AlreadyDone),
        "ready": ready_text(project, next_window_start(project)),
    }, back_url=back_url, status=status)
