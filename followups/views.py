"""Gestiones: the client page's Gestiones panel and its dialogs (Nueva gestión, Completar,
Reprogramar, Anular, Agregar nota), and "Mis gestiones", an adviser's day.

The client page loads the panel from here (so the clients app never reads
followups). Who may act is who may see the client: every gestión is reached
through `get_followup_for_member`, every client through `get_client_for_member`.
"""

from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from clients.selectors import get_client_for_member
from clients.validation import FieldError
from moonflow.dialogs import close_dialog, render_dialog, safe_next

from . import services
from .choices import FollowUpKind
from .forms import CloseForm, FollowUpForm, NoteForm, PromiseCompleteForm, RescheduleForm
from .selectors import (
    BadCursor,
    adviser_day,
    client_closed_followups,
    client_notes_page,
    client_open_followups,
    get_followup_for_member,
)


def _client_url(request, client) -> str:
    return reverse("clients:detail", kwargs={"project": request.project.slug, "pk": client.pk})


def _url(request, name: str, pk: int) -> str:
    return reverse(f"followups:{name}", kwargs={"project": request.project.slug, "pk": pk})


def _refused(form, error: FieldError) -> None:
    """Put a service's refusal on the field it names, else above the form."""
    form.add_error(error.field if error.field in form.fields else None, error.messages[0])


def _posted(request):
    """The submitted data, or None when the dialog opens (an empty POST is still a submit)."""
    return request.POST if request.method == "POST" else None


def _dialog(request, template, context, *, form, back_url, action):
    context.update(form=form, form_action=action,
                   next=request.GET.get("next") or request.POST.get("next", ""))
    return render_dialog(request, template, context, back_url=back_url,
                         status=400 if form.is_bound else 200)


@require_GET
def client_panel(request, pk):
    """The client page's "Gestiones" panel: every open gestión, then the latest closed ones
    and notes (HISTORY_PAGE_SIZE each; "Ver más" reads the next ones)."""
    client = get_client_for_member(request.member, pk, include_deleted=True)
    return render(request, "followups/_client_panel.html", {
        "client": client,
        "open_followups": list(client_open_followups(client=client)),
        "closed": client_closed_followups(client=client),
        "notes": client_notes_page(client=client),
    })


def _history_more(request, pk, *, read, template):
    """"Ver más" of a history list: the page after `despues`, with its own "Ver más"."""
    client = get_client_for_member(request.member, pk, include_deleted=True)
    cursor = request.GET.get("despues", "")
    if not cursor:
        return HttpResponseBadRequest()
    try:
        page = read(client=client, cursor=cursor)
    except BadCursor:
        return HttpResponseBadRequest()
    return render(request, template, {"client": client, "page": page})


@require_GET
def closed_more(request, pk):
    return _history_more(request, pk, read=client_closed_followups,
                         template="followups/_closed_rows.html")


@require_GET
def notes_more(request, pk):
    return _history_more(request, pk, read=client_notes_page,
                         template="followups/_note_items.html")


@require_http_methods(["GET", "POST"])
def followup_create(request, pk):
    client = get_client_for_member(request.member, pk)
    back_url = safe_next(request, _client_url(request, client))
    form = FollowUpForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            followup = services.followup_create(
                client=client, actor=request.user, kind=data["kind"], due_on=data["due_on"],
                due_time=data["due_time"], title=data["title"], detail=data["detail"],
                amount=data["amount"], channel=data["channel"])
        except FieldError as error:
            _refused(form, error)
        else:
            return close_dialog(request, _("Gestión creada: %(what)s, para el %(day)s.") % {
                "what": followup, "day": followup.due_on.strftime("%d/%m/%Y")}, url=back_url)
    return _dialog(request, "followups/followup_form.html", {
        "client": client,
        "title": _("Nueva gestión: %(name)s") % {"name": client.name},
    }, form=form, back_url=back_url, action=_url(request, "create", client.pk))


def _followup_dialog(request, followup, *, form_class, template, title, action_name, act,
                     done):
    """A dialog on one gestión: `act(followup, cleaned_data)` runs the service."""
    back_url = safe_next(request, _client_url(request, followup.client))
    form = form_class(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            act(followup, form.cleaned_data)
        except FieldError as error:
            _refused(form, error)
        else:
            return close_dialog(request, done % {"what": followup}, url=back_url)
    return _dialog(request, template, {
        "followup": followup,
        "client": followup.client,
        "title": title % {"what": followup},
    }, form=form, back_url=back_url, action=_url(request, action_name, followup.pk))


@require_http_methods(["GET", "POST"])
def followup_complete(request, pk):
    followup = get_followup_for_member(request.member, pk)
    is_promise = followup.kind == FollowUpKind.PROMISE

    def act(target, data):
        services.followup_complete(followup=target, actor=request.user,
                                   kept=data.get("kept", True), note=data["note"])

    return _followup_dialog(
        request, followup, form_class=PromiseCompleteForm if is_promise else CloseForm,
        template="followups/followup_complete.html", title=_("Completar: %(what)s"),
        action_name="complete", act=act, done=_("Gestión cerrada: %(what)s."))


@require_http_methods(["GET", "POST"])
def followup_reschedule(request, pk):
    followup = get_followup_for_member(request.member, pk)

    def act(target, data):
        services.followup_reschedule(followup=target, actor=request.user,
                                     due_on=data["due_on"], due_time=data["due_time"])

    return _followup_dialog(
        request, followup, form_class=RescheduleForm, template="followups/followup_reschedule.html",
        title=_("Reprogramar: %(what)s"), action_name="reschedule", act=act,
        done=_("Gestión reprogramada: %(what)s."))


@require_http_methods(["GET", "POST"])
def followup_cancel(request, pk):
    followup = get_followup_for_member(request.member, pk)

    def act(target, data):
        services.followup_cancel(followup=target, actor=request.user, note=data["note"])

    return _followup_dialog(
        request, followup, form_class=CloseForm, template="followups/followup_cancel.html",
        title=_("Anular: %(what)s"), action_name="cancel", act=act,
        done=_("Gestión anulada: %(what)s."))


@require_http_methods(["GET", "POST"])
def note_add(request, pk):
    client = get_client_for_member(request.member, pk)
    back_url = safe_next(request, _client_url(request, client))
    form = NoteForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.client_note_add(client=client, actor=request.user,
                                     text=form.cleaned_data["text"])
        except FieldError as error:
            _refused(form, error)
        else:
            return close_dialog(request, _("Nota agregada."), url=back_url)
    return _dialog(request, "followups/note_form.html", {
        "client": client,
        "title": _("Agregar nota: %(name)s") % {"name": client.name},
    }, form=form, back_url=back_url, action=_url(request, "note_add", client.pk))


@require_GET
def my_gestiones(request):
    """Mis gestiones: what the member holds open, grouped Vencidas / Hoy / Próximos 7 días."""
    day = adviser_day(member=request.member)
    groups = [
        ("vencidas", _("Vencidas"), list(day.overdue)),
        ("hoy", _("Hoy"), list(day.due_today)),
        ("proximas", _("Próximos 7 días"), list(day.upcoming)),
    ]
    return render(request, "followups/my_gestiones.html", {
        "day": day,
        "groups": groups,
        "section": "my_gestiones",
        "here": request.get_full_path(),
    })
