"""/api/v1/jobs/: the Log de procesos the key's member sees (moonflow.jobs.selectors)."""

from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response

from moonflow.jobs.lists import JOBS
from moonflow.jobs.selectors import get_job_file_for_member, get_job_for_member, job_list
from moonflow.lists.listing import list_query

from ..pagination import CURSOR_PARAM, PAGE_SIZE_PARAM, list_params, page_link, read_page
from ..serializers.jobs import FILES, JobPageSerializer, JobSerializer
from .base import ApiView
from .examples import PROBLEM_RESPONSES

JOB_EXAMPLE = {
    "id": 41, "kind": "client_import", "kindLabel": "Importación de clientes",
    "status": "partial", "statusLabel": "Finalizado con errores",
    "title": "API: 8000 clientes", "message": "Importación terminada: 7990 creados, …",
    "counts": {"read": 8000, "created": 7990, "updated": 0, "restored": 0, "transferred": 0,
               "deleted": 0, "failed": 10, "unchanged": 0},
    "progress": {"done": 8000, "total": 8000},
    "files": {"result": None, "errors": "/api/v1/jobs/41/files/errors/"},
    "url": "/api/v1/jobs/41/",
    "createdAt": "2026-03-02T10:15:00-05:00", "startedAt": "2026-03-02T10:15:01-05:00",
    "finishedAt": "2026-03-02T10:15:40-05:00",
}


class JobListView(ApiView):
    @extend_schema(operation_id="jobs_list", summary="Jobs this key may see, newest first",
                   parameters=[OpenApiParameter(CURSOR_PARAM, OpenApiTypes.STR),
                               OpenApiParameter(PAGE_SIZE_PARAM, OpenApiTypes.INT)],
                   responses={200: JobPageSerializer, **PROBLEM_RESPONSES},
                   examples=[OpenApiExample("A page", response_only=True, value={
                       "results": [JOB_EXAMPLE], "next": None, "previous": None})])
    def get(self, request):
        member = self.member
        query = list_query(JOBS, member=member, params=list_params(request.GET))
        page = read_page(query, member=member, query=request.GET, noun_singular="proceso",
                         noun_plural="procesos")
        ids = [row["id"] for row in page.page.rows]
        found = job_list(member=member).in_bulk(ids)
        return Response({
            "results": JobSerializer([found[pk] for pk in ids if pk in found], many=True).data,
            "next": page_link(request, page.next_cursor),
            "previous": page_link(request, page.previous_cursor),
        })


class JobDetailView(ApiView):
    @extend_schema(operation_id="jobs_retrieve", summary="One job: status, counts, files",
                   responses={200: JobSerializer, **PROBLEM_RESPONSES},
                   examples=[OpenApiExample("A job", value=JOB_EXAMPLE, response_only=True)])
    def get(self, request, pk):
        return Response(JobSerializer(get_job_for_member(self.member, pk)).data)


class JobFileView(ApiView):
    @extend_schema(operation_id="jobs_file", summary="A job's result or error report file",
                   responses={(200, "application/octet-stream"): OpenApiResponse(
                       OpenApiTypes.BINARY, description="The file", examples=[
                           OpenApiExample("The error report", value="(an XLSX file)",
                                          response_only=True)]),
                       **PROBLEM_RESPONSES})
    def get(self, request, pk, file):
        if file not in FILES:
            raise Http404("No such file")
        job_file = get_job_file_for_member(self.member, pk, FILES[file])
        try:
            handle = job_file.file.open("rb")
        except FileNotFoundError:
            raise Http404("No such file") from None
        return FileResponse(handle, as_attachment=True, filename=job_file.filename)
