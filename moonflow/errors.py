"""The error pages (404, 403, 400) in the product's layout and the user's language.

500 keeps Django's own handler and a template that needs no database
(`templates/500.html`): the error may be the database itself.
"""

from django.shortcuts import render
from django.utils.translation import gettext as _


def _error_page(request, *, code: int, icon: str, title: str, text: str):
    context = {"error_code": code, "error_icon": icon, "error_title": title, "error_text": text}
    return render(request, "error_page.html", context, status=code)


def page_not_found(request, exception=None):
    return _error_page(
        request, code=404, icon="bi-signpost-split", title=_("Página no encontrada"),
        text=_("La página que buscas no existe o no tienes acceso a ella. Revisa la dirección "
               "o vuelve al inicio."),
    )


def permission_denied(request, exception=None):
    return _error_page(
        request, code=403, icon="bi-shield-lock", title=_("No tienes permiso"),
        text=_("Tu usuario no tiene permiso para ver esta página o hacer esta acción. Si la "
               "necesitas, pídesela a un administrador del proyecto."),
    )


def bad_request(request, exception=None):
    return _error_page(
        request, code=400, icon="bi-exclamation-octagon", title=_("Solicitud no válida"),
        text=_("No pudimos entender la solicitud. Vuelve a la página anterior e inténtalo de "
               "nuevo."),
    )
