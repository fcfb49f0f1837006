"""Agregar desde archivo: a list of document numbers (CSV, XLSX, XLS, ODS) into a portfolio.

The file needs a column of document numbers titled "Documento" (or "Número de
documento", "Identificación", "Cédula"…; a file of one column may call it anything),
and may have a "Tipo de documento" column (CC, NIT…) for numbers two clients share.

How it runs, set-based (never a query per row):

1. The rows are read by `moonflow.imports.reading.open_table` (encodings, delimiters,
   spreadsheets, row numbers as the program shows them) and cleaned in Python: each
   number becomes the search terms that find it (`clients.search.document_term`, and a
   NIT typed with its verification digit also as the NIT without it); a row with no
   number or a type that is not one is marked with its error. The rows go into a
   temporary staging table with COPY.
2. The staged rows are matched MATCH_BATCH at a time, one statement each, through the
   clients' search-terms index (its "#<document>" terms: an index range per row, the
   whole book never read): the number of visible matching clients, the one it is, and
   whether it is in the Papelera. The batch's terms go to the server as arrays, not as
   a join with the staging table: on Citus a coordinator's temporary table cannot be
   joined with the distributed clients, while arrays travel with the statement to the
   project's shard (docs/distribution.md).
3. One `INSERT … SELECT … FROM unnest(…) ON CONFLICT DO NOTHING` per batch adds the clients
   found.
4. The rows that were not added are read back in file order for the error report
   (Fila | Columna | Valor | Detalle del error).

A client the member does not see reads as not found, exactly like a number no client
has: the file tells nothing about clients out of the member's sight.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from clients.search import DOCUMENT, TERMS, document_term, fold
from clients.validation.fields import FieldError, clean_document_type, nit_check_digit
from clients.visibility import client_visibility_q, sees_whole_book
from moonflow.imports.reading import ImportFileError, open_table
from moonflow.text import shorten

from .models import Portfolio, PortfolioClient

# Headers that name the document column (folded, letters and digits only).
DOCUMENT_HEADERS = {
    "documento", "numerodedocumento", "numerodocumento", "nrodocumento", "nrodedocumento",
    "nodocumento", "nodedocumento", "ndocumento", "numdocumento", "documentonumero",
    "identificacion", "numerodeidentificacion", "nroidentificacion", "cedula", "nit", "rut",
    "dni", "cuit", "documentodeidentidad", "document", "documentnumber", "id",
}
TYPE_HEADERS = {"tipodedocumento", "tipodocumento", "tipo", "tipodoc", "documenttype"}

STAGING_COLUMNS = "row_number, document, document_type, type_value, terms, error_column, error"


def _header_key(header: str) -> str:
    return re.sub(r"[^0-9a-z]", "", fold(header or ""))


@dataclass
class Columns:
    document: str
    document_type: str | None


def find_columns(headers: list[str], *, file_name: str) -> Columns:
    """The document column (and the type column, when there is one), or ImportFileError
    naming what the file has."""
    named = [h for h in headers if h]
    document = next((h for h in named if _header_key(h) in DOCUMENT_HEADERS), None)
    document_type = next((h for h in named if _header_key(h) in TYPE_HEADERS), None)
    if document is None and len(named) == 1:
        document = named[0]
    if document is None:
        raise ImportFileError(
            _("El archivo «%(file)s» no tiene una columna de documentos: sus columnas son "
              "%(columns)s. Ponga los números de documento en una columna titulada "
              "«Documento» (y, si quiere, el tipo en «Tipo de documento»).")
            % {"file": file_name, "columns": ", ".join(f"«{shorten(h, 40)}»" for h in named)},
            code="no_document_column", file_name=file_name,
        )
    return Columns(document, document_type)


def clean_row(number: int, values: dict, columns: Columns) -> tuple:
    """One staging row: (row, document, type code, type as typed, terms, error column, error)."""
    document = values.get(columns.document, "")
    typed = values.get(columns.document_type, "") if columns.document_type else ""
    code = ""
    if typed:
        try:
            code = clean_document_type(typed)
        except FieldError as error:
            return (number, document, "", typed, [], columns.document_type, error.text)
    if not document:
        return (number, document, code, typed, [], columns.document,
                _("Falta el número de documento."))
    term = document_term(document)
    if not term:
        return (number, document, code, typed, [], columns.document,
                _("«%(value)s» no es un número de documento: no tiene letras ni dígitos.")
                % {"value": shorten(document, 40)})
    terms = [DOCUMENT + term]
    if code in ("", "NIT") and _nit_with_check_digit(document, term):
        # A NIT as people write it ("900.123.456-8") is stored without its digit.
        terms.append(DOCUMENT + term[:-1])
    return (number, document, code, typed, terms, "", "")


def _nit_with_check_digit(typed: str, term: str) -> bool:
    return ("-" in typed and term.isdigit() and len(term) >= 6
            and nit_check_digit(term[:-1]) == term[-1])


@dataclass
class FileResult:
    rows: int
    added: int
    already: int
    failed: int


def _visible_condition(member) -> tuple[str, list]:
    """The member's visibility as SQL over the clients table aliased `c` ("" for the whole
    book): the same rule as every list (`clients.visibility`)."""
    if sees_whole_book(member):
        return "", []
    from clients.models import Client

    visible = Client.objects.filter(project_id=member.project_id).filter(
        client_visibility_q(member)).values("id")
    sql, params = visible.query.sql_with_params()
    return f" AND c.id IN ({sql})", list(params)


def add_from_file(*, member, portfolio: Portfolio, path: str, file_name: str, work_dir: str,
                  report, progress=None) -> FileResult:
    """Read the file, stage it, match, add; returns the counts.

    `report(errors)` is called with the rows not added, (row, column, value, message) in
    file order, streamed, when there are any. Runs inside the caller's transaction (the
    staging table drops at its commit).
    """
    table = open_table(path, file_name=file_name, max_bytes=settings.IMPORT_MAX_BYTES,
                       max_rows=settings.IMPORT_MAX_ROWS, work_dir=work_dir)
    with table, connection.cursor() as cursor:
        columns = find_columns(table.headers, file_name=file_name)
        cursor.execute(
            "CREATE TEMP TABLE portfolio_file_rows (row_number integer PRIMARY KEY, "
            "document text, document_type text, type_value text, terms text[], "
            "error_column text, error text, client_id bigint, matches integer, "
            "binned boolean) ON COMMIT DROP"
        )
        rows = 0
        with cursor.cursor.copy(
            f"COPY portfolio_file_rows ({STAGING_COLUMNS}) FROM STDIN"
        ) as copy:
            for row in table.rows():
                copy.write_row(clean_row(row.number, row.values, columns))
                rows += 1
                if progress is not None and rows % 5000 == 0:
                    progress(rows)
        cursor.execute("ANALYZE portfolio_file_rows")
        added = 0
        for batch in _staged_batches(cursor):
            matches = _match(cursor, member, batch)
            added += _add(cursor, member, portfolio, matches)
        cursor.execute("SELECT count(*) FILTER (WHERE matches = 1 AND NOT binned), count(*) "
                       "FROM portfolio_file_rows")
        good, staged = cursor.fetchone()
        if staged > good:
            # Streamed from a server-side cursor in this transaction: a file that failed
            # wholesale is never held in memory.
            with connection.connection.cursor(name="portfolio_file_errors") as named:
                named.itersize = 2000
                named.execute(
                    "SELECT row_number, error_column, error, document, type_value, matches, "
                    "binned FROM portfolio_file_rows "
                    "WHERE NOT (coalesce(matches, 0) = 1 AND coalesce(NOT binned, false)) "
                    "ORDER BY row_number"
                )
                report(_error(columns, *row) for row in named)
    if progress is not None:
        progress(rows)
    return FileResult(rows=rows, added=added, already=good - added, failed=staged - good)


MATCH_BATCH = 10_000


def _staged_batches(cursor):
    """The staged rows without an error, (row number, document type, terms) each, in
    batches of MATCH_BATCH in file order."""
    last = 0
    while True:
        cursor.execute("SELECT row_number, document_type, terms FROM portfolio_file_rows "
                       "WHERE error = '' AND row_number > %s ORDER BY row_number LIMIT %s",
                       [last, MATCH_BATCH])
        batch = cursor.fetchall()
        if not batch:
            return
        last = batch[-1][0]
        yield batch


def _match(cursor, member, batch) -> list[tuple]:
    """Each row's visible matches through the "#<document>" terms of the search index,
    recorded on the staging table; returns (row, matches, client, binned) of the rows
    that matched."""
    numbers, types, terms = [], [], []
    for number, document_type, row_terms in batch:
        for term in row_terms or ():
            numbers.append(number)
            types.append(document_type)
            terms.append(term)
    if not numbers:
        return []
    visible, visible_params = _visible_condition(member)
    cursor.execute(
        "SELECT k.row_number, count(DISTINCT c.id), min(c.id), bool_or(c.deleted_at IS NOT NULL)"
        " FROM unnest(%s::integer[], %s::text[], %s::text[]) AS k(row_number, term, document_type)"
        f" JOIN {TERMS} t ON t.project_id = %s AND t.term = k.term"
        " JOIN clients_client c ON c.project_id = t.project_id AND c.id = t.client_id"
        " WHERE (k.document_type = '' OR c.document_type = k.document_type)"
        f"{visible}"
        " GROUP BY k.row_number",
        [numbers, terms, types, member.project_id, *visible_params],
    )
    found = cursor.fetchall()
    if found:
        cursor.execute(
            "UPDATE portfolio_file_rows s SET matches = m.n, client_id = m.client_id, "
            "binned = m.binned FROM unnest(%s::integer[], %s::integer[], %s::bigint[], "
            "%s::boolean[]) AS m(row_number, n, client_id, binned) "
            "WHERE s.row_number = m.row_number",
            [list(column) for column in zip(*found, strict=True)],
        )
    return found


def _add(cursor, member, portfolio: Portfolio, matches: list[tuple]) -> int:
    """Add the clients that rows named alone and outside the Papelera; returns how many
    were not in the portfolio yet."""
    clients = sorted({client for _row, n, client, binned in matches if n == 1 and not binned})
    if not clients:
        return 0
    cursor.execute(
        f"INSERT INTO {PortfolioClient._meta.db_table} (project_id, portfolio_id, client_id,"
        " added_at, added_by_id)"
        " SELECT %s, %s, client_id, now(), %s FROM unnest(%s::bigint[]) AS k(client_id)"
        " ON CONFLICT (project_id, portfolio_id, client_id) DO NOTHING RETURNING 1",
        [portfolio.project_id, portfolio.pk, member.user_id, clients],
    )
    # The rows returned, not the row count: Citus counts what it sent to the shard.
    return len(cursor.fetchall())


def _error(columns: Columns, number, error_column, error, document, typed, matches, binned):
    if error:
        value = typed if error_column == columns.document_type else document
        return (number, error_column, value, error)
    if not matches:
        message = _("No hay un cliente con el documento «%(document)s»%(type)s entre los "
                    "clientes que usted ve.") % {
            "document": shorten(document, 40),
            "type": f" ({typed})" if typed else "",
        }
    elif matches > 1:
        message = _("El documento «%(document)s» es de %(count)s clientes con distinto tipo de "
                    "documento: indique el tipo en la columna «Tipo de documento».") % {
            "document": shorten(document, 40), "count": matches}
    else:
        message = _("El cliente con el documento «%(document)s» está en la Papelera: "
                    "recupérelo antes de agregarlo a la cartera.") % {
            "document": shorten(document, 40)}
    return (number, columns.document, document, message)
