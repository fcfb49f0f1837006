"""Carga de contactos a cartera: many clients into a portfolio as one job of the Log de procesos.

Two sources, one job kind (PORTFOLIO_CONTACTS_ADD):

- "tray": every client of a clients-tray filter (its filters, search and saved view's
  query, as the tray cleans them), read through the member's visibility when the job
  runs, added by one statement (`services.portfolio_clients_add_bulk`);
- "file": the document numbers of an uploaded file (`contact_files.add_from_file`), with
  an error report (Fila | Columna | Valor | Detalle del error) of the rows not added.

Counts in the Log: Leídos (clients of the filter or rows of the file), Creados (added),
Sin cambios (already in the portfolio), Fallidos (not added: in the Papelera, not found,
invalid). The addition and its counts are written in one transaction, the counts kept in
the job's options: a run killed after that commit and run again adds nothing twice and
reports the same counts. The audit event (one for the whole addition) is written with the
job's end.
"""

from pathlib import Path

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy

from clients.lists import client_tray_query
from moonflow.imports.reading import ImportFileError
from moonflow.jobs.runner import JobFailed, job_message, job_task
from moonflow.lists.exports import filters_for_audit, options_to_params
from moonflow.spreadsheets import write_error_report

from .contact_files import add_from_file
from .selectors import get_portfolio_for_member, may_manage
from .services import audit_bulk_addition, portfolio_clients_add_bulk

TRAY, FILE = "tray", "file"


def _member(run):
    member = run.member
    if (member is None or not member.is_active or member.project_id != run.job.project_id
            or not may_manage(member)):
        raise JobFailed(gettext_lazy("Quien pidió la carga ya no puede gestionar carteras en "
                                     "este proyecto."))
    return member


def _portfolio(member, pk):
    try:
        return get_portfolio_for_member(member, pk)
    except Http404:
        raise JobFailed(gettext_lazy("La cartera ya no existe o ya no está a su cargo.")) \
            from None


def _from_tray(run, member, portfolio, options) -> dict:
    params = options_to_params(options.get("params") or {})
    source = client_tray_query(member=member, params=params).queryset
    result = portfolio_clients_add_bulk(member=member, portfolio=portfolio, source=source)
    return {"read": result.total, "created": result.added, "unchanged": result.already,
            "failed": result.binned}


def _from_file(run, member, portfolio, options) -> dict:
    job = run.job
    name = job.input_name or Path(job.input_file.name).name

    def report(errors):
        run.save_errors(f"errores_{Path(name).stem}.xlsx", write_error_report(errors))

    try:
        result = add_from_file(
            member=member, portfolio=portfolio, path=job.input_file.path, file_name=name,
            work_dir=str(Path(job.input_file.path).parent), report=report,
            progress=lambda rows: run.progress(rows, read=rows),
        )
    except ImportFileError as error:
        raise JobFailed(str(error)) from None
    return {"read": result.rows, "created": result.added, "unchanged": result.already,
            "failed": result.failed}


def _origin(options) -> str:
    if options.get("source") == FILE:
        return str(gettext_lazy("Archivo «%(file)s»") % {"file": options.get("file", "")})
    filters = filters_for_audit(options.get("params") or {})
    shown = ", ".join(f"{key}={value}" for key, value in filters.items())
    return str(gettext_lazy("Bandeja de clientes")) + (f": {shown}" if shown else "")


@job_task("portfolios.tasks.add_contacts")
def add_contacts(run):
    job = run.job
    options = dict(job.options or {})
    member = _member(run)
    portfolio = _portfolio(member, options.get("portfolio"))
    counts = options.get("counts")
    if counts is None:
        with transaction.atomic():
            adder = _from_file if options.get("source") == FILE else _from_tray
            counts = adder(run, member, portfolio, options)
            job.options = {**options, "counts": counts}
            run.save_options()
    run.set_total(counts["read"])
    run.progress(counts["read"], force=True, **counts)
    run.on_success(lambda: audit_bulk_addition(
        member=member, portfolio=portfolio, origin=_origin(options), added=counts["created"],
        already=counts["unchanged"], not_added=counts["failed"], job_id=job.pk,
        source="file" if options.get("source") == FILE else "screen",
    ))
    return job_message(
        gettext_lazy("Contactos agregados a «%(portfolio)s»: %(added)s agregados, %(already)s ya "
                     "estaban en la cartera, %(failed)s no agregados."),
        portfolio=portfolio.name, added=counts["created"], already=counts["unchanged"],
        failed=counts["failed"],
    )
