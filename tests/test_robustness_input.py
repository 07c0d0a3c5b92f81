"""Broken input as municipalities send it: each case gives valid rows or issues on the right source rows.

Every test goes through the real pipeline (config -> read -> map -> coerce -> validate) and
checks the invariant rows_in == rows_valid + rows_quarantined; a file the engine cannot
read at all is a one-line UserError naming the file and the place.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import textwrap
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from isu_engine.configure.config import load_config
from isu_engine.check.dataset import Dataset, load_dataset
from isu_engine.errors import UserError
from isu_engine.configure.plugins import load_registry

FIT_HEADER = "client_id;session_date;age;ors_total;srs_total"


@pytest.fixture(scope="module")
def registry(model_folders):
    return load_registry(model_folders)


def project(tmp_path: Path, files: dict[str, str | bytes], dataset: str = "{model: fit, source: data.csv}",
            extra: str = "") -> Path:
    """Data files and a config with one dataset `t`; returns the config's path."""
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    config = tmp_path / "config.yaml"
    config.write_text(textwrap.dedent(extra) + f"datasets:\n  t: {dataset}\n", encoding="utf-8")
    return config


def load(config: Path, registry) -> Dataset:
    loaded = load_config(config)
    dataset = load_dataset(loaded, loaded.datasets["t"], registry)
    assert dataset.rows_in == dataset.rows_valid + dataset.rows_quarantined
    quarantined = set(zip(dataset.quarantine["file"], dataset.quarantine["row"]))
    assert set(zip(dataset.issues["file"], dataset.issues["row"])) == quarantined
    assert quarantined.isdisjoint(zip(dataset.frame["_file"], dataset.frame["_row"]))
    return dataset


def user_error(config: Path, registry) -> UserError:
    with pytest.raises(UserError) as caught:
        load(config, registry)
    assert "\n" not in caught.value.line()
    return caught.value


def rows_with(dataset: Dataset, check: str) -> list[int]:
    return sorted(dataset.issues.loc[dataset.issues["check"] == check, "row"].tolist())


def workbook(rows: list[list], cached: dict[str, object] | None = None, sheet: str = "Data") -> bytes:
    """An xlsx file with `rows` from A1; `cached` gives formula cells the result Excel would have stored."""
    book = openpyxl.Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    if not cached:
        return buffer.getvalue()
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    patched = io.BytesIO()
    with zipfile.ZipFile(patched, "w") as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                xml = data.decode()
                for ref, value in cached.items():
                    xml, count = re.subn(rf'(<c r="{ref}"[^>]*>)(<f>[^<]*</f>)(?:<v\s*/>|<v></v>)', rf"\g<1>\g<2><v>{value}</v>", xml)
                    assert count == 1, ref
                data = xml.encode()
            archive.writestr(info, data)
    return patched.getvalue()


# --- encodings and delimiters --------------------------------------------------------------------------


def test_wrong_encoding_named_in_the_config_is_one_error_at_the_line(tmp_path, registry):
    data = f"{FIT_HEADER};unit\nK1;2025-01-10;30;20;38;Öst\nK2;2025-01-11;30;20;38;Väst\n".encode("cp1252")
    config = project(tmp_path, {"data.csv": data}, "{model: fit, source: data.csv, read: {encoding: utf-8}}")
    error = user_error(config, registry)
    assert error.key == "read.decoding_failed"
    assert error.file == "data.csv" and error.place_text() == "rad 2"
    assert "utf-8" in error.line() and "0xD6" in error.line()


def test_utf8_read_as_windows_1252_gives_issues_on_the_rows_not_a_crash(tmp_path, registry):
    data = f"{FIT_HEADER};gender\nK1;2025-01-10;30;20;38;kvinna\nK2;2025-01-11;30;20;38;okänt\n"
    config = project(tmp_path, {"data.csv": data}, "{model: fit, source: data.csv, read: {encoding: cp1252}}")
    dataset = load(config, registry)
    assert dataset.frame["_row"].tolist() == [2]
    assert rows_with(dataset, "categories") == [3]
    assert "okÃ¤nt" in dataset.issues["value"].tolist()  # what the wrong encoding made of it, shown as read


def test_rows_with_another_delimiter_are_issues_on_their_rows(tmp_path, registry):
    data = (f"{FIT_HEADER}\nK1;2025-01-10;30;20;38\nK2,2025-01-11,30,20,38\n"
            "K3;2025-01-12;30;20;38\nK4\t2025-01-13\t30\t20\t38\n")
    dataset = load(project(tmp_path, {"data.csv": data}), registry)
    assert dataset.frame["_row"].tolist() == [2, 4]
    assert rows_with(dataset, "delimiter") == [3, 5]
    messages = dataset.issues.loc[dataset.issues["check"] == "delimiter", "message"].tolist()
    assert messages[0] == "Rad 3: raden använder ',' som avgränsare i stället för ';'."
    assert "'tab'" in messages[1]


def test_a_comma_inside_text_is_not_taken_for_another_delimiter(tmp_path, registry):
    data = "client_id;session_date;unit\nK1;2025-01-10;Öst, mottagning\nK2;2025-01-11;\n"
    dataset = load(project(tmp_path, {"data.csv": data}), registry)
    assert dataset.rows_valid == 2 and dataset.issues.empty
    assert dataset.frame["unit"].tolist()[0] == "Öst, mottagning"


# --- headings ------------------------------------------------------------------------------------------


def test_duplicated_heading_names_both_columns(tmp_path, registry):
    data = "Klient;session_date;klient\nK1;2025-01-10;K1\n"
    error = user_error(project(tmp_path, {"data.csv": data}), registry)
    assert error.key == "map.duplicate_heading" and error.place_text() == "rad 1"
    assert "'Klient', 'klient'" in error.line()


def test_missing_heading_over_data_keeps_the_rows_and_leaves_the_column_out(tmp_path, registry):
    data = "client_id;session_date;;ors_total\nK1;2025-01-10;anteckning;20\nK2;2025-01-11;;22\n"
    dataset = load(project(tmp_path, {"data.csv": data}), registry)
    assert dataset.rows_valid == 2
    assert dataset.frame["ors_total"].tolist() == [20.0, 22.0]


def test_missing_heading_of_a_required_field_is_one_error_listing_the_headings(tmp_path, registry):
    error = user_error(project(tmp_path, {"data.csv": "client_id;Datum\nK1;2025-01-10\n"}), registry)
    assert error.key == "map.required_missing" and error.place_text() == "rad 1"
    assert "session_date" in error.line() and "client_id, Datum" in error.line()


def test_headings_differing_only_in_case_spaces_or_a_colon_map(tmp_path, registry):
    data = " CLIENT_id ;SESSIONSDATUM:;  Ålder  \nK1;2025-01-10;30\n"
    dataset = load(project(tmp_path, {"data.csv": data}), registry)
    assert dataset.rows_valid == 1
    assert dataset.frame[["client_id", "age"]].values.tolist() == [["K1", 30]]


def test_two_headings_for_one_field_are_an_error_naming_both(tmp_path, registry):
    data = "client_id;session_date;Klient\nK1;2025-01-10;K9\n"
    error = user_error(project(tmp_path, {"data.csv": data}), registry)
    assert error.key == "map.two_columns"
    assert "'client_id'" in error.line() and "'Klient'" in error.line() and "columns:" in error.line()


def test_two_headings_for_one_field_are_resolved_by_the_config(tmp_path, registry):
    data = "client_id;session_date;Klient\nK1;2025-01-10;K9\n"
    config = project(tmp_path, {"data.csv": data}, "{model: fit, source: data.csv, columns: {Klient: client_id}}")
    assert load(config, registry).frame["client_id"].tolist() == ["K9"]


def test_a_heading_band_above_the_headings_is_passed_over_and_the_summary_says_so(tmp_path, registry):
    rows = [["Bakgrund", None, "Insats", None],
            ["case_id", "start_date", "intervention", "n_contacts"],
            ["A1", dt.date(2025, 1, 7), "Föräldrastöd", 6]]
    config = project(tmp_path, {"data.xlsx": workbook(rows)}, "{model: loke, source: data.xlsx}")
    dataset = load(config, registry)
    assert dataset.frame["_row"].tolist() == [3] and dataset.frame["n_contacts"].tolist() == [6]
    assert dataset.notes == ["data.xlsx: läste bladet Data, rubriker på rad 2 (hittade genom modellens fält; "
                             "ange read.sheet och read.header_row för att välja själv)"]
    told = project(tmp_path, {}, "{model: loke, source: data.xlsx, read: {header_row: 1}}")
    error = user_error(told, registry)
    assert error.key == "map.headings_on_two_rows" and error.place_text() == "rad 2"
    assert "'case_id', 'start_date'" in error.line() and "read.header_row" in error.line()


def test_headings_split_over_two_rows_by_merged_cells_are_one_error(tmp_path, registry):
    rows = [["case_id", "start_date", "Kontakter", None],
            [None, None, "n_contacts", "satisfaction"],
            ["A1", dt.date(2025, 1, 7), 6, 4]]
    error = user_error(project(tmp_path, {"data.xlsx": workbook(rows)}, "{model: loke, source: data.xlsx}"), registry)
    assert error.key == "map.headings_on_two_rows" and error.place_text() == "rad 2"
    assert "'satisfaction'" in error.line()


# --- Excel sheets --------------------------------------------------------------------------------------


def test_totals_rows_at_the_bottom_of_a_sheet_are_quarantined_with_a_clear_reason(tmp_path, registry):
    rows = [["case_id", "start_date", "n_contacts"],
            ["A1", dt.date(2025, 1, 7), 6],
            ["A2", dt.date(2025, 2, 7), 10],
            [None, None, None],
            ["Summa", None, "=SUM(C2:C3)"],
            ["Medelvärde:", None, "=AVERAGE(C2:C3)"]]
    config = project(tmp_path, {"data.xlsx": workbook(rows, cached={"C5": 16, "C6": 8})},
                     "{model: loke, source: data.xlsx}")
    dataset = load(config, registry)
    assert dataset.frame["_row"].tolist() == [2, 3]
    assert (dataset.rows_in, dataset.rows_skipped) == (4, 1)
    assert rows_with(dataset, "totals_row") == [5, 6]
    reasons = dict(zip(dataset.quarantine["row"], dataset.quarantine["reason"]))
    assert reasons[5].startswith("Rad 5: raden ser ut att vara en summarad ('Summa')")


def test_a_word_like_a_total_above_other_rows_is_data(tmp_path, registry):
    data = "case_id;start_date\nSumma;2025-01-07\nA2;2025-02-07\n"
    dataset = load(project(tmp_path, {"data.csv": data}, "{model: loke, source: data.csv}"), registry)
    assert dataset.rows_valid == 2 and dataset.issues.empty


def test_formulas_give_their_stored_result_and_error_cells_are_issues(tmp_path, registry):
    rows = [["case_id", "start_date", "n_contacts", "rating_start"],
            ["A1", dt.date(2025, 1, 7), "=3+3", 4],
            ["A2", dt.date(2025, 1, 8), "=1/0", 5],
            ["A3", dt.date(2025, 1, 9), 7, "#N/A"],
            ["A4", dt.date(2025, 1, 10), "#VALUE!", 6]]
    config = project(tmp_path, {"data.xlsx": workbook(rows, cached={"C2": 6})}, "{model: loke, source: data.xlsx}")
    dataset = load(config, registry)
    assert dataset.frame["_row"].tolist() == [2, 3]  # =1/0 without a stored result reads as empty
    assert dataset.frame["n_contacts"].tolist()[0] == 6
    issues = dataset.issues.set_index("row")
    assert dataset.issues["row"].tolist() == [4, 5]  # one issue for each error value, not a type issue besides
    assert issues.loc[4, "message"] == ("Rad 4: kolumnen 'rating_start' innehåller felvärdet #N/A (en formel som "
                                        "inte gick att räkna ut); rätta formeln eller töm cellen i källfilen.")
    assert (issues.loc[5, "field"], issues.loc[5, "check"]) == ("n_contacts", "error_cell")
    assert "#VALUE!" in issues.loc[5, "message"]


def test_dates_as_excel_serials_text_and_impossible_dates(tmp_path, registry):
    rows = [["case_id", "start_date", "end_date"],
            ["A1", 45658, dt.datetime(2025, 3, 1, 0, 0)],        # serial number cell: 2025-01-01
            ["A2", "45658", "2025-03-01"],                          # serial exported as text; ISO text
            ["A3", "7/1/2025", "20250301"],                         # day/month/year; YYYYMMDD
            ["A4", "2025-02-30", None],                             # no such day
            ["A5", dt.date(1900, 1, 1), None],                      # a real date, before the model's minimum
            ["A6", "31.04.2025", 3000000]]                          # no such day; serial far beyond 2199
    dataset = load(project(tmp_path, {"data.xlsx": workbook(rows)}, "{model: loke, source: data.xlsx}"), registry)
    valid = dataset.frame.set_index("_row")
    assert valid.loc[2, "start_date"] == pd.Timestamp("2025-01-01") == valid.loc[3, "start_date"]
    assert valid.loc[4, "start_date"] == pd.Timestamp("2025-01-07")
    assert set(valid["end_date"]) == {pd.Timestamp("2025-03-01")}
    issues = dataset.issues.set_index(["row", "field"])["check"].to_dict()
    assert issues == {(5, "start_date"): "type", (6, "start_date"): "minimum", (7, "start_date"): "type",
                      (7, "end_date"): "type"}


def test_dates_of_a_csv_file_with_excel_serials_written_as_text(tmp_path, registry):
    data = "case_id;start_date\nA1;45658\nA2;2025-03-01\n"  # every cell read as text first, a serial among them
    dataset = load(project(tmp_path, {"data.csv": data}, "{model: loke, source: data.csv}"), registry)
    assert dataset.frame["start_date"].tolist() == [pd.Timestamp("2025-01-01"), pd.Timestamp("2025-03-01")]


# --- numbers -------------------------------------------------------------------------------------------


OWN_NUMBER = "{model: loke, source: data.csv, fields: [{name: cost, type: number}]}"


def test_decimal_comma_and_thousands_separators(tmp_path, registry):
    data = ("case_id;start_date;cost\nA1;2025-01-07;12,5\nA2;2025-01-07;1 234,50\nA3;2025-01-07;1.234,5\n"
            "A4;2025-01-07;20.5\nA5;2025-01-07;1\u00a0000\nA6;2025-01-07;1.2.3\n")
    dataset = load(project(tmp_path, {"data.csv": data}, OWN_NUMBER), registry)
    assert dataset.frame["cost"].tolist() == [12.5, 1234.5, 1234.5, 20.5, 1000.0]
    assert rows_with(dataset, "type") == [7]


def test_decimal_point_file_with_a_stray_decimal_comma(tmp_path, registry):
    data = 'case_id,start_date,cost\nA1,2025-01-07,12.5\nA2,2025-01-07,"6,5"\nA3,2025-01-07,"1,234.5"\n'
    dataset = load(project(tmp_path, {"data.csv": data}, OWN_NUMBER), registry)
    assert dataset.frame["cost"].tolist() == [12.5, 6.5, 1234.5]


def test_numbers_with_units_are_issues_that_say_to_drop_the_unit(tmp_path, registry):
    data = "case_id;start_date;n_contacts;cost\nA1;2025-01-07;5 st;12\nA2;2025-01-07;6;50 %\nA3;2025-01-07;7;8\n"
    config = project(tmp_path, {"data.csv": data},
                     "{model: loke, source: data.csv, fields: [{name: cost, type: number}]}")
    dataset = load(config, registry)
    assert dataset.frame["_row"].tolist() == [4]
    messages = dataset.issues.set_index("row")["message"].to_dict()
    assert messages == {2: "Rad 2: Antal kontakter är '5 st'; skriv bara talet, utan enhet.",
                        3: "Rad 3: cost är '50 %'; skriv bara talet, utan enhet."}
    assert set(dataset.issues["check"]) == {"type"}


# --- whole files ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, content, key", [
    ("data.csv", b"", "read.empty_file"),
    ("data.csv", b" \r\n\t\n", "read.empty_file"),
    ("data.csv", b"\xef\xbb\xbf", "read.empty_file"),
])
def test_empty_files_are_one_error(cli, tmp_path, registry, name, content, key, models_dir_args):
    config = project(tmp_path, {name: content})
    assert user_error(config, registry).key == key
    result = cli("validate", config, *models_dir_args)
    assert result.code == 2 and result.err.count("\n") == 1 and name in result.err


def test_an_empty_sheet_is_one_error(tmp_path, registry):
    config = project(tmp_path, {"data.xlsx": workbook([])}, "{model: fit, source: data.xlsx}")
    assert user_error(config, registry).key == "read.empty_sheet"


@pytest.mark.plugins("fit")
def test_a_file_with_only_headings_validates_and_reports_with_no_rows(cli, tmp_path):
    config = project(tmp_path, {"data.csv": FIT_HEADER + "\n"})
    result = cli("validate", config, "--out", tmp_path / "v")
    assert result.code == 0
    assert (tmp_path / "v" / "validation.csv").read_text(encoding="utf-8").strip() == "dataset,row,field,check,value,message"
    report = cli("report", config, "--out", tmp_path / "r", "--format", "json")
    assert report.code == 0, report.err
    entry = report.json(tmp_path / "r" / "report.json")["datasets"]["t"]
    assert (entry["rows_in"], entry["rows_valid"], entry["rows_quarantined"]) == (0, 0, 0)
    assert entry["failed_sections"] == []


def test_a_file_is_read_by_what_it_holds_not_by_its_name(tmp_path, registry):
    csv_as_xlsx = project(tmp_path, {"data.xlsx": FIT_HEADER + "\nK1;2025-01-10;30;20;38\n"},
                          "{model: fit, source: data.xlsx}")
    assert load(csv_as_xlsx, registry).rows_valid == 1
    xlsx_as_csv = project(tmp_path, {"data.csv": workbook([["client_id", "session_date"], ["K1", dt.date(2025, 1, 10)],
                                                           ["K2", "2025-13-01"]])})
    dataset = load(xlsx_as_csv, registry)
    assert dataset.frame["_row"].tolist() == [2] and rows_with(dataset, "type") == [3]


@pytest.mark.parametrize("content, what", [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
    (b"<!DOCTYPE html><html><body><table><tr><td>1</td></tr></table></body></html>", "HTML"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binär"),
])
def test_a_file_that_is_not_a_table_is_one_error_saying_what_it_is(cli, tmp_path, content, what, models_dir_args):
    config = project(tmp_path, {"data.xlsx": content}, "{model: fit, source: data.xlsx}")
    result = cli("validate", config, *models_dir_args)
    assert result.code == 2
    assert result.err.count("\n") == 1 and "data.xlsx" in result.err and what in result.err
    assert "Traceback" not in result.err


# --- long values and duplicates ------------------------------------------------------------------------


def test_very_long_fields_give_short_issues_and_never_a_file_error(cli, tmp_path, models_dir_args):
    long_id, long_unit, huge = "K" * 100_000, "U" * 100_000, "x" * 200_000
    data = (f"{FIT_HEADER};unit\n{long_id};2025-01-10;30;20;38;Öst\nK2;2025-01-10;30;20;38;{long_unit}\n"
            f"K3;2025-01-10;30;20;38;Öst;{huge}\n")
    config = project(tmp_path, {"data.csv": data})
    result = cli("validate", config, "--out", tmp_path / "out", *models_dir_args)
    assert result.code == 1
    validation = pd.read_csv(tmp_path / "out" / "validation.csv", dtype=str, keep_default_na=False)
    assert validation[["row", "field", "check"]].values.tolist() == [["2", "client_id", "maxLength"],
                                                                     ["4", "", "field_count"]]
    assert validation["value"].str.len().max() <= 80
    assert max(map(len, (tmp_path / "out" / "validation.csv").read_text(encoding="utf-8").splitlines())) < 300
    quarantine = pd.read_csv(tmp_path / "out" / "quarantine-t.csv", dtype=str)
    assert quarantine["row"].tolist() == ["2", "4"]
    assert quarantine["client_id"].str.len().max() <= 1000
    assert "U" * 1000 not in quarantine.to_csv()  # the valid row with a long unit is not in quarantine


def test_duplicate_case_ids_across_files_name_each_file_and_row(cli, tmp_path, registry, models_dir_args):
    files = {"data/a.csv": "case_id;start_date\nA1;2025-01-07\nA2;2025-01-08\n",
             "data/b.csv": "case_id;start_date\nA3;2025-01-09\n\nA1;2025-02-01\n"}
    config = project(tmp_path, files, "{model: loke, source: 'data/*.csv'}")
    dataset = load(config, registry)
    assert dataset.issues[["file", "row", "check"]].values.tolist() == [["data/a.csv", 2, "unique"],
                                                                        ["data/b.csv", 4, "unique"]]
    assert dataset.frame["case_id"].tolist() == ["A2", "A3"] and dataset.rows_skipped == 1
    result = cli("validate", config, "--out", tmp_path / "out", *models_dir_args)
    validation = pd.read_csv(tmp_path / "out" / "validation.csv", dtype=str)
    assert list(validation.columns) == ["dataset", "row", "file", "field", "check", "value", "message"]
    assert result.code == 1


def test_sessions_after_an_episode_ended_are_issues_on_the_later_rows(tmp_path, registry):
    data = ("client_id;episode_id;session_date;ors_total;episode_end\n"
            "K1;;2025-01-07;20;\n"
            "K1;;2025-02-04;24;planerat avslut\n"     # the episode ends here
            "K1;;2025-03-04;25;\n"                    # row 4: after the end
            "K1;;2025-01-21;22;\n"                    # row 5: before the end, written later in the file
            "K2;1;2025-01-07;20;oplanerat avslut\n"
            "K2;2;2025-02-07;21;\n"                   # a new episode: fine
            "K3;;2025-01-07;18;planerat avslut\n"
            "K3;;2025-04-01;18;planerat avslut\n")    # row 9: a second end after the first
    dataset = load(project(tmp_path, {"data.csv": data}), registry)
    assert rows_with(dataset, "session_after_end") == [4, 9]
    assert sorted(dataset.frame["_row"]) == [2, 3, 5, 6, 7, 8]
    message = dataset.issues.set_index("row").loc[4, "message"]
    assert message.startswith("Rad 4: Sessionsdatum 2025-03-04 ligger efter avslutet 2025-02-04")


def test_a_model_rule_that_cannot_be_checked_on_the_data_is_one_error_naming_the_rule(tmp_path, registry, cli):
    (tmp_path / "models" / "m").mkdir(parents=True)
    (tmp_path / "models" / "m" / "model.yaml").write_text(
        "name: m\nfields:\n  - {name: id, type: string}\n  - {name: day, type: date}\n"
        "rules:\n  - {type: compare, id: day_small, field: day, op: '<', value: 5}\n", encoding="utf-8")
    config = project(tmp_path, {"data.csv": "id;day\nA;2025-01-07\n"}, "{model: m, source: data.csv}",
                     extra="plugins_dirs: [models]\n")
    result = cli("validate", config)
    assert result.code == 2 and result.err.count("\n") == 1
    assert "model.yaml:rad 6" in result.err and "day_small" in result.err and "TypeError" in result.err


# --- wide exports ----------------------------------------------------------------------------------


def _wide(delimiter: str, decimal: str, extra: int) -> str:
    """A LOKE export with `extra` own columns after the model's: headings, then three cases (one broken)."""
    headings = ["case_id", "start_date", "cost", *(f"egen{i}" for i in range(extra))]
    cost = ["12" + decimal + "5", "7", "elva"]
    rows = [[f"A{n}", "2025-01-07", cost[n], *(str(i % 7) for i in range(extra))] for n in range(3)]
    return "\n".join(delimiter.join(row) for row in [headings, *rows]) + "\n"


@pytest.mark.parametrize(("delimiter", "decimal"), [(";", ","), (",", ".")])
def test_a_wide_export_reads_as_its_narrow_part_does(tmp_path, registry, delimiter, decimal):
    from isu_engine.read.readers import WIDE_COLUMNS

    loaded = {}
    for extra in (3, WIDE_COLUMNS + 10):
        folder = tmp_path / str(extra)
        loaded[extra] = load(project(folder, {"data.csv": _wide(delimiter, decimal, extra)}, OWN_NUMBER), registry)
    narrow, wide = loaded.values()
    assert wide.frame["cost"].tolist() == narrow.frame["cost"].tolist() == [12.5, 7.0]
    assert wide.issues[["row", "field", "check"]].values.tolist() == [[4, "cost", "type"]]
    assert narrow.issues[["row", "field", "check"]].values.tolist() == [[4, "cost", "type"]]
