"""CRM → Carteras: the list, NUEVA CARTERA and Editar, Activar / Desactivar, Gestionar
contactos (Busque y seleccione para agregar, En cartera and its bin icon), and the additions
of many clients (from the clients tray, from a file) as jobs of the Log de procesos.

Every member sees the Carteras page (an adviser: their own portfolios and their team's,
read-only); everything else is for admins and supervisors (403 for an adviser before any
lookup), on the portfolios they see (`get_portfolio_for_member`: 404 otherwise).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from moonflow.audit.registry import get_module
from moonflow.dialogs import close_dialog, htmx_redirect, is_partial, render_dialog
from moonflow.jobs.announce import announce_job
from moonflow.jobs.models import JobKind
from moonflow.jobs.services import job_create
from moonflow.lists.exports import params_to_options
from moonflow.lists.params import SEARCH_PARAM, clean_params, saved_query
from moonflow.lists.selectors import get_saved_view_for_member
from moonflow.lists.views import list_view_patterns
from moonflow.tenancy.decorators import manager_required

from . import services
from .forms import ContactFileForm, PortfolioForm, TrayAdditionForm
from .lists import PORTFOLIOS, build_contact_list, build_portfolio_list
from .selectors import (
    contact_candidates,
    get_portfolio_contact_for_member,
    get_portfolio_for_member,
    may_manage,
)
from .services import MAX_PICKED, contact_label
from .tasks import FILE, TRAY, add_contacts


def _url(request, name: str, **kwargs) -> str:
    return reverse(name, kwargs={"project": request.project.slug, **kwargs})


def _audit_url(request) -> str:
    """The Carteras module's AUDITORÍA window, for a member it opens to ("" otherwise)."""
    module = get_module("carteras")
    if module is None or not module.may_open(request.member):
        return ""
    return _url(request, "audit:module", module="carteras")


def _service_error(form, error: ValidationError) -> None:
    """A service's refusal next to the field it is about."""
    field = {"name": "name", "duplicate": "name", "owner": "team", "team": "team",
             "agent": "agent"}.get(error.code)
    form.add_error(field, error)


# --- Carteras ---------------------------------------------------------------------------------


@require_GET
def portfolio_list(request):
    tray = build_portfolio_list(member=request.member, params=request.GET)
    context = {
        "tray": tray,
        "section": "portfolios",
        "here": request.get_full_path(),
        "list_url": _url(request, "portfolios:list"),
        "manages": may_manage(request.member),
        "audit_url": _audit_url(request),
    }
    template = "portfolios/_tray.html" if is_partial(request) else "portfolios/portfolio_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _form_dialog(request, form, *, title: str, action: str, portfolio=None):
    return render_dialog(request, "portfolios/portfolio_form.html", {
        "form": form, "title": title, "form_action": action, "portfolio": portfolio,
    }, back_url=_url(request, "portfolios:list"), status=400 if form.errors else 200)


@manager_required
@require_http_methods(["GET", "POST"])
def portfolio_create(request):
    form = PortfolioForm(request.POST or None, member=request.member)
    if request.method == "POST" and form.is_valid():
        try:
            portfolio = services.portfolio_create(member=request.member, **form.cleaned_data)
        except ValidationError as error:
            _service_error(form, error)
        else:
            return close_dialog(request, _("Cartera «%(name)s» creada.") % {"name": portfolio.name},
                                url=_url(request, "portfolios:list"))
    return _form_dialog(request, form, title=_("Nueva cartera"),
                        action=_url(request, "portfolios:create"))


@manager_required
@require_http_methods(["GET", "POST"])
def portfolio_edit(request, pk):
    portfolio = get_portfolio_for_member(request.member, pk)
    initial = {"name": portfolio.name, "team": portfolio.team_id, "agent": portfolio.agent_id}
    form = PortfolioForm(request.POST or None, initial=initial, member=request.member,
                         portfolio=portfolio)
    if request.method == "POST" and form.is_valid():
        try:
            services.portfolio_update(member=request.member, portfolio=portfolio,
                                      **form.cleaned_data)
        except ValidationError as error:
            _service_error(form, error)
        else:
            return close_dialog(request,
                                _("Cartera «%(name)s» guardada.") % {"name": portfolio.name},
                                url=_url(request, "portfolios:list"))
    return _form_dialog(request, form,
                        title=_("Editar cartera: %(name)s") % {"name": portfolio.name},
                        action=_url(request, "portfolios:edit", pk=portfolio.pk),
                        portfolio=portfolio)


@manager_required
@require_http_methods(["GET", "POST"])
def portfolio_state(request, pk, active: bool):
    """Activar / Desactivar, after a confirmation."""
    portfolio = get_portfolio_for_member(request.member, pk)
    if request.method == "POST":
        services.portfolio_set_active(member=request.member, portfolio=portfolio, active=active)
        message = (_("Cartera «%(name)s» activada.") if active
                   else _("Cartera «%(name)s» desactivada."))
        return close_dialog(request, message % {"name": portfolio.name},
                            url=_url(request, "portfolios:list"))
    name = "portfolios:activate" if active else "portfolios:deactivate"
    title = _("Activar cartera: %(name)s") if active else _("Desactivar cartera: %(name)s")
    return render_dialog(request, "portfolios/portfolio_state.html", {
        "portfolio": portfolio,
        "active": active,
        "title": title % {"name": portfolio.name},
        "form_action": _url(request, name, pk=portfolio.pk),
    }, back_url=_url(request, "portfolios:list"))


# --- Gestionar contactos ----------------------------------------------------------------------


@manager_required
@require_GET
def portfolio_contacts(request, pk):
    portfolio = get_portfolio_for_member(request.member, pk)
    here = request.get_full_path()
    list_url = _url(request, "portfolios:contacts", pk=portfolio.pk)
    tray = build_contact_list(member=request.member, portfolio=portfolio, params=request.GET)
    context = {
        "portfolio": portfolio,
        "tray": tray,
        "section": "portfolios",
        "here": here,
        "list_url": list_url,
        "max_picked": MAX_PICKED,
    }
    template = ("portfolios/_contacts_tray.html" if is_partial(request)
                and request.headers.get("HX-Target") == "tray" else "portfolios/contacts.html")
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def _ids(values) -> list[int]:
    ids = []
    for value in values:
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            continue
    return list(dict.fromkeys(ids))[:MAX_PICKED]


@manager_required
@require_GET
def portfolio_candidates(request, pk):
    """Busque y seleccione para agregar: the results of one keystroke (htmx)."""
    portfolio = get_portfolio_for_member(request.member, pk)
    params = clean_params(request.GET).data  # no NUL, no endless text
    text = " ".join((params.get(SEARCH_PARAM) or "").split())
    context = contact_candidates(member=request.member, portfolio=portfolio, text=text,
                                 picked_ids=_ids(params.getlist("clientes")))
    context["portfolio"] = portfolio
    return render(request, "portfolios/_candidates.html", context)


@manager_required
@require_POST
def portfolio_contacts_add(request, pk):
    """Agregar: the ticked clients join the portfolio; back to Gestionar contactos."""
    portfolio = get_portfolio_for_member(request.member, pk)
    back = _url(request, "portfolios:contacts", pk=portfolio.pk)
    try:
        result = services.portfolio_clients_add(
            member=request.member, portfolio=portfolio,
            client_ids=request.POST.getlist("clientes"))
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(back)
    if result.added:
        messages.success(request, ngettext(
            "%(count)s contacto agregado a «%(name)s».",
            "%(count)s contactos agregados a «%(name)s».", result.added,
        ) % {"count": result.added, "name": portfolio.name})
    if result.already:
        messages.info(request, ngettext(
            "%(count)s cliente ya estaba en la cartera.",
            "%(count)s clientes ya estaban en la cartera.", result.already,
        ) % {"count": result.already})
    if result.refused:
        messages.warning(request, ngettext(
            "%(count)s cliente no se agregó: no está entre los clientes que usted ve o está en "
            "la Papelera.",
            "%(count)s clientes no se agregaron: no están entre los clientes que usted ve o "
            "están en la Papelera.", result.refused,
        ) % {"count": result.refused})
    return redirect(back)


@manager_required
@require_http_methods(["GET", "POST"])
def portfolio_contact_remove(request, pk, contact_pk):
    """The bin icon of En cartera (a row: one client's place in the portfolio), after a
    confirmation."""
    portfolio = get_portfolio_for_member(request.member, pk)
    contact = get_portfolio_contact_for_member(request.member, portfolio, contact_pk)
    back = _url(request, "portfolios:contacts", pk=portfolio.pk)
    label = contact_label(contact.client)
    if request.method == "POST":
        services.portfolio_client_remove(member=request.member, portfolio=portfolio,
                                         contact=contact)
        return close_dialog(
            request, _("%(client)s ya no está en la cartera «%(name)s».")
            % {"client": label, "name": portfolio.name}, url=back)
    return render_dialog(request, "portfolios/contact_remove.html", {
        "portfolio": portfolio,
        "label": label,
        "title": _("Eliminar de la cartera"),
        "form_action": _url(request, "portfolios:contact_remove", pk=portfolio.pk,
                            contact_pk=contact.pk),
    }, back_url=back)


# --- Many clients at once: jobs of the Log de procesos ----------------------------------------


def _job_detail(request, job) -> str:
    return _url(request, "jobs:detail", pk=job.pk)


@manager_required
@require_http_methods(["GET", "POST"])
def portfolio_add_from_tray(request):
    """Agregar desde la bandeja de clientes: the clients tray's current filter (the tray
    sends its state as `query`), or a saved view of it, into a portfolio, as one job."""
    member = request.member
    data = request.POST if request.method == "POST" else request.GET
    query = saved_query(QueryDict((data.get("query") or "").lstrip("?")))
    initial = {"query": query}
    chosen = request.GET.get("cartera")
    if chosen:
        initial["cartera"] = chosen
    form = TrayAdditionForm(request.POST or None, initial=initial, member=member,
                            has_query=bool(query))
    if request.method == "POST" and form.is_valid():
        portfolio = form.cleaned_data["cartera"]
        which = form.cleaned_data["clientes"]
        if which == TrayAdditionForm.CURRENT:
            params, described = query, _("el filtro actual de la bandeja de clientes")
        elif which == TrayAdditionForm.ALL:
            params, described = "", _("todos los clientes que usted ve")
        else:
            view = get_saved_view_for_member(member, which, tray="clients")
            params, described = view.query, _("la vista «%(view)s»") % {"view": view.name}
        job = job_create(
            member=member, kind=JobKind.PORTFOLIO_CONTACTS_ADD, task=add_contacts,
            title=_("Carga de contactos a «%(portfolio)s» desde %(source)s")
            % {"portfolio": portfolio.name, "source": described},
            options={"portfolio": portfolio.pk, "source": TRAY,
                     "params": params_to_options(params)},
        )
        announce_job(request, job, _("Carga programada: la verás avanzar en el Log de "
                                     "procesos."))
        return htmx_redirect(request, _job_detail(request, job))
    return render_dialog(request, "portfolios/add_from_tray.html", {
        "form": form,
        "title": _("Agregar clientes a una cartera"),
        "form_action": _url(request, "portfolios:add_from_tray"),
        "query": query,
    }, back_url=_url(request, "portfolios:list"), status=400 if form.errors else 200)


@manager_required
@require_http_methods(["GET", "POST"])
def portfolio_add_from_file(request, pk):
    """Agregar desde archivo: a file of document numbers into the portfolio, as one job."""
    portfolio = get_portfolio_for_member(request.member, pk)
    form = ContactFileForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["archivo"]
            job = job_create(
                member=request.member, kind=JobKind.PORTFOLIO_CONTACTS_ADD, task=add_contacts,
                title=_("Carga de contactos a «%(portfolio)s» desde «%(file)s»")
                % {"portfolio": portfolio.name, "file": upload.name},
                options={"portfolio": portfolio.pk, "source": FILE, "file": upload.name},
                input_file=upload, input_name=upload.name,
            )
            announce_job(request, job, _("Carga programada: la verás avanzar en el Log de "
                                         "procesos."))
            return redirect(_job_detail(request, job))
        status = 400
    return render(request, "portfolios/add_from_file.html", {
        "portfolio": portfolio,
        "form": form,
        "section": "portfolios",
        "back_url": _url(request, "portfolios:contacts", pk=portfolio.pk),
    }, status=status)


urlpatterns = [
    path("carteras/", portfolio_list, name="list"),
    path("carteras/nueva/", portfolio_create, name="create"),
    path("carteras/agregar-desde-bandeja/", portfolio_add_from_tray, name="add_from_tray"),
    path("carteras/<int:pk>/editar/", portfolio_edit, name="edit"),
    path("carteras/<int:pk>/activar/", portfolio_state, {"active": True}, name="activate"),
    path("carteras/<int:pk>/desactivar/", portfolio_state, {"active": False}, name="deactivate"),
    path("carteras/<int:pk>/contactos/", portfolio_contacts, name="contacts"),
    path("carteras/<int:pk>/contactos/buscar/", portfolio_candidates, name="candidates"),
    path("carteras/<int:pk>/contactos/agregar/", portfolio_contacts_add, name="contacts_add"),
    path("carteras/<int:pk>/contactos/desde-archivo/", portfolio_add_from_file,
         name="add_from_file"),
    path("carteras/<int:pk>/contactos/<int:contact_pk>/eliminar/", portfolio_contact_remove,
         name="contact_remove"),
    *list_view_patterns(PORTFOLIOS, prefix="carteras/", names={
        "columns": "columns", "view_create": "view_create", "view_delete": "view_delete",
    }),
]
