"""Files as people really have them (issue: no silent misreads): each failure seen in real exports, through the pipeline.

Every file is made in the test the way the program that writes it does (Excel CSV flavours,
an old Mac, MS-DOS, a workbook with a title and an instruction sheet), or is a small file
under tests/data/ saved by LibreOffice for formats only an office program writes.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import openpyxl
import pytest

from conftest import DATA
from isu_engine.check.dataset import Dataset, load_dataset
from isu_engine.configure.config import load_config
from isu_engine.configure.plugins import load_registry
from isu_engine.errors import UserError

OWN_NUMBER = "fields: [{name: kostnad, type: number, title: Kostnad}]"


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def project(tmp_path: Path, files: dict[str, bytes], dataset: str) -> Path:
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    config = tmp_path / "config.yaml"
    config.write_text(textwrap.dedent(f"datasets:\n  t: {dataset}\n"), encoding="utf-8")
    return config


def load(config: Path, registry) -> Dataset:
    loaded = load_config(config)
    dataset = load_dataset(loaded, loaded.datasets["t"], registry)
    assert dataset.rows_in == dataset.rows_valid + dataset.rows_quarantined
    return dataset


def error_of(config: Path, registry) -> UserError:
    with pytest.raises(UserError) as caught:
        load(config, registry)
    assert "\n" not in caught.value.line()
    return caught.value


def cases(extra_heading: str, extra: list[str]) -> str:
    rows = [f"Ärende;Startdatum;{extra_heading}"]
    rows += [f"A{n};2025-01-{n + 10:02d};{value}" for n, value in enumerate(extra)]
    return "\r\n".join(rows) + "\r\n"


# --- decimal marks -------------------------------------------------------------------------------------


def test_a_semicolon_file_with_decimal_points_that_read_both_ways_stops_naming_the_column(tmp_path, registry):
    config = project(tmp_path, {"d.csv": cases("Kostnad", ["1.250", "2.500"]).encode()},
                     "{model: loke, source: d.csv, columns: {Ärende: case_id, Startdatum: start_date}, "
                     + OWN_NUMBER + "}")
    error = error_of(config, registry)
    assert error.key == "read.ambiguous_decimal" and error.file == "d.csv"
    assert "'Kostnad'" in error.line() and "read.decimal" in error.line() and "decimalChar" in error.line()


@pytest.mark.parametrize(
    ("values", "read", "field_keys", "expected"),
    [
        (["1.250", "2.5"], "", "", [1.25, 2.5]),  # a point that can only be a decimal point decides the column
        (["1,250", "2,5"], "", "", [1.25, 2.5]),
        (["1.250", "2.500"], ", read: {decimal: '.'}", "", [1.25, 2.5]),
        (["1.250", "2.500"], ", read: {decimal: ','}", "", [1250.0, 2500.0]),
        (["1.250", "2.500"], "", ", decimalChar: '.'", [1.25, 2.5]),
        (["1.250", "2.500"], "", ", groupChar: '.'", [1250.0, 2500.0]),
    ],
)
def test_how_a_column_of_numbers_is_settled(tmp_path, registry, values, read, field_keys, expected):
    own = f"fields: [{{name: kostnad, type: number, title: Kostnad{field_keys}}}]"
    config = project(tmp_path, {"d.csv": cases("Kostnad", values).encode()},
                     f"{{model: loke, source: d.csv{read}, columns: {{Ärende: case_id, Startdatum: start_date}}, {own}}}")
    assert load(config, registry).frame["kostnad"].tolist() == expected


# --- encodings -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["cp850", "mac_roman", "cp1252"])
def test_ms_dos_and_old_mac_csv_keep_their_letters(tmp_path, registry, encoding):
    text = cases("Aktualisering", ["Öppenvården Ängen", "Söder"])
    config = project(tmp_path, {"d.csv": text.encode(encoding)},
                     "{model: loke, source: d.csv, columns: {Ärende: case_id, Startdatum: start_date}}")
    dataset = load(config, registry)
    assert dataset.frame["referral"].tolist() == ["Öppenvården Ängen", "Söder"]
    assert dataset.frame["case_id"].tolist() == ["A0", "A1"]  # the "Ärende" heading was read, not dropped


def test_excel_unicode_text_utf16_with_tabs(tmp_path, registry):
    text = "Ärende\tStartdatum\tAktualisering\r\nA1\t2025-01-07\tÖppenvården Ängen\r\n"
    config = project(tmp_path, {"d.txt": b"\xff\xfe" + text.encode("utf-16-le")},
                     "{model: loke, source: d.txt, columns: {Ärende: case_id, Startdatum: start_date}}")
    assert load(config, registry).frame["referral"].tolist() == ["Öppenvården Ängen"]


# --- error cells, broken quotes, control characters ----------------------------------------------------


@pytest.mark.parametrize("name", ["error_cells.ods", "error_cells.xls"])
def test_error_cells_in_ods_and_xls_are_issues_on_their_rows(tmp_path, registry, name):
    config = project(tmp_path, {name: (DATA / name).read_bytes()}, f"{{model: loke, source: {name}}}")
    dataset = load(config, registry)
    assert dataset.frame["_row"].tolist() == [2, 6]
    issues = dataset.issues[["row", "field", "check"]].values.tolist()
    assert issues == [[3, "n_contacts", "error_cell"], [4, "end_reason", "error_cell"], [5, "n_contacts", "error_cell"]]
    assert "#N/A" in dataset.issues["message"].iloc[1]  # the unused column's #N/A on row 5 is no issue


def test_an_unclosed_quote_in_a_note_quarantines_the_rows_it_swallowed_so_every_row_is_counted(tmp_path, registry):
    rows = ["Ärende;Startdatum;Anteckning"]
    broken_note = '"Ringde, sa att'
    rows += [f"A{n};2025-02-{n % 28 + 1:02d};{broken_note if n == 35 else 'ok'}" for n in range(40)]
    config = project(tmp_path, {"d.csv": ("\r\n".join(rows) + "\r\n").encode()},
                     "{model: loke, source: d.csv, columns: {Ärende: case_id, Startdatum: start_date}}")
    dataset = load(config, registry)
    assert dataset.rows_in == 40 and dataset.rows_valid == 35
    assert dataset.quarantine["row"].tolist() == [37, 38, 39, 40, 41]
    assert set(dataset.issues["check"]) == {"unclosed_quote"}
    assert "rad 37" in dataset.issues["message"].iloc[-1]


def test_a_nul_byte_is_an_issue_on_its_row_and_a_trailing_ctrl_z_is_no_row(tmp_path, registry):
    data = cases("Aktualisering", ["Anmälan", "Ans\x00ökan", "Egen kontakt"]).encode() + b"\x1a"
    config = project(tmp_path, {"d.csv": data},
                     "{model: loke, source: d.csv, columns: {Ärende: case_id, Startdatum: start_date}}")
    dataset = load(config, registry)
    assert dataset.rows_in == 3 and dataset.frame["_row"].tolist() == [2, 4]
    assert dataset.issues[["row", "field", "check"]].values.tolist() == [[3, "referral", "control_character"]]


# --- finding the table ---------------------------------------------------------------------------------


def test_an_instruction_sheet_and_title_rows_are_passed_over_and_the_choice_is_told(tmp_path, registry):
    book = openpyxl.Workbook()
    book.active.title = "Instruktion"
    book.active.append(["Så fyller du i"])
    book.active.append(["Ett ärende per rad. Kön: F, P, K eller M."])
    data = book.create_sheet("Data")
    data.append(["Ärendeuppföljning 2025"])
    data.append([])
    data.append(["Uttag ur verksamhetssystemet"])
    data.append(["Ärende", "Kön", "Startdatum", "Antal kontakter"])
    data.append(["A1", "flicka", dt.date(2025, 1, 7), 5])
    path = tmp_path / "uppfoljning.xlsx"
    book.save(path)
    config = project(tmp_path, {}, "{model: loke, source: uppfoljning.xlsx}")
    dataset = load(config, registry)
    assert dataset.frame["_row"].tolist() == [5] and dataset.frame["n_contacts"].tolist() == [5]
    assert any("läste bladet Data, rubriker på rad 4" in note for note in dataset.notes)


def test_excel_sep_line_and_title_rows_in_a_csv(tmp_path, registry):
    data = "sep=;\r\nUppföljning 2025\r\n\r\nÄrende;Startdatum\r\nA1;2025-01-07\r\n"
    config = project(tmp_path, {"d.csv": data.encode("cp1252")}, "{model: loke, source: d.csv}")
    dataset = load(config, registry)
    assert dataset.frame["case_id"].tolist() == ["A1"] and dataset.frame["_row"].tolist() == [4]


def test_two_row_headings_join_with_header_rows(tmp_path, registry):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Ärende", "Egen skattning vid", None])
    sheet.merge_cells("B1:C1")
    sheet.append([None, "start", "avslut"])
    sheet.append(["A1", 4, 7])
    book.save(tmp_path / "d.xlsx")
    config = project(tmp_path, {}, "{model: loke, source: d.xlsx, read: {header_rows: 2}, "
                                   "columns: {Startdatum: start_date}}")
    with pytest.raises(UserError) as caught:  # start_date is required and absent: the headings were joined
        load(config, registry)
    assert "Ärende, Egen skattning vid start, Egen skattning vid avslut" in caught.value.line()


# --- owner and lock files ------------------------------------------------------------------------------


def test_an_excel_owner_file_in_a_glob_is_skipped_with_a_note(tmp_path, registry):
    book = openpyxl.Workbook()
    book.active.append(["case_id", "start_date"])
    book.active.append(["A1", dt.date(2025, 1, 7)])
    book.save(tmp_path / "cases.xlsx")
    (tmp_path / "~$cases.xlsx").write_bytes(b"\x05Anna  " + b"\x00" * 150)  # what Excel leaves while it is open
    dataset = load(project(tmp_path, {}, "{model: loke, source: '*.xlsx'}"), registry)
    assert dataset.rows_valid == 1 and list(dataset.files) == ["cases.xlsx"]
    assert dataset.notes[0].startswith("~$cases.xlsx: hoppades över")
    only_owner = project(tmp_path, {}, "{model: loke, source: '~$*.xlsx'}")
    with pytest.raises(UserError) as caught:
        load_config(only_owner)
    assert caught.value.key == "config.only_lock_files"
