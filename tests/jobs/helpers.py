"""Builders and readers shared by the Log de procesos tests."""

import io
from datetime import timedelta

import openpyxl
import psycopg
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

from moonflow.jobs.models import JobKind, JobStatus, ProcessJob


def make_job(project, requested_by=None, *, kind=JobKind.CLIENT_EXPORT, status=JobStatus.QUEUED,
             **fields) -> ProcessJob:
    """A job row as a worker would have left it (no task is sent)."""
    now = timezone.now()
    fields.setdefault("enqueued_at", now)
    if status != JobStatus.QUEUED:
        fields.setdefault("started_at", now - timedelta(seconds=10))
        fields.setdefault("heartbeat_at", now)
    if status in (JobStatus.SUCCEEDED, JobStatus.PARTIAL, JobStatus.FAILED):
        fields.setdefault("finished_at", now)
        fields.setdefault("files_expire_at", now + timedelta(days=7))
    return ProcessJob.objects.create(
        project=project, requested_by=requested_by, kind=kind, status=status, **fields
    )


def attach_file(job: ProcessJob, field: str, name: str, content: bytes) -> None:
    getattr(job, field).save(name, ContentFile(content), save=False)
    job.save(update_fields=[field])


def download_bytes(response) -> bytes:
    return b"".join(response.streaming_content)


def read_xlsx(content: bytes) -> list[tuple]:
    """Every row of the first sheet, as values."""
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [tuple(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def first_sheet(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]


def connection_params() -> dict:
    """psycopg.connect() arguments for a second connection to the test database."""
    params = connection.get_connection_params()
    return {k: v for k, v in params.items() if k not in {"cursor_factory", "context"}}


class TableWriteLock:
    """Hold an EXCLUSIVE lock on a table from a separate connection.

    Readers go on; any INSERT/UPDATE on the table waits until `release()`.
    Used to hold a worker still at a known point of a job.
    """

    def __init__(self, table: str):
        self.conn = psycopg.connect(**connection_params())
        self.conn.execute(f'LOCK TABLE "{table}" IN EXCLUSIVE MODE')

    def release(self) -> None:
        if not self.conn.closed:
            self.conn.rollback()
            self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()


def num(value: int) -> str:
    """A count as the Spanish UI prints it (grouping per the active format settings)."""
    from django.utils import formats, translation

    with translation.override("es"):
        return formats.number_format(value, force_grouping=True)


def align_media_with_worker(settings) -> None:
    """Read and write job files where the worker process does.

    The worker always runs on moonflow.settings.test; this test process may
    have been started with other settings, so use the worker's MEDIA_ROOT.
    """
    import importlib

    settings.MEDIA_ROOT = importlib.import_module("moonflow.settings.test").MEDIA_ROOT


def worker_log(worker) -> str:
    # A separate handle: seeking the fixture's own one would move the worker's offset.
    with open(worker.log.name, encoding="utf-8", errors="replace") as handle:
        return handle.read()


def queued_messages(queue: str) -> int:
    """Messages waiting in a Celery queue of the broker."""
    from moonflow.celery import app

    with app.connection_for_write() as conn:
        return conn.default_channel.client.llen(queue)


def sent_emails(mail_dir) -> list:
    """Every message the filebased email backend wrote, parsed."""
    import email
    from pathlib import Path

    messages = []
    for path in sorted(Path(mail_dir).glob("*.log")):
        for chunk in path.read_bytes().split(b"-" * 79):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk.strip() + b"\n"))
    return messages


def email_subject(message) -> str:
    from email.header import decode_header, make_header

    return str(make_header(decode_header(message["Subject"])))


def email_body(message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
