"""Cambio de gestor as a job in the Log de procesos: a selection or the tray's filter, to one
adviser or split among several.

`transfer_request` records the job (on commit it is queued); the task takes
the job's id, reads its clients through the requester's visibility (the
tray's own selector), and runs the one transfer rule in one transaction.
The result is stored on the job in that same transaction, so a run that dies
after the transfer committed is finished by the next run with the same
counts, and a transfer is never applied twice.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from clients.lists import client_list
from clients.selectors import client_base_queryset
from moonflow.jobs.models import JobKind
from moonflow.jobs.runner import JobFailed, job_message, job_task
from moonflow.jobs.services import job_create
from moonflow.tenancy.models import Member

from .plans import METHODS, transfer_split
from .selectors import may_transfer, transfer_targets
from .services import (
    THROUGH,
    TransferError,
    TransferResult,
    member_label,
    transfer_clients,
)

# "Un solo asesor" previewed as a plan: every client to that adviser (its digest names the
# clients that move).
SINGLE_METHOD = "round_robin"

METHOD_LABELS = {
    "round_robin": gettext_lazy("por turnos"),
    "by_count": gettext_lazy("equilibrado por número de clientes"),
    "by_balance": gettext_lazy("equilibrado por saldo pendiente"),
}


def _params_dict(params) -> dict:
    if isinstance(params, QueryDict):
        return {key: params.getlist(key) for key in params}
    return {key: list(value) if isinstance(value, (list, tuple)) else [value]
            for key, value in (params or {}).items()}


def transfer_request(*, member: Member, client_ids=None, params=None,
                     from_adviser: Member | None = None, to_adviser: Member | None = None,
                     advisers=None, method: str = "", digest: str = "", note: str = "",
                     through: str = "bulk"):
    """Queue a Cambio de gestor: `client_ids` (a selection), `params` (the clients tray's
    filter, as its URL says) or `from_adviser` (their whole book, active or not: the hand-over
    when an adviser is deactivated), to `to_adviser`, or split among `advisers` by `method`.
    `digest` is the preview's plan (`split_plan`; for one adviser, its round robin): the run
    refuses a book that changed since. Returns the job."""
    if not may_transfer(member):
        raise PermissionDenied
    if through not in THROUGH:
        raise ValueError(f"Unknown transfer channel: {through!r}")
    if sum(x is not None for x in (client_ids, params, from_adviser)) != 1:
        raise ValueError("Give one of client_ids, params or from_adviser")
    if from_adviser is not None and from_adviser.project_id != member.project_id:
        raise TransferError(_("El asesor elegido no existe en este proyecto."))
    allowed = {m.pk: m for m in transfer_targets(member=member)}
    chosen = [to_adviser] if to_adviser is not None else list(advisers or [])
    if not chosen:
        raise TransferError(_("Elija el asesor que recibirá los clientes."))
    for adviser in chosen:
        if adviser.pk not in allowed:
            raise TransferError(_("%(who)s no está entre los asesores a los que puede "
                                  "transferir clientes.") % {"who": member_label(adviser)})
    options = {"through": through, "note": note}
    if client_ids is not None:
        options["client_ids"] = sorted({int(pk) for pk in client_ids})
    elif from_adviser is not None:
        options["from_adviser_id"] = from_adviser.pk
    else:
        options["params"] = _params_dict(params)
    if to_adviser is not None:
        options["to_adviser_id"] = to_adviser.pk
        if digest:
            # The preview of "Un solo asesor" (a plan of one adviser): the run compares it.
            options["digest"] = digest
        title = _("Transferencia de clientes a %(who)s") % {"who": member_label(to_adviser)}
    else:
        if method not in METHODS:
            raise TransferError(_("Elija cómo repartir: por turnos, por número de clientes o "
                                  "por saldo pendiente."))
        options.update(advisers=[a.pk for a in chosen], method=method, digest=digest)
        title = _("Cambio de gestor: reparto entre %(n)s asesores (%(how)s)") % {
            "n": len(chosen), "how": METHOD_LABELS[method]}
    return job_create(kind=JobKind.TRANSFER, task=transfer_task, member=member, title=title,
                      options=options)


def job_clients(job):
    """The job's clients, as its requester sees them now."""
    member = job.requested_by
    options = job.options
    if "client_ids" in options:
        return client_base_queryset(member=member).filter(pk__in=options["client_ids"])
    if "from_adviser_id" in options:
        return client_base_queryset(member=member).filter(adviser_id=options["from_adviser_id"])
    params = QueryDict(mutable=True)
    for key, values in options.get("params", {}).items():
        params.setlist(key, values)
    return client_list(member=member, params=params)


def _message(options: dict, result: TransferResult):
    moved = sum(result.followups.values())
    if options.get("to_adviser_id"):
        return job_message(
            ngettext_lazy(
                "Transferencia terminada: %(n)s cliente pasó con %(f)s gestiones abiertas; "
                "%(u)s ya eran del asesor.",
                "Transferencia terminada: %(n)s clientes pasaron con %(f)s gestiones abiertas; "
                "%(u)s ya eran del asesor.",
                result.clients),
            n=result.clients, f=moved, u=result.unchanged)
    return job_message(
        ngettext_lazy(
            "Cambio de gestor terminado: %(n)s cliente repartido entre %(k)s asesores con "
            "%(f)s gestiones abiertas; %(u)s ya eran de quien los recibía.",
            "Cambio de gestor terminado: %(n)s clientes repartidos entre %(k)s asesores con "
            "%(f)s gestiones abiertas; %(u)s ya eran de quien los recibía.",
            result.clients),
        n=result.clients, k=len(options.get("advisers", [])), f=moved, u=result.unchanged)


@job_task("transfers.tasks.transfer_clients")
def transfer_task(run):
    """Run a Cambio de gestor; its result commits with the transfer (see the module's doc)."""
    job = run.job
    options = dict(job.options)
    if "result" in options:
        result = TransferResult.from_dict(options["result"])
        total = result.clients + result.unchanged
        run.set_total(total)
    else:
        if job.requested_by is None or not may_transfer(job.requested_by):
            raise JobFailed(_("Quien pidió la transferencia ya no puede transferir clientes."))
        clients = job_clients(job)
        total = clients.count()
        run.set_total(total)
        actor = job.requested_by.user
        try:
            with transaction.atomic():
                if options.get("to_adviser_id"):
                    target = Member.objects.filter(project_id=job.project_id,
                                                   pk=options["to_adviser_id"]).first()
                    if target is None:
                        raise TransferError(_("El asesor elegido ya no existe en el proyecto."))
                    if options.get("digest"):
                        # The clients must still be those of the preview, as for a split.
                        _plan, result = transfer_split(
                            project=job.project, actor=actor, clients=clients,
                            advisers=[target], method=SINGLE_METHOD,
                            through=options["through"], note=options.get("note", ""), job=job,
                            digest=options["digest"])
                    else:
                        result = transfer_clients(
                            project=job.project, actor=actor, clients=clients,
                            to_adviser=target, through=options["through"],
                            note=options.get("note", ""), job=job)
                else:
                    _plan, result = transfer_split(
                        project=job.project, actor=actor, clients=clients,
                        advisers=options["advisers"], method=options["method"],
                        through=options["through"], note=options.get("note", ""), job=job,
                        digest=options.get("digest") or None)
                job.options = {**options, "result": result.as_dict()}
                run.save_options()
        except TransferError as error:
            raise JobFailed(str(error)) from None
    run.progress(total, force=True, read=total, transferred=result.clients,
                 unchanged=result.unchanged)
    return _message(options, result)
