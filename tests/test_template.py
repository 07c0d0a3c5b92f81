"""`isu template`: the data-entry workbook has the right columns and checks, and reads back with no mapping."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from isu_engine.configure.config import load_config
from isu_engine.configure.plugins import load_registry
from isu_engine.commands.run import load_all
from isu_engine.commands.entry_sheet import template_headings, write_template

pytestmark = pytest.mark.plugins("fit", "loke", "gas")

LOKE_HEADINGS = ["Ärende", "Kön", "Ålder", "Aktualisering", "Problemområden", "Insats", "Metod", "Startdatum",
                 "Slutdatum", "Antal kontakter", "Avslutsorsak", "Måluppfyllelse", "Egen skattning vid start",
                 "Egen skattning vid avslut", "Nöjdhet", "Skolsituation", "Nätverksmöte", "Skolnärvaro förbättrad"]


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def demo(demo_run):
    return load_config(demo_run.config)


def validations(sheet) -> dict[str, object]:
    """Column letter -> the data validation that covers its data rows."""
    found = {}
    for validation in sheet.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            found[cell_range.coord.split(":")[0].rstrip("0123456789")] = validation
    return found


def list_values(workbook, validation) -> list[str]:
    sheet_name, cells = validation.formula1.split("!")
    first, last = cells.replace("$", "").split(":")
    sheet = workbook[sheet_name.strip("'")]
    return [row[0].value for row in sheet[first:last]]


def test_loke_template_headings_validations_and_codebook(demo, registry, tmp_path):
    path = write_template(demo, "violalund", registry, tmp_path / "violalund.xlsx")
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames[:3] == ["Data", "Kodbok", "Om"]
    assert workbook["Listor"].sheet_state == "hidden"
    data = workbook["Data"]
    assert [cell.value for cell in data[1]] == LOKE_HEADINGS     # model fields, then the unit's own, as titled
    assert data.freeze_panes == "A2"
    assert "Tomt för pågående ärenden." in data["I1"].comment.text
    checks = validations(data)
    assert list_values(workbook, checks["B"]) == ["Flicka", "Pojke", "Kvinna", "Man", "Annat", "Okänt"]
    assert list_values(workbook, checks["K"]) == ["Planerat avslut", "Avbrutet av brukaren",
                                                  "Avbrutet av verksamheten", "Flytt", "Annat"]
    assert list_values(workbook, checks["O"])[0] == "1 – Mycket missnöjd"
    assert list_values(workbook, checks["Q"]) == ["ja", "nej"]                      # an own variable
    assert (checks["C"].type, checks["C"].operator, checks["C"].formula1, checks["C"].formula2) == ("whole", "between", "0", "120")
    assert (checks["H"].type, checks["H"].formula1) == ("date", "DATE(2000,1,1)")
    assert checks["A"].type == "textLength" and checks["A"].formula2 == "64"
    assert "E" not in checks                                    # several problem areas per cell: free text
    assert data.column_dimensions["H"].number_format == "yyyy-mm-dd"
    assert all(checks[column].showErrorMessage for column in checks)
    codebook = workbook["Kodbok"]
    rows = {row[1]: row for row in codebook.iter_rows(min_row=2, values_only=True)}
    assert len(rows) == len(LOKE_HEADINGS)
    assert rows["end_reason"][0] == "Avslutsorsak" and "Flytt" in rows["end_reason"][5]
    assert rows["case_id"][4] == "ja" and rows["age"][6] == "från 0 till 120"
    assert rows["school_situation"][2] == "Skolsituation"
    about = " ".join(str(row[0]) for row in workbook["Om"].iter_rows(values_only=True) if row[0])
    assert "source: violalund.xlsx" in about and "model: loke" in about


def test_filled_loke_template_reads_back_without_mapping(demo, registry, tmp_path):
    path = write_template(demo, "violalund", registry, tmp_path / "violalund.xlsx")
    workbook = openpyxl.load_workbook(path)
    data = workbook["Data"]
    rows = [
        ["V-1", "Flicka", 7, "Anmälan", "föräldraskap;relationer", "Familjebehandling", "MI",
         dt.date(2025, 2, 3), dt.date(2025, 6, 30), 12, "Planerat avslut", "Helt", 3, 7, "5 – Mycket nöjd",
         "fungerar", "ja", "ej aktuellt"],
        ["V-2", "Pojke", 10, "Ansökan", "skolsvårigheter", "Föräldrastöd", "ABC",
         dt.date(2025, 3, 10), None, 4, None, None, 5, None, None, "Delvis", "nej", None],
        ["V-3", "Annat", 15, "Egen kontakt", "relationer", "Samtalsstöd", "Annan",
         dt.date(2025, 1, 20), dt.date(2025, 4, 1), 6, "Avbrutet av brukaren", "Inte alls", 4, 4, "3 – Varken eller",
         "fungerar inte", "nej", "nej"],
    ]
    for row in rows:
        data.append(row)
    workbook.save(path)
    config_path = tmp_path / "entry.yaml"
    own_fields = yaml.safe_load((Path(demo.path)).read_text(encoding="utf-8"))["datasets"]["violalund"]["fields"]
    config_path.write_text(yaml.safe_dump({
        "period": {"start": "2025-01-01", "end": "2025-12-31"},
        "datasets": {"violalund": {"model": "loke", "source": "violalund.xlsx", "fields": own_fields}},
    }, allow_unicode=True), encoding="utf-8")
    config = load_config(config_path)
    dataset = load_all(config, registry)["violalund"]
    assert (dataset.rows_in, dataset.rows_valid, dataset.rows_quarantined) == (3, 3, 0)
    assert dataset.absent_fields == [] and dataset.ignored_columns == []
    frame = dataset.frame.set_index("case_id")
    assert list(frame["gender"]) == ["flicka", "pojke", "annat"]
    assert frame.loc["V-1", "end_reason"] == "planerat avslut"
    assert frame.loc["V-3", "goal_attainment"] == "inte"
    assert frame.loc["V-1", "satisfaction"] == 5 and frame.loc["V-3", "satisfaction"] == 3     # from the labels
    assert pd.isna(frame.loc["V-2", "satisfaction"])
    assert frame.loc["V-2", "school_situation"] == "delvis"
    assert frame.loc["V-1", "start_date"] == dt.datetime(2025, 2, 3)


def test_fit_template_in_english(demo, registry, tmp_path):
    raw = yaml.safe_load(Path(demo.path).read_text(encoding="utf-8"))
    raw["language"] = "en"
    english = tmp_path / "en.yaml"
    english.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    config = load_config(english)
    path = write_template(config, "hasselberg", registry, tmp_path / "fit.xlsx")
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames[:3] == ["Data", "Codebook", "About"]
    data = workbook["Data"]
    headings = [cell.value for cell in data[1]]
    assert headings[:3] == ["Client", "Episode", "Session date"] and headings[-1] == "Episode end"
    checks = validations(data)
    column = {heading: openpyxl.utils.get_column_letter(i) for i, heading in enumerate(headings, start=1)}
    assert list_values(workbook, checks[column["Instrument"]])[1] == "CORS (children 6–12)"
    assert (checks[column["ORS total"]].type, checks[column["ORS total"]].formula2) == ("decimal", "40")
    data.append(["C1", None, dt.date(2025, 3, 1), "T1", "Unit A", "Woman", 34, "ORS (adults and adolescents)",
                 5, 5.5, 6, 4, None, 9, 9, 9, 9, 36, None])
    workbook.save(path)
    english.write_text(yaml.safe_dump({"language": "en", "datasets": {"f": {"model": "fit", "source": "fit.xlsx"}}}),
                       encoding="utf-8")
    dataset = load_all(load_config(english), registry)["f"]
    assert (dataset.rows_valid, dataset.rows_quarantined) == (1, 0)
    row = dataset.frame.iloc[0]
    assert (row["gender"], row["instrument"], row["ors_total"]) == ("kvinna", "ORS", 20.5)   # total from the items


def test_headings_fall_back_to_names_when_a_title_names_another_field(registry):
    from isu_engine.configure.model import parse_model
    from isu_engine.configure.schema import Document

    model = parse_model(yaml.safe_load("""
name: clash
fields:
  - {name: nummer, type: integer, title: {sv: Id-nr}}
  - {name: id, type: string, role: subject, title: {sv: Nummer}}
  - {name: town, type: string, title: {sv: Ort, en: Town}}
  - {name: place, type: string, title: {sv: Plats, en: Ort}}
  - {name: note, type: string, title: {sv: Anteckning}}
"""), Document("clash.yaml"), registry.rule_kinds)
    # "Nummer" is also the name of the field nummer; "Ort" is place's English title: those fall back to names.
    assert template_headings(model, "sv") == {"nummer": "Id-nr", "id": "id", "town": "town", "place": "Plats",
                                              "note": "Anteckning"}


def test_unknown_dataset_is_a_user_error(demo, cli, tmp_path):
    result = cli("template", demo.path, "nosuch", "--out", tmp_path / "x.xlsx")
    assert result.code == 2 and "nosuch" in result.err and "violalund" in result.err
    assert not (tmp_path / "x.xlsx").exists()
    written = cli("template", demo.path, "violalund", "--out", tmp_path / "v.xlsx")
    assert written.code == 0 and (tmp_path / "v.xlsx").is_file()
