"""What a file really is, from its bytes, and whether it is safe to hand to a reader.

The extension is never trusted: a PDF renamed `.xlsx` is recognised by its magic
bytes. Zip containers (XLSX, ODS) are checked before anything decompresses them:
declared sizes and compression ratios (a compression bomb), and every XML part's
prolog (no DTD, so no entity can be declared, let alone resolved: defusedxml is
not installed, and this check does not depend on the reader's parser).
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .errors import ImportFileError

XLSX, XLSB, XLS, ODS, CSV = "xlsx", "xlsb", "xls", "ods", "csv"
SPREADSHEETS = (XLSX, XLSB, XLS, ODS)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

# Other things people upload by mistake, named in the message so they know what they sent.
KNOWN_BINARIES = (
    (b"%PDF", "PDF"),
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"Rar!", "RAR"),
    (b"7z\xbc\xaf", "7-Zip"),
    (b"\x1f\x8b", "GZIP"),
)


@dataclass(frozen=True)
class ZipLimits:
    """Ceilings for a zip container, checked on the declared sizes before extraction.

    A real XLSX sheet compresses 5-30x; a bomb compresses hundreds or thousands of times.
    The ratio only applies to parts big enough to matter.
    """

    max_uncompressed_bytes: int = 4 * 1024**3
    max_ratio: int = 200
    ratio_applies_from: int = 1024**2
    max_members: int = 10_000
    prolog_bytes: int = 64 * 1024


def fail(code: str, file_name: str, message: str, **where) -> ImportFileError:
    return ImportFileError(message, code=code, file_name=file_name, **where)


def detect_format(path, *, file_name: str, max_bytes: int,
                  zip_limits: ZipLimits = ZipLimits()) -> str:
    """Return XLSX, XLSB, XLS, ODS or CSV, or raise ImportFileError.

    Steps: size limit and emptiness; magic bytes; for zips, the container's kind,
    its encryption, its sizes and its XML prologs; for OLE files, encryption
    (an encrypted XLSX is an OLE file holding an `EncryptedPackage` stream) or
    a legacy workbook; anything else must look like text.
    """
    size = os.path.getsize(path)
    if size > max_bytes:
        raise fail("too_large", file_name, _(
            "El archivo «%(file)s» pesa %(size)s MB y el máximo permitido es %(max)s MB. "
            "Divídalo en varios archivos.") % {
                "file": file_name, "size": _megabytes(size), "max": _megabytes(max_bytes)})
    if size == 0:
        raise fail("empty", file_name, _("El archivo «%(file)s» está vacío.") % {"file": file_name})
    with open(path, "rb") as handle:
        head = handle.read(8192)
    if head.startswith(ZIP_MAGICS):
        return _check_zip(path, file_name, zip_limits)
    if head.startswith(OLE_MAGIC):
        return _check_ole(path, file_name)
    for magic, kind in KNOWN_BINARIES:
        if head.startswith(magic):
            raise _wrong_type(file_name, kind)
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _wrong_type(file_name, None)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<html", b"<!doctype", b"<?xml", b"<table")):
        # Web applications often save an HTML table as ".xls".
        raise _wrong_type(file_name, "HTML/XML")
    return CSV


def _megabytes(size: int) -> str:
    return f"{size / 1024**2:.1f}".rstrip("0").rstrip(".")


def _wrong_type(file_name: str, kind: str | None) -> ImportFileError:
    if kind:
        message = _("El archivo «%(file)s» no es una hoja de cálculo ni un CSV (parece un "
                    "archivo %(kind)s). Suba un archivo XLSX, XLS, ODS o CSV.") % {
                        "file": file_name, "kind": kind}
    else:
        message = _("El archivo «%(file)s» no es una hoja de cálculo ni un CSV. Suba un "
                    "archivo XLSX, XLS, ODS o CSV.") % {"file": file_name}
    return fail("wrong_type", file_name, message)


def corrupt(file_name: str) -> ImportFileError:
    return fail("corrupt", file_name, _(
        "El archivo «%(file)s» está dañado o incompleto y no se puede leer. Ábralo en su "
        "programa de hojas de cálculo, guárdelo de nuevo y vuelva a subirlo.")
        % {"file": file_name})


def encrypted(file_name: str) -> ImportFileError:
    return fail("encrypted", file_name, _(
        "El archivo «%(file)s» está protegido con contraseña. Guárdelo sin contraseña y "
        "vuelva a subirlo.") % {"file": file_name})


def _check_ole(path, file_name: str) -> str:
    """An OLE compound file: an encrypted OOXML workbook, a legacy XLS, or something else.

    Directory entry names are UTF-16LE; the directory may sit anywhere in the
    file, so the whole file is scanned (in chunks, at memory speed).
    """
    names = {
        "encrypted": ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le")),
        "workbook": ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le")),
        "other": ("WordDocument".encode("utf-16-le"), "PowerPoint Document".encode("utf-16-le")),
    }
    found = set()
    overlap = 64
    with open(path, "rb") as handle:
        tail = b""
        while chunk := handle.read(4 * 1024**2):
            window = tail + chunk
            for key, needles in names.items():
                if any(needle in window for needle in needles):
                    found.add(key)
            tail = window[-overlap:]
    if "encrypted" in found:
        raise encrypted(file_name)
    if "workbook" in found:
        return XLS
    if "other" in found:
        raise _wrong_type(file_name, "Word/PowerPoint")
    # The directory usually sits at the end: a cut-off upload has none left.
    raise corrupt(file_name)


def _check_zip(path, file_name: str, limits: ZipLimits) -> str:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise corrupt(file_name) from None
    with archive:
        members = archive.infolist()
        names = {member.filename for member in members}
        if "xl/workbook.xml" in names:
            kind = XLSX
        elif "xl/workbook.bin" in names:
            kind = XLSB
        elif "mimetype" in names or "content.xml" in names:
            try:
                mimetype = archive.read("mimetype").strip() if "mimetype" in names else b""
            except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
                raise corrupt(file_name) from None
            if mimetype and mimetype != ODS_MIMETYPE:
                raise _wrong_type(file_name, "OpenDocument")
            kind = ODS
        elif "word/document.xml" in names:
            raise _wrong_type(file_name, "Word")
        elif not members:
            raise fail("empty", file_name,
                       _("El archivo «%(file)s» está vacío.") % {"file": file_name})
        else:
            raise _wrong_type(file_name, "ZIP")
        _check_sizes(members, file_name, limits, os.path.getsize(path))
        if kind == ODS and "META-INF/manifest.xml" in names:
            manifest = _read_head(archive, archive.getinfo("META-INF/manifest.xml"), file_name,
                                  limits.prolog_bytes)
            if b"encryption-data" in manifest:
                raise encrypted(file_name)
        for member in members:
            if member.filename.endswith((".xml", ".rels")):
                _check_prolog(_read_head(archive, member, file_name, limits.prolog_bytes),
                              member, file_name)
    return kind


def _check_sizes(members, file_name: str, limits: ZipLimits, file_size: int) -> None:
    if len(members) > limits.max_members:
        raise _bomb(file_name)
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            # A zip with an encrypted part: no spreadsheet program writes one.
            raise encrypted(file_name)
        total += member.file_size
        if member.compress_size > file_size:
            raise corrupt(file_name)
        if member.file_size >= limits.ratio_applies_from and (
                member.file_size > limits.max_ratio * max(member.compress_size, 1)):
            raise _bomb(file_name)
    if total > limits.max_uncompressed_bytes:
        raise _bomb(file_name)


def _bomb(file_name: str) -> ImportFileError:
    return fail("bomb", file_name, _(
        "El archivo «%(file)s» se expande a un tamaño desproporcionado al descomprimirlo y no "
        "se procesará. Si es una hoja de cálculo legítima, guárdela como CSV y súbala de "
        "nuevo.") % {"file": file_name})


def _read_head(archive: zipfile.ZipFile, member: zipfile.ZipInfo, file_name: str,
               limit: int) -> bytes:
    try:
        with archive.open(member) as part:
            return part.read(limit)
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, EOFError):
        raise corrupt(file_name) from None
    except NotImplementedError:  # an unsupported compression method
        raise corrupt(file_name) from None


def _check_prolog(head: bytes, member: zipfile.ZipInfo, file_name: str) -> None:
    """Reject an XML part whose prolog holds a DTD (`<!DOCTYPE`, hence `<!ENTITY`).

    A DTD can only appear before the root element, so reading up to the root's
    start tag is complete; a prolog longer than `head` is rejected as well.
    """
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="replace")
    else:
        text = head.decode("latin-1")
    folded = text.lower()
    if "<!doctype" in folded or "<!entity" in folded:
        raise _entities(file_name, member.filename)
    position = 0
    text = text.lstrip("\ufeff")
    while True:
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        if position >= len(text):
            if len(head) == 0:
                return  # an empty part: the reader will judge it
            raise _entities(file_name, member.filename)
        if text.startswith("<?", position):
            end = text.find("?>", position)
        elif text.startswith("<!--", position):
            end = text.find("-->", position)
        elif text.startswith("<!", position):
            raise _entities(file_name, member.filename)
        else:
            return  # the root element (or text the reader will reject as corrupt)
        if end < 0:
            raise _entities(file_name, member.filename)
        position = end + 2


def _entities(file_name: str, part: str) -> ImportFileError:
    return fail("xml_entities", file_name, _(
        "El archivo «%(file)s» contiene declaraciones XML no permitidas (DTD o entidades "
        "externas en «%(part)s») y no se procesará. Ábralo en su programa de hojas de cálculo, "
        "guárdelo de nuevo y vuelva a subirlo.") % {"file": file_name, "part": part})
