"""Ajustes → Integraciones → API: create a key (its secret shown once), list the project's
keys, revoke one after confirming. Admins only."""

from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from moonflow.dialogs import close_dialog, render_dialog
from moonflow.tenancy.decorators import admin_required

from .forms import ApiKeyForm
from .models import ApiKeyScope
from .selectors import api_key_list, get_api_key_for_member
from .services import api_key_create, api_key_revoke


def _index_url(request) -> str:
    return reverse("api_keys:index", kwargs={"project": request.project.slug})


# The new key's text waits in the session for the one page that shows it (Post/Redirect/Get:
# reloading that page neither shows it again nor creates another key).
NEW_KEY_SESSION = "api_new_key"


@require_http_methods(["GET", "POST"])
@admin_required
def index(request):
    form = ApiKeyForm(request.POST or None, project=request.project)
    if request.method == "POST" and form.is_valid():
        scope = form.cleaned_data["scope"]
        member = form.cleaned_data["member"] if scope == ApiKeyScope.MEMBER else request.member
        created, secret = api_key_create(project=request.project, actor=request.user,
                                         name=form.cleaned_data["name"], scope=scope,
                                         member=member)
        request.session[NEW_KEY_SESSION] = {"prefix": created.prefix, "text": secret}
        return redirect(_index_url(request))
    shown = request.session.pop(NEW_KEY_SESSION, None)
    keys = list(api_key_list(member=request.member))
    created = next((k for k in keys if shown and k.prefix == shown["prefix"]), None)
    response = render(request, "api/keys.html", {
        "form": form, "keys": keys, "created": created,
        "secret": shown["text"] if created else None, "section": "settings",
        "docs_url": reverse("api:docs"),
    }, status=400 if request.method == "POST" else 200)
    # The page may hold the key's text: never cached.
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@admin_required
def revoke(request, prefix):
    key = get_api_key_for_member(request.member, prefix)
    if request.method == "POST":
        if api_key_revoke(key=key, actor=request.user):
            message = _("Clave %(name)s revocada: ya no abre la API.") % {"name": key.name}
        else:
            message = _("La clave %(name)s ya estaba revocada.") % {"name": key.name}
        return close_dialog(request, message, url=_index_url(request))
    return render_dialog(request, "api/revoke_key.html", {
        "key": key, "title": _("Revocar clave: %(name)s") % {"name": key.name},
        "form_action": reverse("api_keys:revoke",
                               kwargs={"project": request.project.slug, "prefix": key.prefix}),
    }, back_url=_index_url(request))


app_name = "api_keys"

urlpatterns = [
    path("", index, name="index"),
    path("<slug:prefix>/revocar/", revoke, name="revoke"),
]
