"""The one error a file can raise while it is opened or read."""

from __future__ import annotations


class ImportFileError(Exception):
    """A file that cannot be imported, with a Spanish message for its user.

    `message` is complete and names the file (and, where it applies, the row,
    the column and the value, also kept as attributes for the error report).
    `code` is a stable machine name for tests and logs ("too_large",
    "encrypted", "wrong_type"...).
    """

    def __init__(self, message: str, *, code: str, file_name: str, row: int | None = None,
                 column: str | None = None, value: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.file_name = file_name
        self.row = row
        self.column = column
        self.value = value

    def __str__(self) -> str:
        return self.message
