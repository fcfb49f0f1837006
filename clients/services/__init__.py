"""Writes on a client record and on what hangs from it, one module per domain.

- `clients`: the record (create, update, adviser, recycle bin);
- `claims`: the claim rule (Client.claim_category ↔ Claim rows);
- `payment_orders`: create, edit, pay, annul;
- `settings`: Ajustes → segments and custom variables.

Call sites import the package (`from clients import services;
services.client_update(…)`). Every function is keyword-only, runs in one
transaction, saves with `update_fields` and leaves an AuditEvent (resource
type "client", "payment_order", "segment" or "custom_variable"); updates
write and audit only what changed (`moonflow.audit.changes.save_changes`).
`actor` is the Django user who acted (None for the system). Values come
already cleaned by `clients.validation`; services enforce only the rules that
need the database (uniqueness, the claim rule, the state of an order, whose
a new client is) and serialise concurrent writers by locking the client row.
"""

from .claims import MAX_OPEN_CLAIMS, claim_close, claim_set_category
from .clients import (
    CLIENT_UPDATABLE,
    client_assign_adviser,
    client_create,
    client_delete,
    client_restore,
    client_update,
)
from .payment_orders import (
    ORDER_UPDATABLE,
    PaymentOrderStateError,
    payment_order_annul,
    payment_order_create,
    payment_order_mark_paid,
    payment_order_update,
)
from .settings import (
    custom_variable_create,
    custom_variable_update,
    segment_create,
    segment_rename,
)

__all__ = [
    "CLIENT_UPDATABLE",
    "MAX_OPEN_CLAIMS",
    "ORDER_UPDATABLE",
    "PaymentOrderStateError",
    "claim_close",
    "claim_set_category",
    "client_assign_adviser",
    "client_create",
    "client_delete",
    "client_restore",
    "client_update",
    "custom_variable_create",
    "custom_variable_update",
    "payment_order_annul",
    "payment_order_create",
    "payment_order_mark_paid",
    "payment_order_update",
    "segment_create",
    "segment_rename",
]
