"""Cuentas por cobrar → Clientes: the tray, its column picker and its saved views.

The tray is one template partial (`clients/tray/tray.html`) rendered inside
the full page on a normal request and alone for htmx requests (filters,
sorting, pagination, chips), which push the URL so the back button works.
A history restore (`HX-History-Restore-Request`) gets the full page.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from ..columns import TRAY, columns_for_params, columns_for_project
from ..selectors import get_saved_view_for_member
from ..tray import build_tray, saved_query
from ..tray_services import saved_view_create, saved_view_delete, tray_columns_set


def _is_partial(request) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def _list_url(request) -> str:
    return reverse("clients:list", kwargs={"project": request.project.slug})


def _next_url(request, *, drop_view: str | None = None) -> str:
    """A same-site tray URL to go back to (from `next`), without the page cursor."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    list_url = _list_url(request)
    if not candidate or not url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return list_url
    base, _sep, query = candidate.partition("?")
    if base != list_url:
        return list_url
    params = QueryDict(query, mutable=True)
    params.pop("pagina", None)
    if drop_view is not None and params.get("vista") in (drop_view, "*"):
        params.pop("vista", None)
    encoded = params.urlencode()
    return f"{list_url}?{encoded}" if encoded else list_url


def _go(request, url: str):
    """After a dialog's POST: htmx reloads the page at `url`; a plain form is redirected."""
    if request.headers.get("HX-Request") == "true":
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)


def _dialog(request, template: str, context: dict, *, status: int = 200):
    context = {"section": "clients", "partial": _is_partial(request), **context}
    return render(request, template, context, status=status)


def client_list(request):
    here = request.get_full_path()
    tray = build_tray(
        member=request.member, params=request.GET, csrf_token=get_token(request), here=here
    )
    context = {"tray": tray, "section": "clients", "list_url": _list_url(request), "here": here}
    template = "clients/tray/tray.html" if _is_partial(request) else "clients/client_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_http_methods(["GET", "POST"])
def tray_columns(request):
    """Agregar/quitar columnas: the member's columns, remembered for the next visit."""
    member = request.member
    columns = columns_for_project(request.project)
    if request.method == "POST":
        known = {c.key for c in columns}
        keys = [] if "restablecer" in request.POST else [
            k for k in request.POST.getlist("columnas") if k in known
        ]
        tray_columns_set(member=member, tray=TRAY, columns=keys)
        return _go(request, _next_url(request, drop_view="*"))
    params = QueryDict(request.GET.get("next", "").partition("?")[2])
    chosen = {c.key for c in columns_for_params(member, params, columns=columns)}
    return _dialog(
        request,
        "clients/tray/columns_dialog.html",
        {
            "title": _("Agregar/quitar columnas"),
            "form_action": reverse(
                "clients:tray_columns", kwargs={"project": request.project.slug}
            ),
            "columns": columns,
            "chosen": chosen,
            "next": _next_url(request),
            "back_url": _next_url(request),
        },
    )


class SavedViewForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Nombre de la vista"), max_length=80)
    shared = forms.BooleanField(label=gettext_lazy("Compartida con el proyecto"), required=False)
    consulta = forms.CharField(required=False, widget=forms.HiddenInput, max_length=4000)
    vista = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update({"class": "form-control", "autocomplete": "off"})


@require_http_methods(["GET", "POST"])
def saved_view_new(request):
    """Guardar vista: the tray's current filters, order and columns under a name."""
    member = request.member
    action = reverse("clients:saved_view_create", kwargs={"project": request.project.slug})
    if request.method == "POST":
        form = SavedViewForm(request.POST)
        if form.is_valid():
            state = QueryDict(form.cleaned_data["consulta"] or "")
            query = saved_query(state)
            lookup = QueryDict(mutable=True)
            if form.cleaned_data["vista"]:
                lookup["vista"] = form.cleaned_data["vista"]
            columns = [c.key for c in columns_for_params(member, lookup)]
            try:
                view = saved_view_create(
                    member=member,
                    tray=TRAY,
                    name=form.cleaned_data["name"],
                    query=query,
                    columns=columns,
                    shared=form.cleaned_data["shared"],
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    for message in messages:
                        form.add_error(field if field in form.fields else None, message)
            else:
                url = f"{_list_url(request)}?{query}&vista={view.pk}" if query else (
                    f"{_list_url(request)}?vista={view.pk}"
                )
                return _go(request, url)
        status = 200 if _is_partial(request) else 400
    else:
        form = SavedViewForm(
            initial={
                "consulta": request.GET.get("consulta", ""),
                "vista": request.GET.get("vista", ""),
            }
        )
        status = 200
    return _dialog(
        request,
        "clients/tray/saved_view_dialog.html",
        {
            "title": _("Guardar vista"),
            "form": form,
            "form_action": action,
            "back_url": _list_url(request),
        },
        status=status,
    )


@require_POST
def saved_view_remove(request, pk):
    """Delete one of the member's own saved views (a shared one of someone else: 403)."""
    view = get_saved_view_for_member(request.member, pk, tray=TRAY)
    saved_view_delete(member=request.member, view=view)
    return _go(request, _next_url(request, drop_view=str(pk)))


urlpatterns = [
    path("clientes/", client_list, name="list"),
    path("clientes/columnas/", tray_columns, name="tray_columns"),
    path("clientes/vistas/nueva/", saved_view_new, name="saved_view_create"),
    path("clientes/vistas/<int:pk>/eliminar/", saved_view_remove, name="saved_view_delete"),
]
