"""Errors as `application/problem+json` (RFC 9457): type, title, status, detail, and
`errors` — one {field, message} per field-level message, the field named as the
JSON body names it (camelCase).

Messages speak the request's language (api.authentication.speak_as_project).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "urn:moonflow:problem:"


def _titles() -> dict[int, str]:
    return {
        400: _("Solicitud inválida"),
        401: _("No autenticado"),
        403: _("Sin permiso"),
        404: _("No encontrado"),
        405: _("Método no permitido"),
        406: _("Formato no aceptable"),
        409: _("Conflicto"),
        413: _("Solicitud demasiado grande"),
        415: _("Tipo de contenido no soportado"),
        422: _("No se puede procesar"),
        429: _("Demasiadas solicitudes"),
        500: _("Error del servidor"),
    }


CODES = {400: "invalid", 401: "unauthenticated", 403: "forbidden", 404: "not-found",
         405: "method-not-allowed", 406: "not-acceptable", 409: "conflict",
         413: "too-large", 415: "unsupported-media-type", 422: "unprocessable",
         429: "rate-limited", 500: "server-error"}


class ProblemError(exceptions.APIException):
    """A refusal the API words itself: status, code (the type's last part), detail, errors."""

    def __init__(self, status_code: int, detail: str, *, code: str | None = None,
                 errors: list[dict] | None = None):
        super().__init__(detail)
        self.status_code = status_code
        self.problem_code = code or CODES.get(status_code, "error")
        self.errors = errors or []


def problem_body(status_code: int, detail: str, *, code: str | None = None,
                 errors: list[dict] | None = None) -> dict:
    body = {
        "type": TYPE_BASE + (code or CODES.get(status_code, "error")),
        "title": str(_titles().get(status_code, _("Error"))),
        "status": status_code,
        "detail": str(detail),
    }
    if errors:
        body["errors"] = errors
    return body


def problem_response(status_code: int, detail: str, *, code: str | None = None,
                     errors: list[dict] | None = None, headers: dict | None = None) -> Response:
    return Response(problem_body(status_code, detail, code=code, errors=errors),
                    status=status_code, content_type=PROBLEM_CONTENT_TYPE, headers=headers)


def _flatten(data, prefix: str = "") -> list[dict]:
    """A serializer's errors ({field: [messages]}, nested) as [{field, message}]."""
    out = []
    if isinstance(data, dict):
        for name, value in data.items():
            if isinstance(name, int) or str(name).isdigit():
                out += _flatten(value, f"{prefix}[{name}]")
                continue
            field = name if name != "non_field_errors" else ""
            out += _flatten(value, f"{prefix}.{field}" if prefix and field else (field or prefix))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            if isinstance(value, (dict, list)):
                out += _flatten(value, f"{prefix}[{index}]")
            else:
                out.append({"field": prefix, "message": str(value)})
    else:
        out.append({"field": prefix, "message": str(data)})
    return out


def exception_handler(exc, context):
    """REST_FRAMEWORK's EXCEPTION_HANDLER: every refusal as a problem."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("No existe o no está a su alcance."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    set_rollback()
    if isinstance(exc, ProblemError):
        return problem_response(exc.status_code, exc.detail, code=exc.problem_code,
                                errors=exc.errors, headers=headers)
    if isinstance(exc, exceptions.ValidationError):
        return problem_response(
            status.HTTP_400_BAD_REQUEST,
            _("Revise los campos señalados."), errors=_flatten(exc.detail), headers=headers)
    if isinstance(exc, exceptions.NotAuthenticated):
        detail = _("Falta la clave de API: envíe «Authorization: Bearer <clave>».")
    elif isinstance(exc, exceptions.Throttled):
        detail = _("Superó el límite de solicitudes de esta clave. Espere %(seconds)s "
                   "segundos.") % {"seconds": headers.get("Retry-After", "1")}
    elif isinstance(exc, exceptions.PermissionDenied):
        detail = _("Esta clave no puede hacer esta operación.")
    elif isinstance(exc, exceptions.NotFound):
        detail = _("No existe o no está a su alcance.")
    else:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    return problem_response(exc.status_code, detail, headers=headers)
