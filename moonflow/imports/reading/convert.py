"""Spreadsheets (XLSX, XLS, ODS) → a temporary UTF-8 CSV, parsed in a short-lived child.

The fast reader (python-calamine) holds the whole sheet in memory; running it
in a child process keeps that memory out of the long-lived worker, which then
streams the CSV like any uploaded CSV. See `convert_child.py` for how cells
become text.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from .sniff import corrupt, encrypted, fail

CHILD = Path(__file__).with_name("convert_child.py")


@dataclass(frozen=True)
class Conversion:
    path: str  # the CSV; the caller deletes it
    rows: int  # CSV records written (sheet rows from row 1)
    seconds: float
    peak_rss_mb: float  # the child's own peak


def convert_to_csv(path, *, file_name: str, work_dir: str | None = None,
                   max_memory_bytes: int = 3 * 1024**3, timeout: float = 1800) -> Conversion:
    """Convert the first visible worksheet of `path` into a CSV in a child process.

    Raises ImportFileError for an encrypted, corrupt or sheetless workbook, or one
    that needs more memory or time than allowed. The CSV is deleted on failure.
    """
    handle, target = tempfile.mkstemp(prefix="moonflow-import-", suffix=".csv", dir=work_dir)
    os.close(handle)
    try:
        completed = subprocess.run(
            [sys.executable, str(CHILD), os.fspath(path), target, str(max_memory_bytes)],
            capture_output=True, timeout=timeout, check=False,
        )
    except subprocess.TimeoutExpired:
        os.unlink(target)
        raise _too_heavy(file_name) from None
    report = _last_json(completed.stdout)
    if completed.returncode != 0 or "rows" not in report:
        os.unlink(target)
        code = report.get("error")
        if code == "encrypted":
            raise encrypted(file_name)
        if code == "no_sheet":
            raise fail("no_sheet", file_name, _(
                "El archivo «%(file)s» no tiene ninguna hoja visible con datos.")
                % {"file": file_name})
        if code == "memory" or completed.returncode < 0:
            # Killed or aborted (an allocation refused under the memory ceiling).
            raise _too_heavy(file_name)
        raise corrupt(file_name)
    return Conversion(path=target, rows=report["rows"], seconds=report["seconds"],
                      peak_rss_mb=report["peak_rss_mb"])


def _last_json(output: bytes) -> dict:
    for line in reversed(output.decode("utf-8", errors="replace").splitlines()):
        try:
            return json.loads(line)
        except ValueError:
            continue
    return {}


def _too_heavy(file_name: str):
    return fail("too_heavy", file_name, _(
        "El archivo «%(file)s» es demasiado pesado para leerlo como hoja de cálculo. "
        "Guárdelo como CSV y súbalo de nuevo.") % {"file": file_name})
