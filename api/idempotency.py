"""`Idempotency-Key` on every POST: a retry gets the first answer and writes nothing again.

The first request inserts its (project, key, Idempotency-Key) row before it writes,
in the same transaction as the write, and stores its answer (status, body, Location)
there before committing. A retry that comes after the commit finds the row and gets
the stored answer; one that comes while the first still runs waits on the unique
constraint, then finds it. If the first request fails (an exception rolls back its
writes) the row goes with them: nothing was written, the retry runs again. The same
key with another body is refused with 422. Rows live 24 h (api.tasks).
"""

from __future__ import annotations

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.response import Response

from .models import IdempotentRequest
from .problems import PROBLEM_CONTENT_TYPE, ProblemError

HEADER = "Idempotency-Key"
KEPT_HEADERS = ("Location",)
MAX_LENGTH = 255


def request_fingerprint(request) -> str:
    """Method, path, query and the parsed body, canonical (key order and spacing aside)."""
    body = json.dumps(request.data, sort_keys=True, cls=DjangoJSONEncoder, default=str)
    text = "\n".join([request.method, request.path, request.META.get("QUERY_STRING", ""), body])
    return hashlib.sha256(text.encode()).hexdigest()


def _replay(stored: IdempotentRequest) -> Response:
    headers = {**(stored.headers or {}), "Idempotent-Replayed": "true"}
    content_type = PROBLEM_CONTENT_TYPE if stored.status >= 400 else None
    return Response(stored.body, status=stored.status, headers=headers,
                    content_type=content_type)


def run_idempotent(request, write, finish=None) -> Response:
    """Answer a POST with `write()` (which returns a Response), once per Idempotency-Key.

    `finish(response)`, when given, runs after the write committed and gives the final
    answer (a bulk upsert runs its import job there), which then replaces the stored one;
    a retry meanwhile gets the answer `write()` stored (202 with the job's URL)."""
    given = request.headers.get(HEADER)
    if given is None:
        with transaction.atomic():
            response = write()
        return finish(response) if finish is not None else response
    given = given.strip()
    if not given or len(given) > MAX_LENGTH:
        raise ProblemError(400, _("La cabecera Idempotency-Key debe tener entre 1 y "
                                  "%(max)s caracteres.") % {"max": MAX_LENGTH},
                           errors=[{"field": HEADER, "message": _("Valor inválido.")}])
    key = request.auth
    fingerprint = request_fingerprint(request)
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = IdempotentRequest.objects.create(
                    project_id=key.project_id, api_key_prefix=key.prefix, key=given,
                    request_hash=fingerprint, method=request.method, path=request.path[:500])
        except IntegrityError:
            stored = IdempotentRequest.objects.get(project_id=key.project_id,
                                                   api_key_prefix=key.prefix, key=given)
            if stored.request_hash != fingerprint:
                raise ProblemError(422, _(
                    "Esta Idempotency-Key ya se usó con otra solicitud: use una clave nueva "
                    "para una solicitud distinta."), code="idempotency-key-reused",
                    errors=[{"field": HEADER, "message": _("Ya usada con otro cuerpo.")}]
                ) from None
            return _replay(stored)
        response = write()
        _store(row, response)
    if finish is None:
        return response
    response = finish(response)
    _store(row, response)
    return response


def _store(row: IdempotentRequest, response) -> None:
    row.status = response.status_code
    row.body = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
    row.headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
    IdempotentRequest.objects.filter(project_id=row.project_id,
                                     api_key_prefix=row.api_key_prefix, key=row.key).update(
        status=row.status, body=row.body, headers=row.headers)
