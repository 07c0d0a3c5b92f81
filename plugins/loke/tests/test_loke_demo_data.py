"""Synthetic demo data: LOKE cases of Öppenvården Violalund."""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from isu_engine.configure.config import load_config
from isu_fit import demo as fit_demo
from isu_loke import demo as loke_demo

LOKE_FIELDS = [
    "case_id", "gender", "age", "referral", "problem_areas", "intervention", "method", "start_date",
    "end_date", "n_contacts", "end_reason", "goal_attainment", "rating_start", "rating_end", "satisfaction",
]


LOKE_OWN = ["school_situation", "network_meeting", "school_attendance_improved"]


LOKE_HEADINGS = [
    "Ärende", "Kön", "Ålder", "Aktualisering", "Problemområden", "Insats", "Metod", "Startdatum", "Slutdatum",
    "Antal kontakter", "Avslutsorsak", "Måluppfyllelse", "Skattning start", "Skattning slut", "Nöjdhet",
    "Skolsituation", "Nätverksmöte", "Skolnärvaro förbättrad",
]


UNIT_END_REASONS = ["Avsl. enl. plan", "Avbrutet av brukaren", "Avbrutet av verksamheten", "Flytt", "Annat"]


PROBLEM_AREAS = {
    "föräldraskap", "relationer", "skolsvårigheter", "psykisk ohälsa", "missbruk i familjen",
    "våld i nära relation", "ekonomi",
}


@pytest.fixture(scope="module")
def cases() -> pd.DataFrame:
    return loke_demo.generate(450)


@pytest.fixture(scope="module")
def many_cases() -> pd.DataFrame:
    return loke_demo.generate(8000, seed=11)


def broken(frame: pd.DataFrame) -> list[int]:
    return sorted(row for rows in frame.attrs["broken_rows"].values() for row in rows)


def clean(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(index=broken(frame))


def planned_share(cases: pd.DataFrame, code: str) -> float:
    ended = clean(cases).dropna(subset=["end_date"])
    return (ended.loc[ended["gender"] == code, "end_reason"] == "Avsl. enl. plan").mean()


def in_target_group(cases: pd.DataFrame) -> pd.Series:
    areas = cases["problem_areas"].str.split(";")
    wanted = areas.apply(lambda items: bool({"föräldraskap", "relationer"} & set(items)))
    return cases["age"].between(0, 12) & wanted


def test_same_seed_same_data_other_seed_other_data():
    cases, again_cases = loke_demo.generate(200, seed=5), loke_demo.generate(200, seed=5)
    pd.testing.assert_frame_equal(cases, again_cases)
    assert not cases.equals(loke_demo.generate(200, seed=6))


def test_loke_columns_are_the_model_fields_and_three_own(cases):
    assert list(cases.columns) == LOKE_FIELDS + LOKE_OWN


def test_loke_demo_size(cases):
    assert len(cases) == 450
    rows = clean(cases)
    active = (rows["start_date"] <= "2025-12-31") & (rows["end_date"].isna() | (rows["end_date"] >= "2025-01-01"))
    assert 215 <= active.sum() <= 290
    assert rows["start_date"].dt.year.isin([2024, 2025]).all()
    assert 0.15 <= rows.loc[active, "end_date"].isna().mean() <= 0.30


def test_loke_values(cases):
    rows = clean(cases)
    assert rows["case_id"].str.fullmatch(r"V-(2024|2025)-\d{3}").all()
    assert (rows["case_id"].str[2:6].astype(int) == rows["start_date"].dt.year).all()
    assert set(rows["gender"]) <= {"F", "P", "K", "M", "A", "O"}
    assert set(rows.loc[rows["age"] < 18, "gender"]) <= {"F", "P", "A", "O"}
    assert rows["age"].between(0, 12).mean() == pytest.approx(0.775, abs=0.06)
    assert rows["age"].between(13, 17).mean() == pytest.approx(0.20, abs=0.05)
    assert set(rows["referral"]) == {"Anmälan", "Ansökan", "Egen kontakt", "Annan verksamhet"}
    assert set(rows["problem_areas"].str.split(";").explode()) <= PROBLEM_AREAS
    assert rows["problem_areas"].str.contains(";").mean() > 0.5
    assert set(rows["intervention"]) == {"Familjebehandling", "Föräldrastöd", "Samtalsstöd", "Nätverksarbete"}
    assert set(rows["method"]) == {"MI", "ABC", "Föräldrakurs", "Traumafokuserad KBT", "Annan"}
    assert rows["n_contacts"].between(1, 40).all()
    assert rows["rating_start"].dropna().between(1, 10).all()
    assert rows["rating_end"].dropna().between(1, 10).all()
    assert rows["satisfaction"].dropna().between(1, 5).all()


def test_loke_open_and_ended_cases(cases):
    rows = clean(cases)
    ended, open_ = rows[rows["end_date"].notna()], rows[rows["end_date"].isna()]
    assert (ended["end_date"] > ended["start_date"]).all()
    assert ended["n_contacts"].ge(3).all()
    assert set(ended["end_reason"]) == set(UNIT_END_REASONS)
    assert set(ended["goal_attainment"]) == {"helt", "delvis", "inte", "ej bedömt"}
    assert ended["rating_end"].notna().mean() > 0.7
    assert ended["satisfaction"].notna().mean() == pytest.approx(0.70, abs=0.08)
    change = (ended["rating_end"] - ended["rating_start"]).dropna()
    assert change.between(1, 4).mean() > 0.5
    outcome = ["end_reason", "goal_attainment", "rating_end", "satisfaction", "school_attendance_improved"]
    assert open_[outcome].isna().all().all()


def test_loke_own_variables(cases):
    rows = clean(cases)
    school_age = rows["age"].between(6, 17)
    assert set(rows.loc[school_age, "school_situation"]) == {"fungerar", "delvis", "fungerar inte"}
    assert rows.loc[~school_age, "school_situation"].isna().all()
    assert set(rows["network_meeting"]) == {"ja", "nej"}
    ended = rows[rows["end_date"].notna()]
    assert set(ended["school_attendance_improved"]) == {"ja", "nej", "ej aktuellt"}
    works = ended["school_situation"].isna() | (ended["school_situation"] == "fungerar")
    assert (ended.loc[works, "school_attendance_improved"] == "ej aktuellt").all()


def test_girls_end_as_planned_more_often_than_boys(cases, many_cases):
    assert planned_share(cases, "F") - planned_share(cases, "P") >= 0.15
    assert planned_share(many_cases, "F") == pytest.approx(0.78, abs=0.04)
    assert planned_share(many_cases, "P") == pytest.approx(0.52, abs=0.04)


def test_seven_in_ten_cases_in_the_intended_target_group(cases, many_cases):
    assert in_target_group(clean(cases)).mean() == pytest.approx(0.70, abs=0.06)
    assert in_target_group(clean(many_cases)).mean() == pytest.approx(0.70, abs=0.03)


def test_loke_broken_rows(cases):
    rows = cases.attrs["broken_rows"]
    assert set(rows) == {"age_150", "end_before_start", "goal_kanske", "duplicate_case_id"}
    assert all(len(positions) >= 1 for positions in rows.values())
    assert sorted(np.flatnonzero(cases["age"] == 150)) == rows["age_150"]
    assert sorted(np.flatnonzero(cases["end_date"] < cases["start_date"])) == rows["end_before_start"]
    assert sorted(np.flatnonzero(cases["goal_attainment"] == "kanske")) == rows["goal_kanske"]
    assert sorted(np.flatnonzero(cases["case_id"].duplicated())) == rows["duplicate_case_id"]


SIZES = {"n": st.integers(1, 150), "seed": st.integers(0, 2**32 - 1), "start_year": st.integers(2015, 2030),
         "years": st.integers(1, 3)}


@settings(deadline=None)
@given(**SIZES)
def test_loke_invariants_for_any_size_and_seed(n, seed, start_year, years):
    frame = loke_demo.generate(n, seed=seed, start_year=start_year, years=years)
    rows = clean(frame)
    assert len(frame) == n
    assert rows["case_id"].is_unique
    assert rows["start_date"].between(f"{start_year}-01-01", f"{start_year + years}-01-08").all()
    assert (rows["end_date"].dropna() <= pd.Timestamp(f"{start_year + years - 1}-12-31")).all()
    assert (rows["end_date"].isna() == rows["end_reason"].isna()).all()


def test_loke_workbook_with_title_and_headings_on_row_three(tmp_path, cases):
    entry = loke_demo.write_demo(tmp_path)
    sheet = openpyxl.load_workbook(tmp_path / entry["source"])[entry["read"]["sheet"]]
    assert sheet["A1"].value == "Ärendeuppföljning Violalund"
    assert entry["read"] == {"sheet": "Data", "header_row": 3}
    assert [cell.value for cell in sheet[3]] == LOKE_HEADINGS
    data = pd.DataFrame([list(row) for row in sheet.iter_rows(min_row=4, max_row=3 + len(cases), values_only=True)],
                        columns=LOKE_HEADINGS).rename(columns=entry["columns"])
    assert list(data.columns) == LOKE_FIELDS + LOKE_OWN
    assert data["case_id"].tolist() == cases["case_id"].tolist()
    pd.testing.assert_series_equal(
        pd.to_datetime(data["end_date"]).astype("datetime64[s]"), cases["end_date"].astype("datetime64[s]")
    )
    assert sheet.cell(row=4, column=8).number_format == "yyyy-mm-dd"
    assert all(cell.value is None for cell in sheet[4 + len(cases)])
    totals = [cell.value for cell in sheet[5 + len(cases)]]
    assert totals[0] == "Summa"
    assert totals[LOKE_HEADINGS.index("Antal kontakter")] == cases["n_contacts"].sum()
    assert sheet.max_row == 5 + len(cases)


def test_loke_dataset_entry(tmp_path, cases):
    entry = loke_demo.write_demo(tmp_path)
    assert {key: entry[key] for key in ("name", "model", "title", "source")} == {
        "name": "violalund", "model": "loke", "title": "Öppenvården Violalund", "source": "violalund.xlsx",
    }
    assert entry["columns"] == dict(zip(LOKE_HEADINGS, LOKE_FIELDS + LOKE_OWN))
    assert set(entry["values"]["gender"]) >= set(cases["gender"])
    assert set(entry["values"]["gender"].values()) == {"flicka", "pojke", "kvinna", "man", "annat", "okänt"}
    assert entry["values"]["end_reason"] == dict(zip(UNIT_END_REASONS, [
        "planerat avslut", "avbrutet av brukaren", "avbrutet av verksamheten", "flytt", "annat",
    ]))
    fields = {field["name"]: field for field in entry["fields"]}
    assert list(fields) == LOKE_OWN
    assert [field["block"] for field in fields.values()] == ["target_group", "intervention", "result"]
    for name, field in fields.items():
        assert field["type"] == "string" and set(field["title"]) == {"sv", "en"}
        values = {category["value"] for category in field["categories"]}
        assert set(cases[name].dropna()) == values
    assert entry["idea"] == {
        "target_group": {"age": [0, 12], "problem_areas": ["föräldraskap", "relationer"]},
        "intervention": {
            "intervention": ["Familjebehandling", "Föräldrastöd"], "n_contacts": [6, 20], "duration_days": [0, 180],
        },
        "result": {"goal_attained_pct": 40, "ended_as_planned_pct": 80},
    }


def test_entries_make_a_config_the_engine_accepts(tmp_path):
    datasets = {}
    for module in (fit_demo, loke_demo):
        entry = module.write_demo(tmp_path)
        datasets[entry.pop("name")] = entry
    path = tmp_path / "demo.yaml"
    path.write_text(yaml.safe_dump({"datasets": datasets}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    config = load_config(path)
    assert set(config.datasets) == {"hasselberg", "violalund"}
