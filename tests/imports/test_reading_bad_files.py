"""Bad files fail in open_table(), before any row is handed out, with a clear message."""

import zipfile

import pytest

from moonflow.imports.reading import ImportFileError, ZipLimits

from .helpers import (
    FIXTURES,
    MB,
    compound_file,
    encrypted_ooxml,
    read_all,
    rewrite_zip,
    write_xlsx,
    zip_bytes,
)

CORRUPT = ("El archivo «{}» está dañado o incompleto y no se puede leer. Ábralo en su programa "
           "de hojas de cálculo, guárdelo de nuevo y vuelva a subirlo.")
ENCRYPTED = ("El archivo «{}» está protegido con contraseña. Guárdelo sin contraseña y vuelva a "
             "subirlo.")
BOMB = ("El archivo «{}» se expande a un tamaño desproporcionado al descomprimirlo y no se "
        "procesará. Si es una hoja de cálculo legítima, guárdela como CSV y súbala de nuevo.")
ENTITIES = ("El archivo «{}» contiene declaraciones XML no permitidas (DTD o entidades externas "
            "en «{}») y no se procesará. Ábralo en su programa de hojas de cálculo, guárdelo de "
            "nuevo y vuelva a subirlo.")


def refused(path, **options) -> ImportFileError:
    with pytest.raises(ImportFileError) as error:
        read_all(path, **options)
    assert error.value.file_name == path.name
    return error.value


def test_it_refuses_a_file_over_the_size_limit(tmp_path):
    path = tmp_path / "grande.csv"
    path.write_text("Documento\n" + "1\n" * 600_000, encoding="utf-8")

    error = refused(path, max_bytes=1 * MB)

    assert error.code == "too_large"
    assert str(error) == ("El archivo «grande.csv» pesa 1.1 MB y el máximo permitido es 1 MB. "
                          "Divídalo en varios archivos.")


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_it_refuses_a_file_over_the_row_limit_naming_the_first_row_too_many(tmp_path, extension):
    rows = [["Título del reporte"], ["Documento", "Nombre"]] + [[f"{n}", "Ana"] for n in range(4)]
    path = tmp_path / f"filas.{extension}"
    if extension == "csv":
        path.write_text("\n".join(",".join(row) for row in rows), encoding="utf-8")
    else:
        write_xlsx(path, rows)

    error = refused(path, max_rows=3)

    assert error.code == "too_many_rows"
    assert error.row == 6
    assert str(error) == (f"El archivo «filas.{extension}» tiene más de 3 filas de datos (la "
                          "fila 6 supera el máximo). Divídalo en varios archivos.")


def test_it_accepts_a_file_at_the_row_limit(tmp_path):
    path = tmp_path / "filas.csv"
    path.write_text("Documento\n1\n2\n3\n", encoding="utf-8")

    table, rows = read_all(path, max_rows=3)

    assert table.total_rows == len(rows) == 3


@pytest.mark.parametrize(("name", "content", "message"), [
    ("vacio.csv", b"", "El archivo «vacio.csv» está vacío."),
    ("vacio.xlsx", b"", "El archivo «vacio.xlsx» está vacío."),
    ("blancos.csv", b"\n;;;\n  \n", "El archivo «blancos.csv» no tiene datos."),
])
def test_it_refuses_an_empty_file(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)

    error = refused(path)

    assert error.code == "empty"
    assert str(error) == message


def test_it_refuses_an_empty_sheet(tmp_path):
    path = write_xlsx(tmp_path / "hoja_vacia.xlsx", [])

    error = refused(path)

    assert str(error) == "El archivo «hoja_vacia.xlsx» no tiene datos."


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_it_refuses_a_header_only_file(tmp_path, extension):
    path = tmp_path / f"encabezados.{extension}"
    if extension == "csv":
        path.write_text("Reporte\nDocumento;Nombre\n;\n", encoding="utf-8")
    else:
        write_xlsx(path, [["Reporte"], ["Documento", "Nombre"]])

    error = refused(path)

    assert error.code == "header_only"
    assert str(error) == (f"El archivo «encabezados.{extension}» solo tiene la fila de "
                          "encabezados (fila 2), sin filas de datos.")


@pytest.mark.parametrize(("content", "kind"), [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "PDF"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
    (b"<html><body><table><tr><td>Documento</td></tr></table></body></html>", "HTML/XML"),
    (zip_bytes({"word/document.xml": b"<w:document/>", "[Content_Types].xml": b"<Types/>"}),
     "Word"),
    (zip_bytes({"fotos/1.jpg": b"\xff\xd8\xff"}), "ZIP"),
])
def test_it_refuses_a_file_that_is_not_a_spreadsheet_whatever_its_name(tmp_path, content, kind):
    path = tmp_path / "clientes.xlsx"
    path.write_bytes(content)

    error = refused(path)

    assert error.code == "wrong_type"
    assert str(error) == (f"El archivo «clientes.xlsx» no es una hoja de cálculo ni un CSV "
                          f"(parece un archivo {kind}). Suba un archivo XLSX, XLS, ODS o CSV.")


def test_it_refuses_a_word_document_renamed_xls(tmp_path):
    path = compound_file(tmp_path / "clientes.xls", ["WordDocument", "1Table"])

    error = refused(path)

    assert str(error) == ("El archivo «clientes.xls» no es una hoja de cálculo ni un CSV (parece "
                          "un archivo Word/PowerPoint). Suba un archivo XLSX, XLS, ODS o CSV.")


def test_it_refuses_binary_noise(tmp_path):
    path = tmp_path / "clientes.csv"
    path.write_bytes(bytes(range(256)) * 4)

    error = refused(path)

    assert str(error) == ("El archivo «clientes.csv» no es una hoja de cálculo ni un CSV. Suba "
                          "un archivo XLSX, XLS, ODS o CSV.")


@pytest.mark.parametrize("extension", ["xlsx", "ods", "xls"])
def test_it_refuses_a_truncated_spreadsheet(tmp_path, extension):
    data = (FIXTURES / f"clientes.{extension}").read_bytes()
    path = tmp_path / f"cortado.{extension}"
    path.write_bytes(data[: len(data) // 2])

    error = refused(path)

    assert error.code == "corrupt"
    assert str(error) == CORRUPT.format(f"cortado.{extension}")


def test_it_refuses_an_xlsx_whose_sheet_is_not_xml(tmp_path):
    def garble(name, data):
        return b"<worksheet><sheetData><row r='1'><c" if name.endswith("sheet1.xml") else data

    path = rewrite_zip(FIXTURES / "clientes.xlsx", tmp_path / "roto.xlsx", garble)

    error = refused(path)

    assert str(error) == CORRUPT.format("roto.xlsx")


def test_it_refuses_a_password_protected_xlsx(tmp_path):
    path = encrypted_ooxml(tmp_path / "protegido.xlsx")

    error = refused(path)

    assert error.code == "encrypted"
    assert str(error) == ENCRYPTED.format("protegido.xlsx")


def test_it_refuses_a_password_protected_ods(tmp_path):
    def encrypt(name, data):
        if name == "META-INF/manifest.xml":
            # What LibreOffice writes for each part of a password-protected file.
            entry = (b'<manifest:file-entry manifest:full-path="content.xml" '
                     b'manifest:media-type="text/xml"><manifest:encryption-data '
                     b'manifest:checksum-type="SHA1/1K"/></manifest:file-entry>')
            return data.replace(b"</manifest:manifest>", entry + b"</manifest:manifest>")
        return data

    path = rewrite_zip(FIXTURES / "clientes.ods", tmp_path / "protegido.ods", encrypt)
    assert b"encryption-data" in zipfile.ZipFile(path).read("META-INF/manifest.xml")

    error = refused(path)

    assert str(error) == ENCRYPTED.format("protegido.ods")


def test_it_refuses_a_compression_bomb_before_extracting_it(tmp_path):
    path = tmp_path / "bomba.xlsx"
    sheet = (b'<?xml version="1.0"?><worksheet><sheetData>' + b" " * (40 * MB)
             + b"</sheetData></worksheet>")
    path.write_bytes(zip_bytes({"xl/workbook.xml": b"<workbook/>",
                                "xl/worksheets/sheet1.xml": sheet}))
    assert path.stat().st_size < MB

    error = refused(path)

    assert error.code == "bomb"
    assert str(error) == BOMB.format("bomba.xlsx")


def test_it_refuses_a_zip_declaring_more_than_the_uncompressed_ceiling(tmp_path):
    path = write_xlsx(tmp_path / "pesado.xlsx",
                      [["Documento", "Nombre"]] + [[f"{n}", f"Nombre {n}"] for n in range(2000)])

    error = refused(path, zip_limits=ZipLimits(max_uncompressed_bytes=20_000))

    assert str(error) == BOMB.format("pesado.xlsx")


@pytest.mark.parametrize(("extension", "part"), [
    ("xlsx", "xl/worksheets/sheet1.xml"),
    ("xlsx", "xl/sharedStrings.xml"),
    ("xlsx", "[Content_Types].xml"),
    ("ods", "content.xml"),
])
def test_it_refuses_xml_with_a_dtd_or_external_entities(tmp_path, extension, part):
    secret = tmp_path / "secreto.txt"
    secret.write_text("CLAVE-SECRETA", encoding="utf-8")
    doctype = (f'<!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]>').encode()

    def inject(name, data):
        if name != part:
            return data
        declaration_end = data.index(b"?>") + 2 if data.startswith(b"<?xml") else 0
        return data[:declaration_end] + doctype + data[declaration_end:]

    path = rewrite_zip(FIXTURES / f"clientes.{extension}", tmp_path / f"entidades.{extension}",
                       inject)

    error = refused(path)

    assert error.code == "xml_entities"
    assert str(error) == ENTITIES.format(f"entidades.{extension}", part)


def test_it_refuses_a_dtd_hidden_after_a_comment(tmp_path):
    def inject(name, data):
        if name == "xl/workbook.xml":
            return (b'<?xml version="1.0"?>\n<!-- nada -->\n<!DOCTYPE workbook SYSTEM '
                    b'"http://127.0.0.1:9/x.dtd">' + data.split(b"?>", 1)[1])
        return data

    path = rewrite_zip(FIXTURES / "clientes.xlsx", tmp_path / "dtd.xlsx", inject)

    error = refused(path)

    assert str(error) == ENTITIES.format("dtd.xlsx", "xl/workbook.xml")
