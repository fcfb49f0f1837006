"""Reading an uploaded file (XLSX, XLS, ODS, CSV/TXT) into rows of text.

    with open_table(path, file_name="clientes.xlsx", max_bytes=..., max_rows=...) as table:
        table.headers, table.header_row, table.total_rows
        for row in table.rows():
            row.number, row.values["Documento"], row.extra

Every check happens in `open_table()`; errors are `ImportFileError` with a
Spanish message naming the file. See `table.py` for the rules (encoding,
delimiter, header row) and `convert_child.py` for how spreadsheet cells become text.
"""

from .errors import ImportFileError
from .sniff import ZipLimits
from .table import Row, Table, column_letter, open_converted, open_table

__all__ = ["ImportFileError", "Row", "Table", "ZipLimits", "column_letter", "open_converted",
           "open_table"]
