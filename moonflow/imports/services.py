"""The steps a user takes through an import: upload, map, confirm (or cancel)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from moonflow.jobs.models import JobStatus, ProcessJob
from moonflow.jobs.runner import stored_message
from moonflow.jobs.services import files_expiry_from, job_resume

from . import engine
from .mapping import auto_map, normalise, signature
from .models import MappingTemplate, RowError, StagedRow
from .reading import ImportFileError
from .tasks import import_task

SAMPLE_ROWS = 5
# Plan actions that write nothing (an importer's rejections, as its plan names them).
REJECTED_ACTIONS = ("other_adviser", "other_bin", "incomplete", "no_client", "other_client")


class ImportRefused(Exception):
    """A step the user cannot take now; the message says why."""


def import_start(*, member, importer, upload, mode: str, scope_adviser_id: int | None,
                 all_or_nothing: bool = False, source: str = "file") -> ProcessJob:
    """Store the upload as an import job waiting for its mapping; read its headers and first rows.

    The file is checked here (type, size, safety, header, row limit): a file
    that cannot be imported raises ImportFileError and leaves nothing behind.
    """
    with transaction.atomic():
        job = ProcessJob.objects.create(
            project=member.project, requested_by=member, kind=importer.job_kind,
            status=JobStatus.AWAITING, title=_("Importación de %(what)s: %(file)s") % {
                "what": str(importer.label).lower(), "file": upload.name[:150]},
            input_name=upload.name[:255], task_name=import_task.name,
            options={"entity": importer.entity, "phase": engine.MAPPING, "mode": mode,
                     "scope_adviser_id": scope_adviser_id, "all_or_nothing": all_or_nothing,
                     "source": source},
        )
        job.input_file.save(upload.name, upload, save=False)
        try:
            with engine.open_job_table(job) as table:
                sample = []
                for row in table.rows():
                    sample.append({"number": row.number, "values": row.values})
                    if len(sample) >= SAMPLE_ROWS:
                        break
                headers = table.columns
                total = table.total_rows
                decimal_mark = table.decimal_mark
        except ImportFileError:
            job.input_file.delete(save=False)
            raise
        template = find_template(member.project, importer.entity, headers)
        if template:
            # Same columns, perhaps in another order, case or spelling of accents.
            by_name = {normalise(h): target for h, target in template.mapping.items()}
            mapping = {header: by_name.get(normalise(header), "") for header in headers}
            job.options["defaults"] = dict(template.defaults)
        else:
            mapping = auto_map(headers, importer.fields(member.project))
        job.mapping = mapping
        job.total = total
        job.options = {**job.options, "headers": headers, "sample": sample,
                       "decimal_mark": decimal_mark,
                       "template_id": template.pk if template else None}
        job.save(update_fields=["input_file", "mapping", "total", "options"])
    return job


def find_template(project, entity: str, headers) -> MappingTemplate | None:
    return (MappingTemplate.objects.filter(project=project, entity=entity,
                                           signature=signature(headers))
            .order_by("-updated_at").first())


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


def deletes_need_confirmation(job) -> bool:
    plan = job.options.get("plan") or {}
    to_delete, scope = plan.get("to_delete", 0), plan.get("scope_size", 0)
    return bool(to_delete) and to_delete * 100 > settings.IMPORT_DELETE_CONFIRM_PERCENT * scope


def import_confirm(*, job, confirmed_deletes: str = "") -> ProcessJob:
    """The user read the preview and confirms: queue the writing."""
    if job.status != JobStatus.AWAITING or job.options.get("phase") != engine.PREVIEW:
        raise ImportRefused(_("Esta importación ya no espera confirmación."))
    plan = job.options.get("plan") or {}
    rejected = sum(group["count"]
                   for group in [*plan.get("actions", []), *plan.get("client_actions", [])]
                   if group["action"] in REJECTED_ACTIONS)
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
        moved = ProcessJob.objects.filter(pk=job.pk, status=JobStatus.AWAITING).update(
            status=JobStatus.FAILED, message=text, message_translations=translations,
            finished_at=now, files_expire_at=files_expiry_from(now))
        if not moved:
            raise ImportRefused(_("Esta importación ya no se puede cancelar."))
        StagedRow.objects.filter(project_id=job.project_id, job_id=job.pk).delete()
        RowError.objects.filter(project_id=job.project_id, job_id=job.pk).delete()
