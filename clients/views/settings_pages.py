"""Ajustes → Segmentos and Ajustes → Variables adicionales (admins only).

Segments and custom variables are the project's vocabulary for clients:
the record's form, the tray's filters and columns, and every import read
them. A segment can be created and renamed (clients keep it: they point to
it); a variable's label and options can change, its key and type cannot
(files map to the key; stored values were typed when written).
"""

from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from moonflow.dialogs import close_dialog, render_dialog
from moonflow.tenancy.decorators import admin_required

from .. import services
from ..forms import CustomVariableForm, SegmentForm
from ..selectors import (
    custom_variable_list,
    get_custom_variable_for_member,
    get_segment_for_member,
    segment_list_with_counts,
)
from ..validation import FieldError


def _url(request, name, **kwargs) -> str:
    return reverse(name, kwargs={"project": request.project.slug, **kwargs})


# --- Segmentos -----------------------------------------------------------------------


@admin_required
def segment_list(request):
    return render(
        request,
        "clients/settings/segment_list.html",
        {"segments": segment_list_with_counts(member=request.member).order_by("name")},
    )


@admin_required
@require_http_methods(["GET", "POST"])
def segment_create(request):
    form = SegmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            segment = services.segment_create(
                project=request.project, name=form.cleaned_data["name"], actor=request.user
            )
        except FieldError as error:
            form.add_error("name", error)
        else:
            return close_dialog(
                request,
                _("Segmento «%(name)s» creado.") % {"name": segment.name},
                url=_url(request, "clients:segments"),
            )
    return render_dialog(
        request,
        "clients/settings/setting_form.html",
        {
            "form": form,
            "title": _("Crear segmento"),
            "form_action": _url(request, "clients:segment_create"),
            "submit_label": _("Guardar"),
        },
        back_url=_url(request, "clients:segments"),
        status=400 if request.method == "POST" else 200,
    )


@admin_required
@require_http_methods(["GET", "POST"])
def segment_edit(request, pk):
    segment = get_segment_for_member(request.member, pk)
    form = SegmentForm(request.POST or None, initial={"name": segment.name})
    if request.method == "POST" and form.is_valid():
        old = segment.name
        try:
            services.segment_rename(segment=segment, name=form.cleaned_data["name"], actor=request.user)
        except FieldError as error:
            form.add_error("name", error)
        else:
            return close_dialog(
                request,
                _("Segmento «%(old)s» renombrado a «%(name)s».") % {"old": old, "name": segment.name},
                url=_url(request, "clients:segments"),
            )
    return render_dialog(
        request,
        "clients/settings/setting_form.html",
        {
            "form": form,
            "title": _("Renombrar segmento: %(name)s") % {"name": segment.name},
            "form_action": _url(request, "clients:segment_edit", pk=segment.pk),
            "submit_label": _("Guardar"),
        },
        back_url=_url(request, "clients:segments"),
        status=400 if request.method == "POST" else 200,
    )


# --- Variables adicionales ---------------------------------------------------------------


@admin_required
def variable_list(request):
    variables = custom_variable_list(member=request.member)
    return render(request, "clients/settings/variable_list.html", {"variables": variables})


@admin_required
@require_http_methods(["GET", "POST"])
def variable_create(request):
    form = CustomVariableForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            variable = services.custom_variable_create(
                project=request.project,
                actor=request.user,
                label=data["label"],
                key=data["key"],
                type=data["type"],
                choices=data["choices"],
            )
        except FieldError as error:
            form.add_error(error.field if error.field in form.fields else None, error)
        else:
            return close_dialog(
                request,
                _("Variable «%(label)s» creada.") % {"label": variable.label},
                url=_url(request, "clients:variables"),
            )
    return render_dialog(
        request,
        "clients/settings/setting_form.html",
        {
            "form": form,
            "title": _("Crear variable adicional"),
            "form_action": _url(request, "clients:variable_create"),
            "submit_label": _("Guardar"),
        },
        back_url=_url(request, "clients:variables"),
        status=400 if request.method == "POST" else 200,
    )


@admin_required
@require_http_methods(["GET", "POST"])
def variable_edit(request, pk):
    variable = get_custom_variable_for_member(request.member, pk)
    form = CustomVariableForm(request.POST or None, variable=variable)
    if request.method == "POST" and form.is_valid():
        services.custom_variable_update(
            variable=variable,
            actor=request.user,
            label=form.cleaned_data["label"],
            choices=form.cleaned_data["choices"],
        )
        return close_dialog(
            request,
            _("Variable «%(label)s» guardada.") % {"label": variable.label},
            url=_url(request, "clients:variables"),
        )
    return render_dialog(
        request,
        "clients/settings/setting_form.html",
        {
            "form": form,
            "title": _("Editar variable: %(label)s") % {"label": variable.label},
            "form_action": _url(request, "clients:variable_edit", pk=variable.pk),
            "submit_label": _("Guardar"),
        },
        back_url=_url(request, "clients:variables"),
        status=400 if request.method == "POST" else 200,
    )


urlpatterns = [
    path("ajustes/segmentos/", segment_list, name="segments"),
    path("ajustes/segmentos/nuevo/", segment_create, name="segment_create"),
    path("ajustes/segmentos/<int:pk>/editar/", segment_edit, name="segment_edit"),
    path("ajustes/variables/", variable_list, name="variables"),
    path("ajustes/variables/nueva/", variable_create, name="variable_create"),
    path("ajustes/variables/<int:pk>/editar/", variable_edit, name="variable_edit"),
]
