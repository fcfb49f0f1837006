"""CSV/TXT as people have them: encodings, delimiters, title lines, quoting, row numbers."""

import pytest

from moonflow.imports.reading import ImportFileError

from .helpers import read_all

ROWS = "Documento;Nombre;Monto\n00123;José Ñúñez;1.234,50\n456;Ana;7\n"


@pytest.mark.parametrize(("encoding", "data", "detected"), [
    ("utf-8-sig", ROWS, "utf-8-sig"),
    ("utf-8", ROWS, "utf-8"),
    ("cp1252", ROWS, "cp1252"),
    ("utf-16", ROWS.replace(";", "\t"), "utf-16"),  # Excel's "Unicode text"
])
def test_it_detects_the_encoding(tmp_path, encoding, data, detected):
    path = tmp_path / "clientes.csv"
    path.write_bytes(data.encode(encoding))

    table, rows = read_all(path)

    assert table.encoding == detected
    assert table.headers == ["Documento", "Nombre", "Monto"]
    assert rows[0][1]["Nombre"] == "José Ñúñez"
    assert rows[0][1]["Documento"] == "00123"


def test_it_falls_back_to_windows_1252_for_an_accent_far_down_the_file(tmp_path):
    path = tmp_path / "clientes.csv"
    lines = ["Documento,Nombre"] + [f"{n},Ana" for n in range(5000)] + ["9,Peña"]
    path.write_bytes("\n".join(lines).encode("cp1252"))

    table, rows = read_all(path, max_rows=10_000)

    assert table.encoding == "cp1252"
    assert rows[-1] == (5002, {"Documento": "9", "Nombre": "Peña"}, {})


def test_it_refuses_a_file_with_a_utf8_bom_and_bytes_that_are_not_utf8(tmp_path):
    path = tmp_path / "mezcla.csv"
    path.write_bytes("Documento;Nombre\n1;".encode("utf-8-sig") + "Peña\n".encode("cp1252"))

    with pytest.raises(ImportFileError) as error:
        read_all(path)

    assert str(error.value) == (
        "El archivo «mezcla.csv» declara la codificación UTF-8 pero tiene caracteres en otra "
        "codificación. Guárdelo de nuevo como CSV UTF-8.")


def test_it_reads_bytes_undefined_in_windows_1252_as_latin_1(tmp_path):
    path = tmp_path / "raro.csv"
    path.write_bytes("Documento;Nombre\n1;Peña".encode("cp1252") + b"\x81\n")

    table, rows = read_all(path)

    assert table.encoding == "latin-1"
    assert rows == [(2, {"Documento": "1", "Nombre": "Peña\x81"}, {})]


@pytest.mark.parametrize(("delimiter", "expected"), [(",", ","), (";", ";"), ("\t", "\t")])
def test_it_detects_the_delimiter(tmp_path, delimiter, expected):
    path = tmp_path / "clientes.txt"
    lines = [["Documento", "Nombre", "Monto"], ["1", "Peña, José", "1.234,5"], ["2", "Ana", "3"]]
    text = "\n".join(delimiter.join(f'"{c}"' if delimiter in c or "," in c else c for c in line)
                     for line in lines)
    path.write_text(text, encoding="utf-8")

    table, rows = read_all(path)

    assert table.delimiter == expected
    assert rows == [(2, {"Documento": "1", "Nombre": "Peña, José", "Monto": "1.234,5"}, {}),
                    (3, {"Documento": "2", "Nombre": "Ana", "Monto": "3"}, {})]


def test_it_prefers_the_semicolon_when_amounts_carry_decimal_commas(tmp_path):
    path = tmp_path / "clientes.csv"
    path.write_text("Documento;Monto;Saldo\n1;1,5;2,25\n2;3;4,75\n", encoding="utf-8")

    table, rows = read_all(path)

    assert table.delimiter == ";"
    assert rows[0][1] == {"Documento": "1", "Monto": "1,5", "Saldo": "2,25"}


def test_it_finds_the_header_under_title_lines_and_counts_them_in_row_numbers(tmp_path):
    path = tmp_path / "cartera.csv"
    path.write_text(
        "Cartera de marzo\n"
        "Fecha de corte:;31/03/2024\n"
        "\n"
        "Documento;Nombre;Vencimiento\n"
        "001;Ana;01/03/2024\n"
        "\n"
        "002;Luis;02/03/2024\n",
        encoding="utf-8",
    )

    table, rows = read_all(path)

    assert table.header_row == 4
    assert table.total_rows == 2
    assert rows == [(5, {"Documento": "001", "Nombre": "Ana", "Vencimiento": "01/03/2024"}, {}),
                    (7, {"Documento": "002", "Nombre": "Luis", "Vencimiento": "02/03/2024"}, {})]


def test_it_counts_a_quoted_line_break_as_one_row(tmp_path):
    path = tmp_path / "notas.csv"
    path.write_text('Documento,Nota\n1,"línea uno\nlínea dos"\n2,fin\n', encoding="utf-8")

    _table, rows = read_all(path)

    assert rows == [(2, {"Documento": "1", "Nota": "línea uno\nlínea dos"}, {}),
                    (3, {"Documento": "2", "Nota": "fin"}, {})]


def test_it_pads_short_rows_and_keeps_values_beyond_the_header_as_extra(tmp_path):
    path = tmp_path / "clientes.csv"
    path.write_text("Documento;;Nombre\n1;x;Ana;sobra\n2\n", encoding="utf-8")

    table, rows = read_all(path)

    assert table.headers == ["Documento", "", "Nombre"]
    assert table.columns == ["Documento", "Nombre"]
    assert rows == [(2, {"Documento": "1", "Nombre": "Ana"}, {"B": "x", "D": "sobra"}),
                    (3, {"Documento": "2", "Nombre": ""}, {})]


def test_it_keeps_text_exactly_as_typed_except_surrounding_spaces(tmp_path):
    path = tmp_path / "clientes.csv"
    path.write_text("Documento,Monto,Nota\n  0012  ,1.23E+09,=1+1\n", encoding="utf-8")

    _table, rows = read_all(path)

    assert rows == [(2, {"Documento": "0012", "Monto": "1.23E+09", "Nota": "=1+1"}, {})]


def test_it_reads_a_single_column_file(tmp_path):
    path = tmp_path / "documentos.csv"
    path.write_text("Documento\n001\n002\n", encoding="utf-8")

    table, rows = read_all(path)

    assert table.headers == ["Documento"]
    assert [row[1] for row in rows] == [{"Documento": "001"}, {"Documento": "002"}]


def test_it_refuses_a_repeated_column_name(tmp_path):
    path = tmp_path / "clientes.csv"
    path.write_text("Documento;Teléfono;teléfono\n1;2;3\n", encoding="utf-8")

    with pytest.raises(ImportFileError) as error:
        read_all(path)

    assert str(error.value) == (
        "El archivo «clientes.csv» tiene la columna «teléfono» repetida en la fila de "
        "encabezados (fila 1). Cada columna debe tener un nombre distinto.")
    assert (error.value.row, error.value.column) == (1, "teléfono")


def test_it_refuses_a_file_without_a_header_row(tmp_path):
    path = tmp_path / "numeros.csv"
    path.write_text("1;2;3\n4;5;6\n", encoding="utf-8")

    with pytest.raises(ImportFileError) as error:
        read_all(path)

    assert str(error.value) == (
        "No encontramos la fila de encabezados en el archivo «numeros.csv»: en las primeras 20 "
        "filas, ninguna tiene los nombres de las columnas (textos, sin números ni fechas, sin "
        "repetir).")


def test_it_refuses_a_malformed_row_naming_it(tmp_path):
    path = tmp_path / "clientes.csv"
    path.write_text('Documento,Nota\n1,ok\n2,"' + "x" * 200_000 + '"\n', encoding="utf-8")

    with pytest.raises(ImportFileError) as error:
        read_all(path)

    assert error.value.row == 3
    assert str(error.value) == (
        "El archivo «clientes.csv» no se puede leer a partir de la fila 3: una celda está mal "
        "formada (comillas sin cerrar o un valor demasiado largo).")
