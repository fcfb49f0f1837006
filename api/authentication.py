"""`Authorization: Bearer <key>`: the key gives the project and the member it acts as.

There is no project in the URL: a key belongs to one project. Once the key is
known the request speaks the project's language (unless Accept-Language asks
for another) and reads dates in the project's timezone, as a page does.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone, translation
from django.utils.translation.trans_real import parse_accept_lang_header
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .keys import parse_key
from .selectors import key_for_presented
from .services import api_key_touch


def speak_as_project(request, project) -> None:
    """The first language of Accept-Language that Moonflow speaks, else the project's; the
    project's clock."""
    language = project.language
    for code, _quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        if code == "*":
            break
        try:
            language = translation.get_supported_language_variant(code)
            break
        except LookupError:
            continue
    translation.activate(language)
    request.LANGUAGE_CODE = language
    try:
        timezone.activate(ZoneInfo(project.timezone))
    except (ZoneInfoNotFoundError, ValueError):
        timezone.deactivate()


class BearerKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        keyword, _sep, text = header.partition(" ")
        if keyword.lower() != self.keyword.lower():
            return None
        presented = parse_key(text.strip())
        key = key_for_presented(presented) if presented else None
        if key is None:
            raise exceptions.AuthenticationFailed(
                _("La clave de API no es válida o fue revocada."))
        api_key_touch(key=key)
        member = key.member
        request._request.api_key = key
        request._request.member = member
        request._request.project = member.project
        speak_as_project(request._request, member.project)
        return member.user, key

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
