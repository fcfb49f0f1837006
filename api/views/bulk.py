"""Batches through the import engine (api.bulk): `run_bulk` answers any resource's batch;
POST /api/v1/clients/bulk/ is the clients'."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.response import Response

from moonflow.imports.reading import ImportFileError
from moonflow.jobs.models import COUNT_FIELDS, JobStatus, ProcessJob

from ..bulk import (
    BulkTarget,
    bulk_results_drop,
    bulk_row_results,
    bulk_upsert_run,
    bulk_upsert_start,
)
from ..idempotency import run_idempotent
from ..problems import ProblemError, problem_response
from ..serializers.bulk import MODES, BulkAnswerSerializer, BulkUpsertSerializer
from ..serializers.clients import INPUT_FIELDS, json_field_name
from .base import ApiView
from .clients import IDEMPOTENCY_PARAMETER
from .examples import MAY_NOT_IMPORT, PROBLEM_RESPONSES, REUSED_KEY

BULK_EXAMPLE = {
    "mode": "update",
    "scope": None,
    "transferMode": "move",
    "clients": [
        {"documentType": "CC", "documentNumber": "1020304050", "name": "Ana María Pérez",
         "adviserUserProjectId": "HV-002"},
        {"documentType": "NIT", "documentNumber": "900123456-8", "name": "Comercial Andina SAS",
         "phone": "+57 601 555 0101"},
    ],
}
ANSWER_EXAMPLE = {
    "job": {"id": 42, "url": "/api/v1/jobs/42/", "status": "partial"},
    "counts": {"read": 2, "created": 1, "updated": 0, "restored": 0, "transferred": 1,
               "deleted": 0, "failed": 0, "unchanged": 0},
    "results": [
        {"index": 0, "documentType": "CC", "documentNumber": "1020304050",
         "result": "transferred", "clientId": 12, "errors": []},
        {"index": 1, "documentType": "NIT", "documentNumber": "900123456",
         "result": "created", "clientId": 13, "errors": []},
    ],
}


def _job_ref(job) -> dict:
    return {"id": job.pk, "url": reverse("api:job", kwargs={"pk": job.pk}), "status": job.status}


def row_errors(row: dict) -> list[dict]:
    """A row's errors, each naming the JSON field of the importer's column."""
    return [{"field": json_field_name(e["column"]), "message": e["message"]}
            for e in row["errors"]]


def _client_rows_json(rows: list[dict], job) -> list[dict]:
    return [{
        "index": row["index"], "documentType": row["cells"].get("document_type", ""),
        "documentNumber": row["cells"].get("document_number", ""), "result": row["result"],
        "clientId": row["client_id"], "errors": row_errors(row),
    } for row in rows]


def require_importer(member, message: str) -> None:
    """A batch goes through the import engine: only members who may import send one."""
    if not member.may_import:
        raise ProblemError(403, message)


def run_bulk(request, *, member, target: BulkTarget, rows: list[dict], asynchronous: bool,
             rows_json=None, answer=None, mode: str = "update", scope_adviser=None,
             transfer: bool = False) -> Response:
    """Answer a batch (idempotent): a small one is written by the request and answered 200
    row by row (`rows_json(bulk_row_results, job)` words each row; or `answer(job,
    bulk_row_results)` gives the whole answer), a larger one, or one asked `async`, 202
    with its job."""
    synchronous = not asynchronous and len(rows) <= settings.API_BULK_SYNC_MAX

    def write():
        try:
            job = bulk_upsert_start(member=member, target=target, rows=rows, mode=mode,
                                    scope_adviser=scope_adviser, transfer=transfer,
                                    row_results=synchronous)
        except ImportFileError as error:  # what the engine refuses to read, said as is
            raise ProblemError(400, str(error)) from None
        return Response({"job": _job_ref(job), "detail": _(
            "El lote se importa como proceso #%(id)s.") % {"id": job.pk}},
            status=status.HTTP_202_ACCEPTED, headers={"Location": _job_ref(job)["url"]})

    def finish(accepted):
        if not synchronous:
            return accepted
        job = ProcessJob.objects.get(project_id=member.project_id,
                                     pk=accepted.data["job"]["id"])
        job = bulk_upsert_run(job, wait_seconds=settings.API_BULK_WAIT_SECONDS)
        if job.status == JobStatus.FAILED:
            return problem_response(422, job.shown_message, code="import-failed")
        if job.status not in (JobStatus.SUCCEEDED, JobStatus.PARTIAL):
            return accepted  # a worker has it, or it waits for a person: see the job
        results = bulk_row_results(job, rows)
        bulk_results_drop(job)
        if answer is not None:
            return answer(job, results)
        return Response({"job": _job_ref(job),
                         "counts": {name: getattr(job, name) for name in COUNT_FIELDS},
                         "results": rows_json(results, job)})

    return run_idempotent(request, write, finish=finish)


CLIENTS = BulkTarget("clients", tuple(INPUT_FIELDS.values()))


class ClientBulkView(ApiView):
    @extend_schema(
        operation_id="clients_bulk_upsert",
        summary="Create or update many clients (the import engine)",
        description=(
            "Up to API_BULK_SYNC_MAX rows (5,000) are written by the request and answered "
            "row by row in the import's words (created, updated, unchanged, restored, "
            "transferred, failed with the field and message). A larger batch, or "
            "`async: true`, becomes a job: 202 with its URL under /api/v1/jobs/. "
            "A blank value never overwrites a stored one."),
        request=BulkUpsertSerializer, parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: BulkAnswerSerializer, 202: BulkAnswerSerializer, **PROBLEM_RESPONSES,
                   **MAY_NOT_IMPORT, **REUSED_KEY},
        examples=[OpenApiExample("Two clients, transfer mode", value=BULK_EXAMPLE,
                                 request_only=True),
                  OpenApiExample("Row by row", value=ANSWER_EXAMPLE, response_only=True,
                                 status_codes=["200"]),
                  OpenApiExample("As a job", response_only=True, status_codes=["202"], value={
                      "job": {"id": 43, "url": "/api/v1/jobs/43/", "status": "queued"},
                      "detail": "El lote se importa como proceso #43."})],
    )
    def post(self, request):
        member = self.member
        require_importer(member, _("Solo los administradores y los supervisores que ven toda "
                                   "la cartera importan clientes."))
        serializer = BulkUpsertSerializer(data=request.data, project=member.project)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        return run_bulk(request, member=member, target=CLIENTS, rows=data["clients"],
                        asynchronous=data["async"], rows_json=_client_rows_json,
                        mode=MODES[data["mode"]], scope_adviser=data.get("scope"),
                        transfer=data["transferMode"] == "move")
