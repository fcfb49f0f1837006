"""The steps a user takes through an import: upload, map, confirm (or cancel)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from moonflow.jobs.models import JobStatus, ProcessJob
from moonflow.jobs.runner import stored_message
from moonflow.jobs.services import files_expiry_from, job_resume

from . import engine
from .mapping import signature
from .guards import deletes_need_confirmation, rejected_rows
from .models import MappingTemplate
from .proposals import read_proposal, source_mapping
from .reading import ImportFileError
from .reading.sniff import CSV

IMPORT_TASK = "moonflow.imports.tasks.run_import"  # the one task of every import job
# A CSV up to this size is read in the upload request (its rows are counted in one pass);
# a larger one, like every spreadsheet, is read by the job while the mapping page waits.
READ_IN_REQUEST_MAX_BYTES = 20 * 1024 * 1024


class ImportRefused(Exception):
    """A step the user cannot take now; the message says why."""


def import_start(*, member, importer, upload, mode: str, scope_adviser_id: int | None,
                 all_or_nothing: bool = False, source: str = "file", project=None,
                 transfer_mode: bool = False, extra_options: dict | None = None) -> ProcessJob:
    """Store the upload as an import job; a CSV's headers and first rows are read at once.

    The file's type, size and safety are checked here: a file that cannot be
    imported raises ImportFileError and leaves nothing behind. A spreadsheet is
    converted by the job (phase READ: a million rows take the better part of a
    minute, longer than a request may), which then waits for the mapping; so is a
    CSV larger than READ_IN_REQUEST_MAX_BYTES. `transfer_mode` ("Modo transferencia")
    only applies to an importer whose rows hold clients.
    """
    if transfer_mode and not importer.transfers_clients:
        raise ValueError(f"{importer.entity} does not transfer clients")
    project = project or member.project
    options = {"entity": importer.entity, "phase": engine.MAPPING, "mode": mode,
               "scope_adviser_id": scope_adviser_id, "all_or_nothing": all_or_nothing,
               "transfer_mode": bool(transfer_mode), "source": source,
               **(extra_options or {})}
    with transaction.atomic():
        job = ProcessJob.objects.create(
            project=project, requested_by=member, kind=importer.job_kind,
            status=JobStatus.AWAITING, title=_("Importación de %(what)s: %(file)s") % {
                "what": str(importer.label).lower(), "file": upload.name[:150]},
            input_name=upload.name[:255], task_name=IMPORT_TASK, options=options,
        )
        job.input_file.save(upload.name, upload, save=False)
        try:
            kind = engine.check_job_file(job)
            in_request = kind == CSV and job.input_file.size <= READ_IN_REQUEST_MAX_BYTES
            if in_request:
                with engine.open_job_table(job) as table:
                    read_proposal(job, importer, table)
        except ImportFileError:
            job.input_file.delete(save=False)
            raise
        job.save(update_fields=["input_file", "mapping", "total", "options"])
    if not in_request:
        job.options = {**job.options, "phase": engine.READ}
        job_resume(job, options=job.options)
    return job


def import_map(*, job, member, mapping: dict, defaults: dict | None = None,
               template_name: str = "") -> ProcessJob:
    """Save the user's mapping (and, if named, as a template) and queue the analysis."""
    if job.status != JobStatus.AWAITING or job.options.get("phase") != engine.MAPPING:
        raise ImportRefused(_("Esta importación ya no espera un mapeo."))
    with transaction.atomic():
        if template_name:
            MappingTemplate.objects.update_or_create(
                project=job.project, entity=job.options["entity"], name=template_name[:120],
                defaults={"signature": signature(mapping), "mapping": mapping,
                          "defaults": defaults or {}, "created_by": member},
            )
        options = {**job.options, "phase": engine.ANALYZE, "defaults": defaults or {}}
        if not job_resume(job, mapping=mapping, options=options):
            raise ImportRefused(_("Esta importación ya no espera un mapeo."))
    return job


def import_confirm(*, job, confirmed_deletes: str = "") -> ProcessJob:
    """The user read the preview and confirms: queue the writing."""
    if job.status != JobStatus.AWAITING or job.options.get("phase") != engine.PREVIEW:
        raise ImportRefused(_("Esta importación ya no espera confirmación."))
    plan = job.options.get("plan") or {}
    rejected = rejected_rows(plan)
    if job.options.get("all_or_nothing") and (plan.get("failed") or rejected):
        raise ImportRefused(_("Pidió todo o nada y %(n)s filas tienen errores: corríjalas y "
                              "vuelva a cargar el archivo.") % {
                                  "n": plan.get("failed", 0) + rejected})
    if deletes_need_confirmation(job) and confirmed_deletes.strip() != str(plan["to_delete"]):
        raise ImportRefused(_(
            "Esta importación enviaría %(n)s clientes a la papelera (%(share)s%% del alcance): "
            "escriba %(n)s para confirmarlo.") % {
            "n": plan["to_delete"],
            "share": round(plan["to_delete"] * 100 / max(1, plan["scope_size"]))})
    if not job_resume(job, options={**job.options, "phase": engine.WRITE}):
        raise ImportRefused(_("Esta importación ya no espera confirmación."))
    return job


def import_cancel(*, job) -> None:
    """Drop a waiting import: nothing was written; its staged rows go."""
    now = timezone.now()
    text, translations = stored_message(_("Importación cancelada: no se escribió nada."))
    with transaction.atomic():
        moved = ProcessJob.objects.filter(
            project_id=job.project_id, pk=job.pk, status=JobStatus.AWAITING
        ).update(
            status=JobStatus.FAILED, message=text, message_translations=translations,
            finished_at=now, files_expire_at=files_expiry_from(now))
        if not moved:
            raise ImportRefused(_("Esta importación ya no se puede cancelar."))
    engine.drop_staging(job)


def import_from_source(source, importer, upload) -> ProcessJob:
    """A file an SFTP source took: checked, mapped with the source's template, and queued to be
    analysed and written without a person (unless the truncated-file guard needs one).

    A file that cannot be read, or whose columns do not match the template, ends as a failed
    job in the Log de procesos with the reason (and on the source's page).
    """
    options = {"sftp_source_id": source.pk, "auto_confirm": True}
    try:
        job = import_start(member=None, project=source.project, importer=importer,
                           upload=upload, mode=source.mode,
                           scope_adviser_id=source.scope_adviser_id, source="sftp",
                           transfer_mode=source.transfer_mode and importer.transfers_clients,
                           extra_options=options)
    except ImportFileError as error:
        return _failed_source_job(source, importer, upload.name, str(error))
    if job.options.get("phase") == engine.READ:
        return job  # a spreadsheet: the job converts it, then maps it the same way
    mapping, defaults, problem = source_mapping(job, importer, source)
    if problem:
        _fail_waiting(job, problem)
        return job
    job.options = {**job.options, "phase": engine.ANALYZE, "defaults": defaults}
    job_resume(job, mapping=mapping, options=job.options)
    return job


def _fail_waiting(job, message: str) -> None:
    now = timezone.now()
    text, translations = stored_message(message)
    ProcessJob.objects.filter(project_id=job.project_id, pk=job.pk).update(
        status=JobStatus.FAILED, message=text, message_translations=translations,
        finished_at=now, files_expire_at=files_expiry_from(now))
    job.refresh_from_db()


def _failed_source_job(source, importer, name: str, message: str) -> ProcessJob:
    now = timezone.now()
    text, translations = stored_message(message)
    return ProcessJob.objects.create(
        project=source.project, kind=importer.job_kind, status=JobStatus.FAILED,
        title=_("SFTP: %(name)s") % {"name": source.name}, input_name=name[:255],
        message=text, message_translations=translations, finished_at=now,
        files_expire_at=files_expiry_from(now),
        options={"entity": importer.entity, "sftp_source_id": source.pk, "source": "sftp"})


def sftp_source_save(*, project, source=None, data: dict):
    """Create or change an SFTP source from the form's cleaned data; secrets are encrypted and
    a blank one keeps the stored one."""
    from .models import SftpSource
    from .secrets import encrypt

    source = source or SftpSource(project=project)
    for name in ("name", "entity", "host", "port", "username", "folder", "pattern", "mode",
                 "every_minutes", "is_active"):
        setattr(source, name, data[name])
    source.transfer_mode = bool(data.get("transfer_mode"))
    source.template_id = int(data["template"]) if data.get("template") else None
    source.scope_adviser_id = int(data["scope"]) if data.get("scope") else None
    if data.get("password"):
        source.password_encrypted = encrypt(data["password"])
    if data.get("private_key", "").strip():
        source.private_key_encrypted = encrypt(data["private_key"].strip() + "\n")
    if data.get("forget_host_key"):
        source.host_key = ""
    source.save()
    return source
