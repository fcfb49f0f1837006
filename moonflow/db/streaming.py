"""Reading a large result a batch at a time.

Django's `connection.cursor()` is a client-side cursor: psycopg fetches the whole
result at `execute`, so `fetchmany` only slices what is already in memory. A
million staged rows read that way hold hundreds of megabytes; a server-side
cursor holds one batch.
"""

from django.db import connection

BATCH_ROWS = 5_000


def stream_rows(sql: str, params, *, batch: int = BATCH_ROWS):
    """Yield the rows of `sql` from a server-side cursor, `batch` rows at a time."""
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(batch):
            yield from rows
