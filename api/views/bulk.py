"""POST /api/v1/clients/bulk/: a batch of clients through the import engine (api.bulk)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.response import Response

from moonflow.imports.reading import ImportFileError
from moonflow.jobs.models import COUNT_FIELDS, JobStatus, ProcessJob

from ..bulk import bulk_results_drop, bulk_row_results, bulk_upsert_run, bulk_upsert_start
from ..idempotency import run_idempotent
from ..problems import ProblemError, problem_response
from ..serializers.bulk import MODES, BulkAnswerSerializer, BulkUpsertSerializer
from ..serializers.clients import json_field_name
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


def _row_json(row: dict) -> dict:
    return {
        "index": row["index"], "documentType": row["document_type"],
        "documentNumber": row["document_number"], "result": row["result"],
        "clientId": row["client_id"],
        "errors": [{"field": json_field_name(e["column"]), "message": e["message"]}
                   for e in row["errors"]],
    }


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
        if not member.may_import:
            raise ProblemError(403, _("Solo los administradores y los supervisores que ven toda "
                                      "la cartera importan clientes."))
        serializer = BulkUpsertSerializer(data=request.data, project=member.project)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        rows = data["clients"]
        synchronous = not data["async"] and len(rows) <= settings.API_BULK_SYNC_MAX

        def write():
            try:
                job = bulk_upsert_start(member=member, rows=rows, mode=MODES[data["mode"]],
                                        scope_adviser=data.get("scope"),
                                        transfer=data["transferMode"] == "move",
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
            job = bulk_upsert_run(job)
            if job.status == JobStatus.FAILED:
                return problem_response(422, job.shown_message, code="import-failed")
            if job.status not in (JobStatus.SUCCEEDED, JobStatus.PARTIAL):
                return accepted  # a worker has it, or it waits for a person: see the job
            results = [_row_json(row) for row in bulk_row_results(job, rows)]
            bulk_results_drop(job)
            return Response({"job": _job_ref(job),
                             "counts": {name: getattr(job, name) for name in COUNT_FIELDS},
                             "results": results})

        return run_idempotent(request, write, finish=finish)
