"""Reading data files: kinds by content, encodings, delimiters, row numbers, sheets."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isu_engine.errors import UserError, line_place, row_place
from isu_engine.i18n import catalogue, set_language
from isu_engine.read.readers import ReadOptions, column_decimal, read_table


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language("sv")


def write(tmp_path: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def cells(table) -> list[list]:
    return table.frame.to_numpy(dtype=object).tolist()


def read_error(path: Path, **options) -> UserError:
    with pytest.raises(UserError) as caught:
        read_table(path, ReadOptions(**options))
    return caught.value


# --- encodings -----------------------------------------------------------------------------

SWEDISH = "Ärende;Kön;Handläggare\n0114;F;Åsa\n0115;P;Örjan\n"
SWEDISH_CELLS = [["0114", "F", "Åsa"], ["0115", "P", "Örjan"]]


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "cp1252"), ("utf-16", "utf-16")],
)
def test_encodings_are_detected(tmp_path, encoding, detected):
    table = read_table(write(tmp_path, "data.csv", SWEDISH, encoding))
    assert table.encoding == detected
    assert table.headings == ["Ärende", "Kön", "Handläggare"]
    assert cells(table) == SWEDISH_CELLS


def test_explicit_utf8_with_a_bom_keeps_the_first_heading_clean(tmp_path):
    table = read_table(write(tmp_path, "data.csv", SWEDISH, "utf-8-sig"), ReadOptions(encoding="utf-8"))
    assert table.headings[0] == "Ärende"


UNIT = "Enhet;Besök\nÖppenvården Ängen;1\nSöder;2\n"


@pytest.mark.parametrize("encoding", ["cp1252", "cp850", "mac_roman"])
def test_eight_bit_encodings_are_told_apart_by_their_swedish_letters(tmp_path, encoding):
    table = read_table(write(tmp_path, "data.csv", UNIT, encoding))
    assert table.encoding == encoding
    assert table.headings == ["Enhet", "Besök"] and cells(table)[0] == ["Öppenvården Ängen", "1"]


def test_utf8_with_one_stray_windows_byte_fits_no_encoding_and_stops(tmp_path):
    content = "id;namn\n1;Åsa\n".encode("utf-8") + "2;Örjan\n".encode("cp1252")
    error = read_error(write(tmp_path, "data.csv", content))
    assert error.key == "read.no_encoding_fits" and "read.encoding" in error.line()


def test_a_single_swedish_letter_in_cp850_reads_right(tmp_path):
    table = read_table(write(tmp_path, "data.csv", "id;namn\n1;Ö\n", "cp850"))
    assert (table.encoding, cells(table)) == ("cp850", [["1", "Ö"]])


@pytest.mark.parametrize("content", [b"id;x\n1;a\x81b\n", "id;x\n1;a–b\n".encode("cp1252")])
def test_bytes_that_several_encodings_read_as_plausible_text_stop_and_name_read_encoding(tmp_path, content):
    error = read_error(write(tmp_path, "data.csv", content))
    assert error.key == "read.unknown_encoding_auto" and "read.encoding" in error.line()


def test_explicit_encoding_that_fails_names_the_line(tmp_path):
    path = write(tmp_path, "data.csv", "id;namn\n1;Anna\n2;Åsa\n", "cp1252")
    error = read_error(path, encoding="utf-8")
    assert error.key == "read.decoding_failed"
    assert error.place == line_place(3)
    assert error.file == str(path)
    assert "0xC5" in str(error)


def test_unknown_encoding_is_a_user_error(tmp_path):
    assert read_error(write(tmp_path, "data.csv", SWEDISH), encoding="klingon").key == "read.unknown_encoding"


# --- delimiters and decimals -----------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
def test_delimiters_are_detected(tmp_path, delimiter):
    text = SWEDISH.replace(";", delimiter)
    table = read_table(write(tmp_path, "data.csv", text))
    assert table.delimiter == delimiter
    assert cells(table) == SWEDISH_CELLS


def test_commas_inside_text_do_not_fool_the_detection(tmp_path):
    text = "id;kommentar\n1;bra, men sen sämre\n2;ok, visst, javisst\n3;inget\n"
    table = read_table(write(tmp_path, "data.csv", text))
    assert table.delimiter == ";"
    assert cells(table)[1] == ["2", "ok, visst, javisst"]


def test_an_explicit_delimiter_overrides_detection(tmp_path):
    table = read_table(write(tmp_path, "data.csv", "a;b,c\n1;2,3\n"), ReadOptions(delimiter=","))
    assert table.delimiter == ","
    assert table.headings == ["a;b", "c"]
    assert cells(table) == [["1;2", "3"]]


def test_tab_alias(tmp_path):
    table = read_table(write(tmp_path, "data.txt", "a\tb\n1\t2\n"), ReadOptions(delimiter="tab"))
    assert table.delimiter == "\t"


@pytest.mark.parametrize(
    ("text", "decimal"),
    [
        ("id;värde\n1;12\n", ","),  # semicolon files use decimal comma
        ('id,värde\n1,"12,5"\n2,3\n', ","),
        ("id,värde\n1,12.5\n", "."),
        ('id,värde\n1,"12,5"\n2,12.5\n', "."),
        ("id,värde\n1,12\n", "."),
        ("id\tvärde\n1\t-0,25\n", ","),
    ],
)
def test_decimal_detection(tmp_path, text, decimal):
    assert read_table(write(tmp_path, "data.csv", text)).decimal == decimal


def test_explicit_decimal_is_kept(tmp_path):
    assert read_table(write(tmp_path, "data.csv", "id;v\n1;2.5\n"), ReadOptions(decimal=".")).decimal == "."


# --- cells and rows ---------------------------------------------------------------------------


def test_cells_stay_text(tmp_path):
    table = read_table(write(tmp_path, "data.csv", "kod;n;tom;na\n0114;007;;NA\n"))
    assert cells(table) == [["0114", "007", "", "NA"]]
    assert all(isinstance(value, str) for value in cells(table)[0])


def test_quoted_field_with_newline_and_delimiter_counts_as_one_row(tmp_path):
    text = 'id;anteckning\n1;"första raden\nandra; raden"\n2;kort\n3;"ännu en\r\nrad"\n4;sist\n'
    table = read_table(write(tmp_path, "data.csv", text))
    assert table.row_numbers.tolist() == [2, 3, 4, 5]
    assert cells(table)[0] == ["1", "första raden\nandra; raden"]
    assert cells(table)[3] == ["4", "sist"]


def test_empty_rows_are_skipped_and_counted_up_to_the_last_data_row(tmp_path):
    text = "id;x\n1;a\n\n;  \n2;b\n;\n3;c\n\n\n;;\n"
    table = read_table(write(tmp_path, "data.csv", text))
    assert cells(table) == [["1", "a"], ["2", "b"], ["3", "c"]]
    assert table.row_numbers.tolist() == [2, 5, 7]
    assert table.rows_skipped == 3


def test_whitespace_only_cells_are_empty(tmp_path):
    table = read_table(write(tmp_path, "data.csv", "id;x;y\n1;   ;\t\n"))
    assert cells(table) == [["1", "", ""]]


def test_header_row_below_title_rows(tmp_path):
    text = "Uppföljning Violalund, 2025\nUttag: 2025-12-31\nÄrende;Kön\n0114;F\n\n0115;P\n"
    table = read_table(write(tmp_path, "data.csv", text), ReadOptions(header_row=3))
    assert table.headings == ["Ärende", "Kön"]
    assert table.delimiter == ";"
    assert cells(table) == [["0114", "F"], ["0115", "P"]]
    assert table.row_numbers.tolist() == [4, 6]
    assert table.rows_skipped == 1


def test_a_row_with_too_many_fields_is_kept_and_reported(tmp_path):
    text = "id;x;y\n1;a;b\n2;c;d;EXTRA\n3;e\n4;f;g;\n"
    table = read_table(write(tmp_path, "data.csv", text))
    assert cells(table) == [["1", "a", "b"], ["2", "c", "d"], ["3", "e", ""], ["4", "f", "g"]]
    assert table.row_numbers.tolist() == [2, 3, 4, 5]
    assert table.row_problems["row"].tolist() == [3]
    assert table.row_problems["check"].tolist() == ["field_count"]
    assert "4" in table.row_problems["detail"].iloc[0]


def test_a_row_with_content_only_beyond_the_headings_is_kept(tmp_path):
    table = read_table(write(tmp_path, "data.csv", "id;x\n1;a\n;;lost\n"))
    assert table.row_numbers.tolist() == [2, 3]
    assert cells(table)[1] == ["", ""]
    assert table.row_problems["row"].tolist() == [3]


def test_a_quote_that_is_never_closed_gives_back_the_rows_it_swallowed_each_with_its_number(tmp_path):
    table = read_table(write(tmp_path, "data.csv", 'id;x\n1;a\n2;"öppen\n3;c\n\n4;d\n'))
    assert table.row_numbers.tolist() == [2, 3, 4, 6] and table.rows_skipped == 1
    assert cells(table) == [["1", "a"], ["2", "öppen"], ["3", "c"], ["4", "d"]]
    assert table.row_problems[["row", "check"]].values.tolist() == [[3, "unclosed_quote"], [4, "unclosed_quote"],
                                                                      [6, "unclosed_quote"]]
    assert "row 3" in table.row_problems["detail"].iloc[-1]


def test_problems_only_name_rows_in_the_frame(tmp_path):
    table = read_table(write(tmp_path, "data.csv", 'id;x\n1;a\n;"\n  \n'))
    assert table.row_numbers.tolist() == [2]
    assert table.row_problems.empty


def test_duplicate_and_empty_headings(tmp_path):
    table = read_table(write(tmp_path, "data.csv", "id;x;x;;;\n1;a;b;c;;\n2;d;e;;;\n"))
    assert table.headings == ["id", "x", "x", ""]
    assert list(table.frame.columns) == [0, 1, 2, 3]
    assert cells(table) == [["1", "a", "b", "c"], ["2", "d", "e", ""]]


def test_header_only_file_has_no_rows(tmp_path):
    table = read_table(write(tmp_path, "data.csv", "Ärende;Kön\n"))
    assert table.headings == ["Ärende", "Kön"]
    assert table.frame.shape == (0, 2)
    assert table.row_numbers.tolist() == []
    assert table.rows_skipped == 0
    assert table.row_problems.empty


def test_display_name_is_used_in_errors_and_table(tmp_path):
    path = write(tmp_path, "data.csv", "")
    with pytest.raises(UserError) as caught:
        read_table(path, display_name="data/violalund.csv")
    assert caught.value.file == "data/violalund.csv"
    assert str(caught.value).startswith("data/violalund.csv: ")
    assert read_table(write(tmp_path, "ok.csv", "a;b\n"), display_name="x.csv").file == "x.csv"


# --- files that are not (readable) tables -----------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"  \r\n\t\n", "\ufeff\n".encode()])
def test_empty_file(tmp_path, content):
    assert read_error(write(tmp_path, "data.csv", content)).key == "read.empty_file"


def test_missing_file(tmp_path):
    assert read_error(tmp_path / "saknas.csv").key == "file.missing"


def test_directory(tmp_path):
    assert read_error(tmp_path).key == "file.is_directory"


def test_unreadable_file(tmp_path, monkeypatch):
    path = write(tmp_path, "data.csv", SWEDISH)

    def refuse(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    assert read_error(path).key == "file.no_permission"


def test_header_row_beyond_the_end(tmp_path):
    error = read_error(write(tmp_path, "data.csv", "a;b\n1;2\n"), header_row=5)
    assert error.key == "read.header_beyond_end"
    assert error.params == {"row": 5, "rows": 2}


def test_empty_heading_row_names_the_first_row_with_content(tmp_path):
    error = read_error(write(tmp_path, "data.csv", "\n;\nid;x\n1;2\n"), header_row=1)
    assert error.key == "read.empty_header"
    assert error.place == row_place(1)
    assert error.params["first"] == 3


def test_empty_rows_above_the_headings_are_passed_over_when_no_header_row_is_given(tmp_path):
    table = read_table(write(tmp_path, "data.csv", "\n;\nid;x\n1;2\n"))
    assert (table.header_row, table.found) == (3, True)
    assert table.headings == ["id", "x"] and cells(table) == [["1", "2"]] and table.row_numbers.tolist() == [4]


def test_xlsx_name_with_csv_content_is_read_as_csv(tmp_path):
    table = read_table(write(tmp_path, "data.xlsx", SWEDISH))
    assert table.kind == "csv"
    assert cells(table) == SWEDISH_CELLS


@pytest.mark.parametrize(
    ("content", "looks_like"),
    [
        ("<!DOCTYPE html>\n<html><body><table><tr><td>1</td></tr></table></body></html>", "HTML"),
        ("<table border=1><tr><td>id</td></tr></table>", "HTML"),
        ('<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook/>', "Excel 2003"),
        ("just some words\nwithout any delimiter\n", "plain text"),
        (bytes(range(256)) * 8, "binary"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
    ],
)
def test_a_spreadsheet_name_that_is_not_a_table(tmp_path, content, looks_like):
    error = read_error(write(tmp_path, "data.xlsx", content))
    assert error.key == "read.not_a_table"
    assert looks_like in str(error)


def test_a_zip_that_is_not_a_workbook(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert read_error(write(tmp_path, "data.xlsx", buffer.getvalue())).key == "read.not_a_table"


def test_a_broken_workbook(tmp_path):
    assert read_error(write(tmp_path, "data.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))).key == (
        "read.bad_workbook"
    )


@pytest.mark.parametrize(
    "options", [{"header_row": 0}, {"delimiter": ":"}, {"decimal": ";"}, {"sheet": 0}]
)
def test_bad_options(tmp_path, options):
    assert read_error(write(tmp_path, "data.csv", SWEDISH), **options).key == "read.bad_option"


# --- workbooks --------------------------------------------------------------------------------


def patch_sheet(path: Path, replacements: dict[str, str], sheet: str = "xl/worksheets/sheet1.xml") -> None:
    """Rewrite cells in a saved workbook's sheet XML (to store cached values and error cells)."""
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info.filename)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            if info.filename == sheet:
                text = data.decode()
                for old, new in replacements.items():
                    assert text.count(old) == 1, old
                    text = text.replace(old, new)
                data = text.encode()
            archive.writestr(info, data)


@pytest.fixture
def workbook_path(tmp_path) -> Path:
    """Sheet "Data": a title in A1, an empty row 2, headings on row 3 from column B."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Data"
    sheet["A1"] = "Uppföljning 2025"
    rows = [
        ["Ärende", "Startdatum", "Besök", "Poäng", "Klar", "Kvot", "Summa"],
        ["0114", dt.date(2025, 1, 2), 12, 3.5, True, "=1/0", "=2+3"],
        [None, None, None, None, None, None, None],
        ["0115", dt.datetime(2025, 2, 3, 14, 30), 7, 0.25, False, None, None],
        ["   ", None, None, None, None, None, None],
    ]
    for offset, row in enumerate(rows):
        for column, value in enumerate(row, start=2):
            sheet.cell(row=3 + offset, column=column, value=value)
    other = book.create_sheet("Andra")
    other.append(["id", "x"])
    other.append(["A", 1])
    path = tmp_path / "data.xlsx"
    book.save(path)
    return path


def test_xlsx_rows_are_sheet_rows_and_cells_keep_their_types(workbook_path):
    table = read_table(workbook_path, ReadOptions(header_row=3))
    assert table.kind == "xlsx"
    assert table.encoding is None and table.delimiter is None
    assert table.headings == ["Ärende", "Startdatum", "Besök", "Poäng", "Klar", "Kvot", "Summa"]
    assert table.row_numbers.tolist() == [4, 6]
    assert table.rows_skipped == 1
    first, second = cells(table)
    assert first[:5] == ["0114", dt.date(2025, 1, 2), 12, 3.5, True]
    assert type(first[2]) is int
    assert second[:5] == ["0115", dt.datetime(2025, 2, 3, 14, 30), 7, 0.25, False]
    assert table.frame.dtypes.eq(object).all()


def test_formula_without_cached_value_is_empty_and_told_once_per_column(workbook_path):
    # openpyxl stores formulas without computing them, so the file has no cached value.
    table = read_table(workbook_path, ReadOptions(header_row=3))
    assert cells(table)[0][5:] == ["", ""]
    assert len(table.notes) == 2
    assert "'Kvot' has 1 formulas without a saved result" in table.notes[0] and "'Summa'" in table.notes[1]
    patch_sheet(workbook_path, {'<c r="H4"><f>2+3</f><v /></c>': '<c r="H4"><f>2+3</f><v>5</v></c>'})
    assert [note.split("'")[1] for note in read_table(workbook_path, ReadOptions(header_row=3)).notes] == ["Kvot"]


def test_formula_gives_its_cached_value_and_errors_come_through_as_text(workbook_path):
    # Excel stores the last computed value in <v>; an error value is a cell of type "e".
    patch_sheet(
        workbook_path,
        {
            '<c r="G4"><f>1/0</f><v /></c>': '<c r="G4" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
            '<c r="H4"><f>2+3</f><v /></c>': '<c r="H4"><f>2+3</f><v>5</v></c>',
            '<c r="D6" t="n"><v>7</v></c>': '<c r="D6" t="e"><v>#N/A</v></c>',
        },
    )
    table = read_table(workbook_path, ReadOptions(header_row=3))
    first, second = cells(table)
    assert first[5:] == ["#DIV/0!", 5]
    assert second[2] == "#N/A"


def test_error_cells_are_read_from_the_chosen_sheet(workbook_path):
    patch_sheet(workbook_path, {'<c r="B2" t="n"><v>1</v></c>': '<c r="B2" t="e"><v>#VALUE!</v></c>'},
                sheet="xl/worksheets/sheet2.xml")
    assert cells(read_table(workbook_path, ReadOptions(sheet="Andra"))) == [["A", "#VALUE!"]]
    assert cells(read_table(workbook_path, ReadOptions(sheet=1, header_row=3)))[0][0] == "0114"


@pytest.mark.parametrize("sheet", ["Andra", 2])
def test_sheet_by_name_or_number(workbook_path, sheet):
    table = read_table(workbook_path, ReadOptions(sheet=sheet))
    assert table.headings == ["id", "x"]
    assert cells(table) == [["A", 1]]
    assert table.row_numbers.tolist() == [2]


def test_missing_sheet_lists_the_sheets(workbook_path):
    error = read_error(workbook_path, sheet="Blad1")
    assert error.key == "read.missing_sheet"
    assert "Data, Andra" in str(error)
    assert read_error(workbook_path, sheet=3).key == "read.missing_sheet_number"


def test_sheet_header_row_checks(workbook_path):
    assert read_error(workbook_path, header_row=20).key == "read.header_beyond_end"
    error = read_error(workbook_path, header_row=2)
    assert error.key == "read.empty_header"
    assert error.params["first"] == 1


def test_heading_row_with_numbers_and_dates_becomes_text(tmp_path):
    book = openpyxl.Workbook()
    book.active.append([2024, 2025.5, dt.date(2025, 1, 1), " namn "])
    book.active.append([1, 2, 3, "x"])
    path = tmp_path / "data.xlsx"
    book.save(path)
    assert read_table(path).headings == ["2024", "2025.5", "2025-01-01", "namn"]


def test_workbook_detected_by_content_whatever_the_name(workbook_path, tmp_path):
    renamed = tmp_path / "export.csv"
    renamed.write_bytes(workbook_path.read_bytes())
    assert read_table(renamed, ReadOptions(sheet="Andra")).kind == "xlsx"


ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def test_ods_rows_are_sheet_rows(tmp_path):
    cell = '<table:table-cell office:value-type="{kind}" {value}><text:p>{text}</text:p></table:table-cell>'
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Blad1">'
        "<table:table-row><table:table-cell/></table:table-row>"
        "<table:table-row>"
        + cell.format(kind="string", value="", text="Ärende")
        + cell.format(kind="string", value="", text="Poäng")
        + "</table:table-row><table:table-row>"
        + cell.format(kind="string", value="", text="0114")
        + cell.format(kind="float", value='office:value="12.5"', text="12,5")
        + "</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"
    )
    path = tmp_path / "data.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", ODS_MANIFEST)
        archive.writestr("content.xml", content)
    table = read_table(path, ReadOptions(header_row=2))
    assert table.kind == "ods"
    assert table.headings == ["Ärende", "Poäng"]
    assert cells(table) == [["0114", 12.5]]
    assert table.row_numbers.tolist() == [3]


# --- messages ---------------------------------------------------------------------------------


def test_every_read_message_exists_in_both_languages():
    swedish = {key for key in catalogue("sv") if key.startswith("read.")}
    english = {key for key in catalogue("en") if key.startswith("read.")}
    assert swedish == english
    source = (Path(__file__).parents[1] / "src/isu_engine/read/readers.py").read_text(encoding="utf-8")
    used = set(re.findall(r'"(read\.[a-z_.]+)"', source))
    used |= {f"read.looks_like.{kind}" for kind in ("html", "xml", "spreadsheet_xml", "pdf", "zip", "binary", "text")}
    assert used <= english


# --- property: what csv.writer writes reads back unchanged ------------------------------------

HEADING = st.text(alphabet="abcxyzåäöÅÄÖé_0123456789 ", min_size=1, max_size=8).filter(str.strip)
CELL = st.text(alphabet=list('ab0123456789.,;"\'\n\r\t| åäöÅÄÖé-'), max_size=8)


@st.composite
def csv_tables(draw):
    width = draw(st.integers(1, 4))
    headings = draw(st.lists(HEADING, min_size=width, max_size=width))
    rows = draw(st.lists(st.lists(CELL, min_size=width, max_size=width), max_size=8))
    delimiter = draw(st.sampled_from([";", ","]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    explicit = draw(st.booleans())
    return headings, rows, delimiter, encoding, explicit


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=csv_tables())
def test_csv_written_by_csv_writer_reads_back(tmp_path, table):
    headings, rows, delimiter, encoding, explicit = table
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows([headings, *rows])
    path = write(tmp_path, "table.csv", buffer.getvalue(), encoding)

    options = ReadOptions(delimiter=delimiter if explicit else "auto")
    result = read_table(path, options)

    expected = [["" if value.isspace() else value for value in row] for row in rows]
    filled = [any(row) for row in expected]
    last = max((index for index, flag in enumerate(filled) if flag), default=-1)
    assert result.headings == [heading.strip() for heading in headings]
    if explicit or len(headings) > 1:  # a single column does not show its delimiter
        assert result.delimiter == delimiter
    assert cells(result) == [row for row, flag in zip(expected, filled) if flag]
    assert result.row_numbers.tolist() == [index + 2 for index, flag in enumerate(filled) if flag]
    assert result.rows_skipped == (filled[:last].count(False) if last >= 0 else 0)
    assert result.row_problems.empty
    assert isinstance(result.row_numbers, np.ndarray)


# --- what Excel and old systems write around the table --------------------------------------------


def test_a_sep_line_names_the_delimiter_and_is_no_row(tmp_path):
    table = read_table(write(tmp_path, "data.csv", "sep=,\r\nid,x;y\r\n1,a;b\r\n"))
    assert (table.delimiter, table.headings, cells(table)) == (",", ["id", "x;y"], [["1", "a;b"]])
    assert table.row_numbers.tolist() == [2]  # as Excel shows the file: the sep= line is hidden


def test_a_trailing_end_of_file_mark_is_no_row_and_a_nul_in_a_row_is_a_problem_of_that_row(tmp_path):
    table = read_table(write(tmp_path, "data.csv", b"id;namn\r\n1;An\x00na\r\n2;Bo\r\n3;Cy\x1a1\r\n\x1a"))
    assert table.row_numbers.tolist() == [2, 3, 4]
    assert table.row_problems[["row", "check", "column"]].values.tolist() == [[2, "control_character", 1],
                                                                                [4, "control_character", 1]]


@pytest.mark.parametrize(
    ("values", "mark"),
    [(["1.250", "2.5"], "."), (["1,250", "12,5"], ","), (["1.234.567", "3"], ","), (["1,234.5", "2"], "."),
     (["1.250", "2.500"], "?"), (["1,250", "12"], "?"), (["12", "7"], None), (["1.25", "3,5"], None)],
)
def test_the_decimal_mark_of_each_column_is_read_from_its_values(tmp_path, values, mark):
    text = "id;v\n" + "".join(f'{n};"{v}"\n' for n, v in enumerate(values))
    assert column_decimal(read_table(write(tmp_path, "data.csv", text)).frame[1]) == mark


def test_an_ods_saved_with_a_password_is_named_as_such(tmp_path):
    # LibreOffice keeps the archive readable and marks each encrypted part in the manifest
    path = tmp_path / "data.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:'
                         'xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="content.xml"><manifest:'
                         'encryption-data manifest:checksum-type="SHA1/1K"/></manifest:file-entry></manifest:manifest>')
        archive.writestr("content.xml", bytes(range(256)))
    assert read_error(path).key == "read.password_protected"
