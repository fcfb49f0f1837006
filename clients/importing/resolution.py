"""The import resolution table (product brief, "Import resolution"), transfer mode off.

One function decides what a file's row does to the book; the preview and the
writer both call it, so what the preview says is what the writer does (against
the book as it is when the chunk is written).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    RESTORE = "restore"  # from the scope's recycle bin, then updated
    OTHER_ADVISER = "other_adviser"  # an active client of another adviser: rejected
    OTHER_BIN = "other_bin"  # in another adviser's recycle bin: rejected


REJECTED = (Action.OTHER_ADVISER, Action.OTHER_BIN)


@dataclass(frozen=True)
class Holder:
    """The client already holding the row's external ID."""

    adviser_id: int | None
    deleted: bool


def resolve(holder: Holder | None, *, scope_adviser_id: int | None) -> Action:
    """What a row whose external ID is held by `holder` (None: nobody) does.

    `scope_adviser_id` None is the whole project's scope: every client is in it.
    With an adviser's scope, a client held by anyone else (or by nobody) is
    outside it: without transfer mode the row is rejected, nothing is deleted or
    re-created.
    """
    if holder is None:
        return Action.CREATE
    in_scope = scope_adviser_id is None or holder.adviser_id == scope_adviser_id
    if not in_scope:
        return Action.OTHER_BIN if holder.deleted else Action.OTHER_ADVISER
    return Action.RESTORE if holder.deleted else Action.UPDATE
