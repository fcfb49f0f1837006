"""Payment orders through the import engine, alone or in a "base de cartera".

- Órdenes de pago (`PaymentOrderImporter`): each row names its client by
  document (tipo + número) and its order by number; orders are created or
  updated, the client must exist.
- Base de cartera (`PortfolioBaseImporter`): the file creditors send, one row
  per obligation carrying the client's columns too. One pass creates or
  updates both: a client's columns, repeated over its rows, must agree (the
  rows that differ are reported with the column); the client is written from
  its first row, then each row's order.

An order number is the order's external ID in the project: a row whose number
belongs to another client's order is refused, never moved. The clients'
situations are recomputed set-based for every client a chunk touched.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from moonflow.db.streaming import stream_rows
from moonflow.imports.engine import CellError, ChunkOutcome, CleanRow, Importer
from moonflow.imports.mapping import ImportField
from moonflow.jobs.models import JobKind
from moonflow.jobs.runner import job_message

from ..choices import PaymentOrderKind
from ..situation import recompute_situations
from ..validation import LABELS, clean_client_row, clean_order_row
from .clients import (
    ClientImporter,
    Context,
    absent_clients,
    clean_client,
    client_groups,
    member_label,
    transfer_routes,
    write_clients,
)
from .fields import client_fields

ORDER_SYNONYMS = {
    "number": ("numero de orden", "numero orden", "nro orden", "orden", "numero", "factura",
               "numero factura", "obligacion", "numero obligacion", "nro obligacion", "credito",
               "numero credito", "order number", "invoice", "invoice number"),
    "kind": ("tipo de orden", "tipo orden", "tipo obligacion", "order type", "kind"),
    "amount": ("monto", "valor", "importe", "monto original", "valor original", "capital",
               "amount", "original amount"),
    "interest": ("intereses", "interes", "interest"),
    "discounts": ("descuentos", "descuento", "discount", "discounts"),
    "payments": ("pagos", "abonos", "pagado", "payments", "paid"),
    "balance": ("saldo", "saldo pendiente", "saldo total", "saldo capital", "deuda",
                "balance", "outstanding"),
    "currency": ("moneda", "divisa", "currency"),
    "issued_on": ("emision", "fecha emision", "fecha de emision", "fecha factura",
                  "issue date", "issued on"),
    "due_date": ("vencimiento", "fecha vencimiento", "fecha de vencimiento", "vence",
                 "fecha limite de pago", "due date"),
}
ORDER_LABELS = {"number": gettext_lazy("Número de orden"), "kind": gettext_lazy("Tipo de orden")}
ORDER_REQUIRED = ("number",)
CREATE_NEEDS = ("amount", "due_date")  # besides the number, to create an order

# Cleaned order value → column and SQL type.
ORDER_COLUMNS = {
    "kind": "text", "amount": "numeric", "interest": "numeric", "discounts": "numeric",
    "payments": "numeric", "currency": "text", "issued_on": "date", "due_date": "date",
}


def order_fields(project) -> list[ImportField]:
    helps = {
        "number": _("El número de la orden, factura u obligación: único en el proyecto."),
        "kind": _("Uno de: %(options)s. Vacío: Factura.") % {
            "options": ", ".join(str(label) for _c, label in PaymentOrderKind.choices)},
        "amount": _("Monto original, mayor que cero (1.234.567,89). Obligatorio para crear."),
        "interest": _("Intereses (1.234,56)."),
        "discounts": _("Descuentos (1.234,56)."),
        "payments": _("Lo ya pagado (1.234,56)."),
        "balance": _("Saldo pendiente: con el monto, Moonflow calcula lo pagado."),
        "currency": _("Código ISO de 3 letras. Vacío: la moneda del proyecto (%(c)s).") % {
            "c": project.currency},
        "issued_on": _("Fecha de emisión dd/mm/aaaa."),
        "due_date": _("Fecha de vencimiento dd/mm/aaaa. Obligatoria para crear."),
    }
    examples = {"number": "FAC-000123", "kind": str(PaymentOrderKind.INVOICE.label),
                "amount": "1.250.000,00", "interest": "0", "discounts": "0", "payments": "",
                "balance": "850.000,00", "currency": project.currency,
                "issued_on": "01/03/2026", "due_date": "31/03/2026"}
    return [
        ImportField(key=key, label=str(ORDER_LABELS.get(key) or LABELS[key]),
                    required=key in ORDER_REQUIRED, synonyms=synonyms, help=helps[key],
                    example=examples[key], group="order")
        for key, synonyms in ORDER_SYNONYMS.items()
    ]


def _json_ready(values: dict) -> dict:
    out = {}
    for name, value in values.items():
        if isinstance(value, Decimal):
            out[name] = str(value)
        elif isinstance(value, date):
            out[name] = value.isoformat()
        else:
            out[name] = value
    return out


class PaymentOrderImporter(Importer):
    entity = "payment_orders"
    job_kind = JobKind.PAYMENT_ORDER_IMPORT
    model_file_name = "reporte_modelo_ordenes_de_pago.xlsx"
    with_clients = False

    @property
    def label(self):
        return _("Órdenes de pago")

    @property
    def key_label(self):
        return _("número de orden")

    def fields(self, project):
        key_fields = [f for f in client_fields(project)
                      if f.key in ("document_type", "document_number")]
        return key_fields + order_fields(project)

    def context(self, job) -> Context:
        return ClientImporter().context(job)

    def for_file(self, context, *, decimal_mark) -> None:
        ClientImporter().for_file(context, decimal_mark=decimal_mark)

    # --- cleaning ---------------------------------------------------------------------------

    def clean(self, raw: dict, context: Context) -> CleanRow:
        order_raw = {k: v for k, v in raw.items() if k in ORDER_COLUMNS or k in (
            "number", "balance")}
        client_raw = {k: v for k, v in raw.items() if k not in order_raw}
        if self.with_clients:
            client = clean_client(client_raw, context)
        else:
            keys = {k: client_raw.get(k, "") for k in ("document_type", "document_number")}
            cleaned = clean_client_row(keys, rules=context.rules, partial=True)
            client = CleanRow(
                key=(f"{cleaned.values['document_type']} {cleaned.values['document_number']}"
                     if not cleaned.errors else None),
                values={}, errors=[CellError(e.field, e.value, e.text) for e in cleaned.errors])
        order_raw.setdefault("number", "")
        order = clean_order_row(order_raw, rules=context.rules)
        errors = client.errors + [CellError(e.field, e.value, e.text) for e in order.errors]
        number = order.values.get("number")
        values = {"client_key": client.key, "number": number,
                  "order": _json_ready({k: v for k, v in order.values.items()
                                        if k != "number"})}
        if self.with_clients:
            values["client"] = client.values
        # A base de cartera stages by client (rows of one client agree); orders by number.
        key = client.key if self.with_clients else number
        return CleanRow(key=key if client.key and number else None, values=values,
                        errors=errors)

    def after_staging(self, job, context) -> list:
        if not self.with_clients:
            return []
        return _repeated_order_numbers(job) + _disagreeing_clients(job)

    # --- preview ----------------------------------------------------------------------------

    def plan(self, job, context: Context) -> dict:
        plan = {"actions": _order_groups(job, context), "to_delete": 0, "scope_size": 0}
        if self.with_clients:
            routes: dict = {}
            plan["client_actions"] = client_groups(
                job, context, values_sql="""s."values"->'client'""", key_sql="s.key",
                only_sql="""AND (s."values"->>'client_first')::boolean""", routes=routes)
            if context.transfer:
                plan["transfer_mode"] = True
                plan["transfers"] = transfer_routes(job, context, routes)
            to_delete, scope_size = absent_clients(job, context, count_only=True)
            if job.options.get("mode") == "update_delete":
                plan["to_delete"] = to_delete
            plan["scope_size"] = scope_size
        return plan

    # --- writing ----------------------------------------------------------------------------

    def write_chunk(self, job, rows, context: Context) -> ChunkOutcome:
        outcome = ChunkOutcome(counts={"created": 0, "updated": 0, "unchanged": 0, "failed": 0})
        refused = set()
        if self.with_clients:
            client_rows = [(n, v["client_key"], v["client"]) for n, _k, v in rows
                           if v.get("client_first")]
            done = write_clients(job, client_rows, context)
            for name, value in done.counts.items():
                outcome.counts[f"clients_{name}"] = value
            refused = {number for number, _error in done.errors}
            outcome.errors.extend(done.errors)
        clients = _clients_by_key(job.project_id, {v["client_key"] for _n, _k, v in rows})
        orders = _lock_orders(job.project_id, [v["number"] for _n, _k, v in rows])
        creates, updates, touched = [], [], set()
        for number, _key, values in rows:
            if number in refused:
                outcome.counts["failed"] += 1
                continue
            message = None
            client = clients.get(values["client_key"])
            order = orders.get(values["number"])
            if client is None:
                message = _("No existe el cliente %(key)s: créelo antes (o importe una base de "
                            "cartera, que trae los datos del cliente).") % {
                                "key": values["client_key"]}
            elif client["deleted_at"] is not None:
                message = _("El cliente %(key)s está en la papelera: recupérelo antes de "
                            "cargarle órdenes.") % {"key": values["client_key"]}
            elif (context.scope_adviser_id is not None
                  and client["adviser_id"] != context.scope_adviser_id):
                message = _("El cliente %(key)s no es de la cartera de esta importación.") % {
                    "key": values["client_key"]}
            elif order is not None and order["client_id"] != client["id"]:
                message = _("La orden %(number)s pertenece a otro cliente (%(owner)s): no se "
                            "mueve de cliente.") % {"number": values["number"],
                                                    "owner": order["owner_key"]}
            if message:
                outcome.counts["failed"] += 1
                outcome.errors.append((number, CellError("", values["number"], message)))
                continue
            data = values["order"]
            if order is None:
                missing = [k for k in CREATE_NEEDS if not data.get(k)]
                if missing:
                    outcome.counts["failed"] += 1
                    outcome.errors.append((number, CellError(missing[0], "", _(
                        "%(label)s: es obligatorio para crear la orden %(number)s.") % {
                        "label": LABELS[missing[0]], "number": values["number"]})))
                    continue
                creates.append({"number": values["number"], "client_id": client["id"], **data})
                touched.add(client["id"])
                continue
            changes = {k: v for k, v in data.items() if _stored(order[k]) != v}
            if not changes:
                outcome.counts["unchanged"] += 1
                continue
            if order["updated_at"] > context.since:
                outcome.counts["failed"] += 1
                outcome.errors.append((number, CellError("", values["number"], _(
                    "La orden %(number)s se modificó el %(when)s, después de cargar este "
                    "archivo: no se sobrescribe con la fila del archivo.") % {
                    "number": values["number"],
                    "when": timezone.localtime(order["updated_at"]).strftime("%d/%m/%Y %H:%M"),
                })))
                continue
            updates.append({"id": order["id"], **changes})
            touched.add(client["id"])
        now = timezone.now()
        outcome.counts["created"] += _insert_orders(job, creates, now)
        outcome.counts["updated"] += _update_orders(job.project_id, updates, now)
        if touched:
            recompute_situations(project=job.project, client_ids=sorted(touched))
        return outcome

    def delete_absent(self, job, context: Context) -> int:
        if not self.with_clients:
            return 0
        return absent_clients(job, context, count_only=False)

    @property
    def written_tables(self) -> tuple[str, ...]:
        if self.with_clients:
            return ("clients_paymentorder", "clients_client")
        return ("clients_paymentorder",)

    def summary(self, counts: dict):
        if not self.with_clients:
            return job_message(
                gettext_lazy("Importación de órdenes de pago terminada: %(created)s creadas, "
                             "%(updated)s actualizadas, %(unchanged)s sin cambios, %(failed)s "
                             "con errores."),
                **{n: counts.get(n, 0) for n in ("created", "updated", "unchanged", "failed")})
        if counts.get("clients_transferred"):
            return job_message(
                gettext_lazy("Base de cartera importada. Clientes: %(cc)s creados, %(cu)s "
                             "actualizados, %(cr)s recuperados, %(ct)s transferidos con todo lo "
                             "vinculado, %(deleted)s a la papelera. Órdenes: %(created)s "
                             "creadas, %(updated)s actualizadas, %(unchanged)s sin cambios. "
                             "Filas con errores: %(failed)s."),
                cc=counts.get("clients_created", 0), cu=counts.get("clients_updated", 0),
                cr=counts.get("clients_restored", 0), ct=counts.get("clients_transferred", 0),
                deleted=counts.get("deleted", 0),
                **{n: counts.get(n, 0) for n in ("created", "updated", "unchanged", "failed")})
        return job_message(
            gettext_lazy("Base de cartera importada. Clientes: %(cc)s creados, %(cu)s "
                         "actualizados, %(cr)s recuperados, %(deleted)s a la papelera. Órdenes: "
                         "%(created)s creadas, %(updated)s actualizadas, %(unchanged)s sin "
                         "cambios. Filas con errores: %(failed)s."),
            cc=counts.get("clients_created", 0), cu=counts.get("clients_updated", 0),
            cr=counts.get("clients_restored", 0), deleted=counts.get("deleted", 0),
            **{n: counts.get(n, 0) for n in ("created", "updated", "unchanged", "failed")})


class PortfolioBaseImporter(PaymentOrderImporter):
    entity = "portfolio_base"
    job_kind = JobKind.CLIENT_IMPORT
    model_file_name = "reporte_modelo_base_de_cartera.xlsx"
    with_clients = True
    transfers_clients = True
    unique_key = False  # one client over several rows; order numbers checked after staging

    @property
    def label(self):
        return _("Base de cartera (clientes y órdenes de pago)")

    def fields(self, project):
        clients = client_fields(project)
        own = [f for f in clients if not f.key.startswith("extra.")]
        variables = [f for f in clients if f.key.startswith("extra.")]
        return own + order_fields(project) + variables


def _order_groups(job, context: Context) -> list[dict]:
    """What each staged row would do to its order, per action and the client's adviser."""
    groups: dict[tuple[str, int | None], dict] = {}
    rows = stream_rows(
        """
        SELECT s.row_number, s."values"->>'number', s."values"->>'client_key',
               s."values"->'order', (s."values"->'client'->>'adviser_id')::bigint,
               c.id, c.adviser_id, c.deleted_at IS NOT NULL, o.client_id
        FROM imports_stagedrow s
        LEFT JOIN clients_client c
          ON c.project_id = s.project_id
         AND c.document_type = split_part(s."values"->>'client_key', ' ', 1)
         AND c.document_number = substr(s."values"->>'client_key',
                                        strpos(s."values"->>'client_key', ' ') + 1)
        LEFT JOIN clients_paymentorder o
          ON o.project_id = s.project_id AND o.number = s."values"->>'number'
        WHERE s.project_id = %s AND s.job_id = %s AND NOT s.failed
        ORDER BY s.row_number
        """,
        [job.project_id, job.pk],
    )
    for (number, order_number, client_key, data, row_adviser, client_id, adviser_id,
         deleted, owner_id) in rows:
        data = json.loads(data) if isinstance(data, str) else (data or {})
        adviser = row_adviser if row_adviser is not None else adviser_id
        if client_id is None and not job.options.get("entity") == "portfolio_base":
            action = "no_client"
        elif deleted and not job.options.get("entity") == "portfolio_base":
            action = "no_client"
        elif owner_id is None:
            action = "create" if all(data.get(k) for k in CREATE_NEEDS) else "incomplete"
        elif client_id is not None and owner_id != client_id:
            action = "other_client"
        else:
            action = "update"
        group = groups.setdefault((action, adviser), {"count": 0, "samples": []})
        group["count"] += 1
        if len(group["samples"]) < 3:
            group["samples"].append({"row": number, "key": order_number,
                                     "name": client_key})
    return [
        {"action": action, "adviser_id": adviser_id,
         "adviser": member_label(context.members.get(adviser_id)), **group}
        for (action, adviser_id), group in sorted(
            groups.items(), key=lambda item: (item[0][0], -item[1]["count"]))
    ]


def _stored(value):
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    if isinstance(value, date):
        return value.isoformat()
    return value


def _clients_by_key(project_id: int, keys) -> dict:
    keys = [k for k in keys if k]
    types = [k.partition(" ")[0] for k in keys]
    numbers = [k.partition(" ")[2] for k in keys]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.document_type || ' ' || c.document_number, c.id, c.adviser_id, c.deleted_at
            FROM clients_client c
            JOIN unnest(%s::text[], %s::text[]) AS k(document_type, document_number)
              ON c.document_type = k.document_type AND c.document_number = k.document_number
            WHERE c.project_id = %s
            """,
            [types, numbers, project_id],
        )
        return {key: {"id": pk, "adviser_id": adviser, "deleted_at": deleted}
                for key, pk, adviser, deleted in cursor.fetchall()}


def _lock_orders(project_id: int, numbers: list[str]) -> dict:
    columns = ", ".join(f"o.{name}" for name in ORDER_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT o.number, o.id, o.client_id, o.updated_at,
                   c.document_type || ' ' || c.document_number AS owner_key, {columns}
            FROM clients_paymentorder o
            JOIN clients_client c ON c.project_id = o.project_id AND c.id = o.client_id
            WHERE o.project_id = %s AND o.number = ANY(%s)
            ORDER BY o.id
            FOR UPDATE OF o
            """,
            [project_id, numbers],
        )
        names = [d.name for d in cursor.description]
        return {row[0]: dict(zip(names, row)) for row in cursor.fetchall()}


def _insert_orders(job, creates: list, now) -> int:
    if not creates:
        return 0
    project = job.project
    records = [{"kind": PaymentOrderKind.INVOICE.value, "interest": "0", "discounts": "0",
                "payments": "0", "currency": project.currency, "issued_on": None, **c}
               for c in creates]
    typed = ", ".join(f"{name} {sql_type}" for name, sql_type in ORDER_COLUMNS.items())
    names = ", ".join(ORDER_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO clients_paymentorder (project_id, client_id, number, status, created_at,
                updated_at, {names})
            SELECT %s, x.client_id, x.number, 'pending', %s, %s,
                   {", ".join("x." + n for n in ORDER_COLUMNS)}
            FROM jsonb_to_recordset(%s::jsonb) AS x(client_id bigint, number text, {typed})
            ON CONFLICT (project_id, number) DO NOTHING
            """,
            [job.project_id, now, now, json.dumps(records)],
        )
        return cursor.rowcount


def _update_orders(project_id: int, updates: list, now) -> int:
    if not updates:
        return 0
    typed = ", ".join(f"{name} {sql_type}" for name, sql_type in ORDER_COLUMNS.items())
    sets = ", ".join(f"{name} = COALESCE(x.{name}, o.{name})" for name in ORDER_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE clients_paymentorder o SET {sets}, updated_at = %s
            FROM jsonb_to_recordset(%s::jsonb) AS x(id bigint, {typed})
            WHERE o.project_id = %s AND o.id = x.id
            """,
            [now, json.dumps(updates), project_id],
        )
        return cursor.rowcount


def _repeated_order_numbers(job) -> list:
    """A base de cartera is staged by client: an order number twice is found here."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT row_number, number, first FROM (
                SELECT row_number, "values"->>'number' AS number,
                       min(row_number) OVER (PARTITION BY "values"->>'number') AS first
                FROM imports_stagedrow
                WHERE project_id = %s AND job_id = %s AND NOT failed
            ) AS w WHERE row_number > first
            """,
            [job.project_id, job.pk],
        )
        return [(number, "number", order, _(
            "La orden %(number)s ya aparece en la fila %(first)s del archivo; cada orden va una "
            "sola vez.") % {"number": order, "first": first})
            for number, order, first in cursor.fetchall()]


def _disagreeing_clients(job) -> list:
    """Rows whose client columns differ from the client's first row; the first rows are marked."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH firsts AS (
                SELECT DISTINCT ON (key) key, row_number, "values"->'client' AS client
                FROM imports_stagedrow
                WHERE project_id = %s AND job_id = %s AND NOT failed
                ORDER BY key, row_number
            )
            UPDATE imports_stagedrow s
            SET "values" = jsonb_set(s."values", '{client_first}', 'true')
            FROM firsts f
            WHERE s.project_id = %s AND s.job_id = %s AND s.row_number = f.row_number
            """,
            [job.project_id, job.pk, job.project_id, job.pk],
        )
        cursor.execute(
            """
            WITH firsts AS (
                SELECT key, row_number, "values"->'client' AS client
                FROM imports_stagedrow
                WHERE project_id = %s AND job_id = %s AND NOT failed
                  AND ("values"->>'client_first')::boolean
            )
            SELECT s.row_number, s.key, s."values"->'client', f.row_number, f.client
            FROM imports_stagedrow s JOIN firsts f ON f.key = s.key
            WHERE s.project_id = %s AND s.job_id = %s AND NOT s.failed
              AND s.row_number <> f.row_number AND s."values"->'client' <> f.client
            """,
            [job.project_id, job.pk, job.project_id, job.pk],
        )
        rows = cursor.fetchall()
    rejected = []
    for number, key, client, first_row, first in rows:
        client = json.loads(client) if isinstance(client, str) else client
        first = json.loads(first) if isinstance(first, str) else first
        field = next((k for k in sorted(set(client) | set(first))
                      if client.get(k) != first.get(k)), "")
        column = {"segment_id": "segment", "adviser_id": "adviser_code",
                  "supervisor_id": "supervisor_code"}.get(field, field)
        rejected.append((number, column, str(client.get(field, "")), _(
            "Los datos del cliente %(key)s no coinciden con su fila %(first)s en la columna "
            "%(column)s: un cliente repetido en varias filas debe tener los mismos datos.") % {
            "key": key, "first": first_row,
            "column": str(LABELS.get(column, column))}))
    return rejected
