"""When an import needs a person before writing: the truncated-file guard and all-or-nothing."""

from __future__ import annotations

from django.conf import settings

# Plan actions that write nothing (an importer's rejections, as its plan names them).
REJECTED_ACTIONS = ("other_adviser", "other_bin", "incomplete", "no_client", "other_client")


def deletes_need_confirmation(job) -> bool:
    """More than IMPORT_DELETE_CONFIRM_PERCENT of the scope would go to the bin: a truncated file?"""
    plan = job.options.get("plan") or {}
    to_delete, scope = plan.get("to_delete", 0), plan.get("scope_size", 0)
    return bool(to_delete) and to_delete * 100 > settings.IMPORT_DELETE_CONFIRM_PERCENT * scope


def rejected_rows(plan: dict) -> int:
    return sum(group["count"]
               for group in [*plan.get("actions", []), *plan.get("client_actions", [])]
               if group["action"] in REJECTED_ACTIONS)


def needs_a_person(job) -> bool:
    """Whether an import from a source without a person (SFTP) must wait for one."""
    plan = job.options.get("plan") or {}
    refused = job.options.get("all_or_nothing") and (plan.get("failed") or rejected_rows(plan))
    return bool(deletes_need_confirmation(job) or refused)
