"""The import resolution table (product brief, "Import resolution"), transfer mode off and on.

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
    TRANSFER = "transfer"  # transfer mode: from another adviser, with everything linked
    RESTORE_TRANSFER = "restore_transfer"  # transfer mode: from another adviser's bin


REJECTED = (Action.OTHER_ADVISER, Action.OTHER_BIN)
TRANSFERS = (Action.TRANSFER, Action.RESTORE_TRANSFER)


@dataclass(frozen=True)
class Holder:
    """The client already holding the row's external ID."""

    adviser_id: int | None
    deleted: bool


def resolve(holder: Holder | None, *, scope_adviser_id: int | None, transfer: bool = False,
            row_adviser_id: int | None = None) -> Action:
    """What a row whose external ID is held by `holder` (None: nobody) does.

    `scope_adviser_id` None is the whole project's scope: every client is in it.
    With an adviser's scope, a client held by anyone else (or by nobody) is
    outside it: without transfer mode the row is rejected, nothing is deleted or
    re-created; in transfer mode it is transferred (restored first from a bin).

    In the whole project's scope, transfer mode makes a row that names another
    Asesor ID (`row_adviser_id`) than the client's a transfer; without it, such a
    row only changes the adviser (its open gestiones stay with whoever holds them).
    """
    if holder is None:
        return Action.CREATE
    if scope_adviser_id is None:
        if transfer and row_adviser_id is not None and row_adviser_id != holder.adviser_id:
            return Action.RESTORE_TRANSFER if holder.deleted else Action.TRANSFER
        return Action.RESTORE if holder.deleted else Action.UPDATE
    if holder.adviser_id == scope_adviser_id:
        return Action.RESTORE if holder.deleted else Action.UPDATE
    if transfer:
        return Action.RESTORE_TRANSFER if holder.deleted else Action.TRANSFER
    return Action.OTHER_BIN if holder.deleted else Action.OTHER_ADVISER
