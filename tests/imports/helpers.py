"""Building the files a test needs (spreadsheets, hostile zips, an encrypted workbook)."""

import io
import struct
import zipfile
from pathlib import Path

import xlsxwriter

from moonflow.imports.reading import open_table

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MB = 1024**2


def read_all(path, *, max_bytes=10 * MB, max_rows=1000, **options):
    """(table attributes, [(row number, values, extra)]) of a file opened with open_table."""
    with open_table(path, max_bytes=max_bytes, max_rows=max_rows, **options) as table:
        rows = [(row.number, row.values, row.extra) for row in table.rows()]
        return table, rows


def write_xlsx(path, rows, *, start_row=0, start_col=0):
    """rows of Python values; each cell written with xlsxwriter's typed writer."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Datos")
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    stamp_format = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            where = (start_row + r, start_col + c)
            if value is None:
                continue
            if isinstance(value, bool):
                sheet.write_boolean(*where, value)
            elif hasattr(value, "hour"):
                sheet.write_datetime(*where, value, stamp_format)
            elif hasattr(value, "year"):
                sheet.write_datetime(*where, value, date_format)
            elif isinstance(value, (int, float)):
                sheet.write_number(*where, value)
            else:
                sheet.write_string(*where, value)
    workbook.close()
    return path


def rewrite_zip(source, target, change):
    """Copy a zip, passing each part's (name, bytes) through `change` → bytes."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, change(info.filename, old.read(info.filename)))
    return target


def encrypted_ooxml(path):
    """A compound file (CFB) as Excel writes a password-protected XLSX: the streams
    `EncryptionInfo` and `EncryptedPackage` (empty here) beside the root entry."""
    return compound_file(path, ["EncryptionInfo", "EncryptedPackage"])


def compound_file(path, streams):
    """A minimal valid CFB (OLE) file holding empty streams with these names."""
    sector = 512
    free, end, fat_sector = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    header = bytearray(sector)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<I", header, 0x2C, 1)  # one FAT sector
    struct.pack_into("<I", header, 0x30, 1)  # the directory starts at sector 1
    struct.pack_into("<I", header, 0x38, 4096)  # mini stream cutoff
    struct.pack_into("<III", header, 0x3C, end, 0, end)  # no mini FAT, no DIFAT sectors
    struct.pack_into("<I", header, 0x4C, 0)  # DIFAT[0] = FAT at sector 0
    for index in range(1, 109):
        struct.pack_into("<I", header, 0x4C + 4 * index, free)
    fat = bytearray(struct.pack("<II", fat_sector, end) + b"\xff" * (sector - 8))

    def entry(name, kind, child=0xFFFFFFFF, right=0xFFFFFFFF):
        raw = bytearray(128)
        encoded = (name + "\0").encode("utf-16-le")
        raw[0:len(encoded)] = encoded
        struct.pack_into("<HBB", raw, 64, len(encoded), kind, 1)
        struct.pack_into("<III", raw, 68, 0xFFFFFFFF, right, child)
        struct.pack_into("<II", raw, 116, end, 0)
        return bytes(raw)

    entries = [entry(name, 2, right=index + 2 if index + 1 < len(streams) else 0xFFFFFFFF)
               for index, name in enumerate(streams)]
    directory = b"".join([entry("Root Entry", 5, child=1), *entries])
    directory += bytes(-len(directory) % sector)
    Path(path).write_bytes(bytes(header) + bytes(fat) + directory)
    return path


def zip_bytes(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def job_after_upload(response):
    """The import job an upload POST redirected to, with a spreadsheet's READ phase (converting
    it and proposing the mapping: a worker's job) run here first."""
    from moonflow.imports.tasks import import_task
    from moonflow.jobs.models import ProcessJob

    assert response.status_code == 302, response.content.decode()[:2000]
    job = ProcessJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-2]))
    if job.options.get("phase") == "read":
        import_task(job.pk)
        job.refresh_from_db()
    return job
