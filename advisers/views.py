"""Ajustes → Usuarios and Ajustes → Equipos (admins only).

Dialogs go through `moonflow.dialogs`: a valid submission closes the dialog
and fires an event that makes the table reload itself (its flash message
comes with it); an invalid one re-renders the form inside the dialog. Opened
without htmx (a direct link), the same views render a full page and redirect
back to the list with a flash message.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from moonflow.dialogs import close_dialog, render_dialog
from moonflow.jobs.announce import announce_job
from moonflow.tenancy.decorators import admin_required
from moonflow.tenancy.selectors import get_member_for_member
from moonflow.tenancy.selectors import member_list as select_members
from transfers.handover import member_deactivate_handing_over
from transfers.selectors import adviser_book, transfer_preview, transfer_targets
from transfers.services import TransferError

from . import services
from .forms import (
    MemberDeactivateForm,
    MemberEditForm,
    MemberInviteForm,
    MemberPermissionsForm,
    TeamForm,
)
from .selectors import get_team_for_member, member_history, team_list_with_counts

MEMBERS_CHANGED = "membersChanged"
TEAMS_CHANGED = "teamsChanged"


def _url(request, name: str) -> str:
    return reverse(name, kwargs={"project": request.project.slug})


def _add_service_error(form, error: ValidationError, fields: dict[str, str]) -> None:
    """Show a service's refusal next to the field it is about (or above the form)."""
    form.add_error(fields.get(error.code), error)


# --- Usuarios ---------------------------------------------------------------


@admin_required
def member_list(request):
    context = {
        "members": select_members(member=request.member),
        "partial": request.headers.get("HX-Target") == "member-table",
        "tab": "users",
    }
    template = "advisers/_member_table.html" if context["partial"] else "advisers/member_list.html"
    return render(request, template, context)


@admin_required
def member_permissions(request, pk):
    target = get_member_for_member(request.member, pk)
    initial = {
        "restricted_to_assigned": target.restricted_to_assigned,
        "role": target.role,
        "team": target.team_id,
    }
    form = MemberPermissionsForm(request.POST or None, initial=initial, member=request.member)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(member=target, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_service_error(form, error, {"last_admin": "role", "invalid": "team"})
        else:
            return close_dialog(
                request,
                _("Permisos de %(name)s guardados.") % {"name": target.display_name},
                url=_url(request, "advisers:list"),
                events=[MEMBERS_CHANGED],
            )
    return render_dialog(
        request,
        "advisers/member_permissions.html",
        {
            "form": form,
            "target": target,
            "title": _("Permisos del usuario: %(name)s") % {"name": target.display_name},
            "form_action": reverse(
                "advisers:permissions", kwargs={"project": request.project.slug, "pk": target.pk}
            ),
        },
        back_url=_url(request, "advisers:list"),
    )


@admin_required
def member_edit(request, pk):
    target = get_member_for_member(request.member, pk)
    form = MemberEditForm(request.POST or None, initial={"code": target.code})
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(
                member=target, actor=request.user, code=form.cleaned_data["code"]
            )
        except ValidationError as error:
            form.add_error("code", error)
        else:
            return close_dialog(
                request,
                _("ID de %(name)s guardado: %(code)s.")
                % {"name": target.display_name, "code": target.code},
                url=_url(request, "advisers:list"),
                events=[MEMBERS_CHANGED],
            )
    return render_dialog(
        request,
        "advisers/member_edit.html",
        {
            "form": form,
            "target": target,
            "title": _("Editar usuario: %(name)s") % {"name": target.display_name},
            "form_action": reverse(
                "advisers:edit", kwargs={"project": request.project.slug, "pk": target.pk}
            ),
        },
        back_url=_url(request, "advisers:list"),
    )


@admin_required
def member_invite(request):
    form = MemberInviteForm(request.POST or None, member=request.member)
    if request.method == "POST" and form.is_valid():
        try:
            invited = services.member_invite(
                project=request.project, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            _add_service_error(form, error, {"exists": "email", "invalid": "team"})
        else:
            return close_dialog(
                request,
                _("Invitación enviada a %(email)s. ID asignado: %(code)s.")
                % {"email": invited.user.email, "code": invited.code},
                url=_url(request, "advisers:list"),
                events=[MEMBERS_CHANGED],
            )
    return render_dialog(
        request,
        "advisers/member_invite.html",
        {
            "form": form,
            "title": _("Invitar usuario"),
            "form_action": reverse("advisers:invite", kwargs={"project": request.project.slug}),
        },
        back_url=_url(request, "advisers:list"),
    )


@admin_required
def member_state(request, pk, active: bool):
    """Deactivate or reactivate. Deactivating a member who holds clients offers to hand their
    book over in the same step (`_deactivate_handing_over`); otherwise, and when kept, their
    clients stay assigned to them."""
    target = get_member_for_member(request.member, pk)
    if not active and target.is_active:
        book = adviser_book(member=request.member, adviser=target)
        holds = transfer_preview(project=request.project, clients=book)
        if holds.clients:
            return _deactivate_handing_over(request, target, book=book, holds=holds)
    error = None
    if request.method == "POST":
        try:
            services.member_set_active(member=target, actor=request.user, active=active)
        except ValidationError as refusal:
            error = refusal.messages[0]
        else:
            message = _("%(name)s está activo de nuevo.") if active else _("%(name)s desactivado.")
            return close_dialog(
                request,
                message % {"name": target.display_name},
                url=_url(request, "advisers:list"),
                events=[MEMBERS_CHANGED],
            )
    name = "advisers:activate" if active else "advisers:deactivate"
    title = _("Reactivar usuario: %(name)s") if active else _("Desactivar usuario: %(name)s")
    return render_dialog(
        request,
        "advisers/member_state.html",
        {
            "target": target,
            "active": active,
            "error": error,
            "title": title % {"name": target.display_name},
            "form_action": reverse(name, kwargs={"project": request.project.slug, "pk": target.pk}),
        },
        back_url=_url(request, "advisers:list"),
    )


def _deactivate_handing_over(request, target, *, book, holds):
    """Desactivar for a member who holds clients: the dialog shows their book (clients,
    balance, open gestiones) and offers to keep it assigned to them or to hand it over like
    Cambio de gestor (one adviser or a split, Vista previa, then Desactivar for that plan).
    Deactivating and queueing the transfer happen together or not at all."""
    targets = [m for m in transfer_targets(member=request.member) if m.pk != target.pk]
    form = MemberDeactivateForm(request.POST or None, targets=targets)
    plan, error = None, None
    if request.method == "POST":
        confirming = "preview" not in request.POST
        handover = None
        if form.hands_over and form.is_valid():
            plan, confirmable = form.review_plan(
                project=request.project, clients=book, confirming=confirming,
                nothing_to_move=_("%(name)s ya no tiene clientes que pasar: elija dejarlos "
                                  "asignados.") % {"name": target.display_name})
            handover = form.request_options() if confirmable else None
        if confirming and (handover or not form.hands_over):
            try:
                job = member_deactivate_handing_over(member=request.member, target=target,
                                                     handover=handover)
            except ValidationError as refusal:
                error = refusal.messages[0]
            except TransferError as refusal:
                form.add_error("advisers", str(refusal))
            else:
                if job is not None:
                    announce_job(request, job, _("Cambio de gestor de sus clientes programado: "
                                                 "lo verá avanzar en el Log de procesos."))
                return close_dialog(
                    request,
                    _("%(name)s desactivado.") % {"name": target.display_name},
                    url=_url(request, "advisers:list"),
                    events=[MEMBERS_CHANGED],
                )
        if not form.hands_over:
            # Kept: the plan's fields were not asked for, so they show no errors.
            form = MemberDeactivateForm(targets=targets)
    return render_dialog(
        request,
        "advisers/member_state.html",
        {
            "target": target,
            "active": False,
            "error": error,
            "form": form,
            "holds": holds,
            "plan": plan,
            "title": _("Desactivar usuario: %(name)s") % {"name": target.display_name},
            "form_action": reverse("advisers:deactivate",
                                   kwargs={"project": request.project.slug, "pk": target.pk}),
        },
        back_url=_url(request, "advisers:list"),
        status=400 if error or form.errors else 200,
    )


@admin_required
def member_history_view(request, pk):
    target = get_member_for_member(request.member, pk)
    return render_dialog(
        request,
        "advisers/member_history.html",
        {
            "target": target,
            "rows": member_history(member=request.member, target=target),
            "title": _("Historial: %(name)s") % {"name": target.display_name},
        },
        back_url=_url(request, "advisers:list"),
    )


# --- Equipos ----------------------------------------------------------------


@admin_required
def team_list(request):
    context = {
        "teams": team_list_with_counts(member=request.member),
        "partial": request.headers.get("HX-Target") == "team-table",
        "tab": "teams",
    }
    template = "advisers/_team_table.html" if context["partial"] else "advisers/team_list.html"
    return render(request, template, context)


@admin_required
def team_create(request):
    form = TeamForm(request.POST or None, member=request.member)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(
                project=request.project, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _add_service_error(form, error, {"duplicate": "name", "required": "name",
                                             "invalid": "supervisor"})
        else:
            return close_dialog(
                request,
                _("Equipo «%(name)s» creado.") % {"name": team.name},
                url=_url(request, "advisers:teams"),
                events=[TEAMS_CHANGED],
            )
    return render_dialog(
        request,
        "advisers/team_form.html",
        {
            "form": form,
            "title": _("Crear equipo"),
            "form_action": reverse(
                "advisers:team_create", kwargs={"project": request.project.slug}
            ),
        },
        back_url=_url(request, "advisers:teams"),
    )


@admin_required
def team_edit(request, pk):
    team = get_team_for_member(request.member, pk)
    form = TeamForm(
        request.POST or None,
        initial={"name": team.name, "supervisor": team.supervisor_id},
        member=request.member,
        current_supervisor=team.supervisor,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.team_update(team=team, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_service_error(form, error, {"duplicate": "name", "required": "name",
                                             "invalid": "supervisor"})
        else:
            return close_dialog(
                request,
                _("Equipo «%(name)s» guardado.") % {"name": team.name},
                url=_url(request, "advisers:teams"),
                events=[TEAMS_CHANGED],
            )
    return render_dialog(
        request,
        "advisers/team_form.html",
        {
            "form": form,
            "team": team,
            "title": _("Editar equipo: %(name)s") % {"name": team.name},
            "form_action": reverse(
                "advisers:team_edit", kwargs={"project": request.project.slug, "pk": team.pk}
            ),
        },
        back_url=_url(request, "advisers:teams"),
    )
