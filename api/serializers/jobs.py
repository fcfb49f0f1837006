"""A job of the Log de procesos as the API reads it."""

from django.urls import reverse
from rest_framework import serializers

from moonflow.jobs.models import COUNT_FIELDS

FILES = {"result": "resultado", "errors": "errores"}


class JobCountsSerializer(serializers.Serializer):
    read = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    restored = serializers.IntegerField()
    transferred = serializers.IntegerField()
    deleted = serializers.IntegerField()
    failed = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class JobProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    total = serializers.IntegerField(allow_null=True)


class JobFilesSerializer(serializers.Serializer):
    result = serializers.CharField(allow_null=True)
    errors = serializers.CharField(allow_null=True, help_text="The error report "
                                   "(Row | Column | Value | Error detail)")


class JobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kindLabel = serializers.CharField(source="get_kind_display")
    status = serializers.CharField()
    statusLabel = serializers.CharField(source="get_status_display")
    title = serializers.CharField()
    message = serializers.CharField(source="shown_message")
    counts = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    createdAt = serializers.DateTimeField(source="created_at")
    startedAt = serializers.DateTimeField(source="started_at", allow_null=True)
    finishedAt = serializers.DateTimeField(source="finished_at", allow_null=True)

    def get_counts(self, job) -> JobCountsSerializer:
        return {name: getattr(job, name) for name in COUNT_FIELDS}

    def get_progress(self, job) -> JobProgressSerializer:
        return {"done": job.done, "total": job.total}

    def get_files(self, job) -> JobFilesSerializer:
        available = not job.files_purged
        return {
            "result": (reverse("api:job_file", kwargs={"pk": job.pk, "file": "result"})
                       if available and job.result_file else None),
            "errors": (reverse("api:job_file", kwargs={"pk": job.pk, "file": "errors"})
                       if available and job.error_file else None),
        }

    def get_url(self, job) -> str:
        return reverse("api:job", kwargs={"pk": job.pk})


class JobPageSerializer(serializers.Serializer):
    results = JobSerializer(many=True)
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
