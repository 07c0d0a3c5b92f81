"""Synthetic LOKE case data for the demo and the benchmark: Öppenvården Violalund.

One row per case with the LOKE field names, holding the values as the unit stores them:
gender as its own codes (F, P, K, M, A, O) and end reasons in its own spellings, both
recoded by the `values:` of the dataset entry; dates as dates, open cases without an
end date. Three own variables follow the unit's LOKE structure: school situation (target
group), network meeting (intervention) and improved school attendance (result).

Built in for the group-difference flags and the idea comparison:
- girls end as planned clearly more often than boys (about 78 % against 52 % of ended cases);
- about 70 % of the cases are inside the intended target group (age 0–12 with
  föräldraskap or relationer among the problem areas).

Deliberately broken rows for the validation demo, about 1 % of the rows, split evenly over
four kinds (their row positions are listed in ``frame.attrs["broken_rows"]``):
- ``age_150``: the age is 150;
- ``end_before_start``: the end date lies 5–60 days before the start date;
- ``goal_kanske``: the goal attainment is "kanske", not one of the allowed values;
- ``duplicate_case_id``: the case id repeats the one on the row above.
The demo workbook also has an empty row and a totals row ("Summa" under Ärende, with
counts under Startdatum, Slutdatum and Nöjdhet and the sum of Antal kontakter) below the
cases, as a unit's own sheet often has.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from isu_engine.api import rows_to_break

DATASET_NAME = "violalund"
DATASET_TITLE = "Öppenvården Violalund"
DEMO_FILE = "violalund.xlsx"
DEMO_CASES = 450
SHEET = "Data"
SHEET_TITLE = "Ärendeuppföljning Violalund"
HEADER_ROW = 3

# The unit's headings, in the order of its sheet, and the field each one holds.
HEADINGS = {
    "Ärende": "case_id",
    "Kön": "gender",
    "Ålder": "age",
    "Aktualisering": "referral",
    "Problemområden": "problem_areas",
    "Insats": "intervention",
    "Metod": "method",
    "Startdatum": "start_date",
    "Slutdatum": "end_date",
    "Antal kontakter": "n_contacts",
    "Avslutsorsak": "end_reason",
    "Måluppfyllelse": "goal_attainment",
    "Skattning start": "rating_start",
    "Skattning slut": "rating_end",
    "Nöjdhet": "satisfaction",
    "Skolsituation": "school_situation",
    "Nätverksmöte": "network_meeting",
    "Skolnärvaro förbättrad": "school_attendance_improved",
}
GENDER_CODES = {"F": "flicka", "P": "pojke", "K": "kvinna", "M": "man", "A": "annat", "O": "okänt"}
END_REASONS = {
    "Avsl. enl. plan": "planerat avslut",
    "Avbrutet av brukaren": "avbrutet av brukaren",
    "Avbrutet av verksamheten": "avbrutet av verksamheten",
    "Flytt": "flytt",
    "Annat": "annat",
}
OWN_FIELDS = [
    {
        "name": "school_situation",
        "type": "string",
        "title": {"sv": "Skolsituation", "en": "School situation"},
        "block": "target_group",
        "categories": [
            {"value": "fungerar", "label": {"sv": "fungerar", "en": "works"}},
            {"value": "delvis", "label": {"sv": "delvis", "en": "partly"}},
            {"value": "fungerar inte", "label": {"sv": "fungerar inte", "en": "does not work"}},
        ],
    },
    {
        "name": "network_meeting",
        "type": "string",
        "title": {"sv": "Nätverksmöte", "en": "Network meeting"},
        "block": "intervention",
        "categories": [
            {"value": "ja", "label": {"sv": "ja", "en": "yes"}},
            {"value": "nej", "label": {"sv": "nej", "en": "no"}},
        ],
    },
    {
        "name": "school_attendance_improved",
        "type": "string",
        "title": {"sv": "Skolnärvaro förbättrad", "en": "School attendance improved"},
        "block": "result",
        "categories": [
            {"value": "ja", "label": {"sv": "ja", "en": "yes"}},
            {"value": "nej", "label": {"sv": "nej", "en": "no"}},
            {"value": "ej aktuellt", "label": {"sv": "ej aktuellt", "en": "not applicable"}},
        ],
    },
]
IDEA = {
    "target_group": {"age": [0, 12], "problem_areas": ["föräldraskap", "relationer"]},
    "intervention": {
        "intervention": ["Familjebehandling", "Föräldrastöd"], "n_contacts": [6, 20], "duration_days": [0, 180],
    },
    "result": {"goal_attained_pct": 40, "ended_as_planned_pct": 80},
}

REFERRALS = ["Anmälan", "Ansökan", "Egen kontakt", "Annan verksamhet"]
PROBLEM_AREAS = [
    "föräldraskap", "relationer", "skolsvårigheter", "psykisk ohälsa", "missbruk i familjen",
    "våld i nära relation", "ekonomi",
]
INTERVENTIONS = ["Familjebehandling", "Föräldrastöd", "Samtalsstöd", "Nätverksarbete"]
METHODS = ["MI", "ABC", "Föräldrakurs", "Traumafokuserad KBT", "Annan"]
GOAL_ATTAINMENT = ["helt", "delvis", "inte", "ej bedömt"]
BROKEN_KINDS = ("age_150", "end_before_start", "goal_kanske", "duplicate_case_id")

# Per age group (0–5, 6–12, 13–17, adults): how likely each problem area is (order of
# PROBLEM_AREAS), and the intervention mix (order of INTERVENTIONS).
AGE_GROUPS = ((0, 5, 0.30), (6, 12, 0.475), (13, 17, 0.20), (19, 45, 0.025))
AREA_RATES = np.array([
    [0.82, 0.50, 0.00, 0.10, 0.14, 0.16, 0.18],
    [0.70, 0.62, 0.40, 0.18, 0.11, 0.13, 0.14],
    [0.35, 0.50, 0.45, 0.50, 0.12, 0.12, 0.10],
    [0.60, 0.50, 0.05, 0.40, 0.10, 0.25, 0.25],
])
INTERVENTION_MIX = np.array([
    [0.45, 0.40, 0.00, 0.15],
    [0.42, 0.20, 0.23, 0.15],
    [0.30, 0.10, 0.45, 0.15],
    [0.20, 0.30, 0.50, 0.00],
])
# Per intervention: the method mix (order of METHODS) and contacts per week.
METHOD_MIX = np.array([
    [0.35, 0.15, 0.00, 0.15, 0.35],
    [0.10, 0.45, 0.40, 0.00, 0.05],
    [0.40, 0.00, 0.00, 0.30, 0.30],
    [0.30, 0.00, 0.00, 0.00, 0.70],
])
CONTACTS_PER_WEEK = np.array([1.0, 0.8, 0.7, 0.45])


def generate(n: int, seed: int = 2025, start_year: int = 2024, years: int = 2) -> pd.DataFrame:
    """`n` cases that start over `years` calendar years from `start_year`, as the unit records them."""
    rng = np.random.default_rng(seed)
    first_day = np.datetime64(f"{start_year}-01-01", "D")
    last_day = np.datetime64(f"{start_year + years - 1}-12-31", "D")
    span = int((last_day - first_day).astype(int)) + 1

    start = _weekday(rng, first_day + _intake_days(rng, n, span))
    start = np.minimum(start, np.busday_offset(last_day, 0, roll="backward"))
    age, group = _ages(rng, n)
    gender = _genders(rng, age)
    areas = _problem_areas(rng, group)
    intervention = _choose(rng, INTERVENTION_MIX[group])
    planned = rng.random(n) < np.select([gender == "F", gender == "P"], [0.78, 0.52], 0.66)
    days = np.where(
        planned, rng.lognormal(np.log(120.0), 0.5, n), rng.lognormal(np.log(60.0), 0.7, n)
    ).astype(int) + 14
    end = _weekday(rng, start + days)
    ended = end <= last_day
    weeks = (np.where(ended, end, last_day) - start).astype(int) / 7
    contacts = np.rint(weeks * CONTACTS_PER_WEEK[intervention] * rng.lognormal(0.0, 0.3, n)).astype(int)
    school = _school_situation(rng, age, areas)

    frame = pd.DataFrame({
        "case_id": _case_ids(start),
        "gender": gender,
        "age": age,
        "referral": rng.choice(np.array(REFERRALS, dtype=object), n, p=[0.35, 0.35, 0.15, 0.15]),
        "problem_areas": _joined(areas),
        "intervention": np.array(INTERVENTIONS, dtype=object)[intervention],
        "method": np.array(METHODS, dtype=object)[_choose(rng, METHOD_MIX[intervention])],
        "start_date": pd.to_datetime(start),
        "end_date": pd.to_datetime(np.where(ended, end, np.datetime64("NaT"))),
        "n_contacts": np.clip(contacts, np.where(ended, 3, 1), 40),
        "end_reason": _only(ended, _end_reasons(rng, planned)),
        "goal_attainment": _only(ended, _goal_attainment(rng, planned)),
        **_ratings(rng, planned, ended),
        "school_situation": school,
        "network_meeting": _network_meeting(rng, intervention),
        "school_attendance_improved": _only(ended, _school_attendance(rng, school, planned)),
    })
    frame.attrs["broken_rows"] = _break_rows(rng, frame)
    return frame


def write_demo(folder: Path, seed: int = 2025) -> dict:
    """Write the Violalund workbook as the unit keeps it; return its dataset entry."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _write_workbook(folder / DEMO_FILE, generate(DEMO_CASES, seed=seed))
    return {
        "name": DATASET_NAME,
        "model": "loke",
        "title": DATASET_TITLE,
        "source": DEMO_FILE,
        "read": {"sheet": SHEET, "header_row": HEADER_ROW},
        "columns": dict(HEADINGS),
        "values": {"gender": dict(GENDER_CODES), "end_reason": dict(END_REASONS)},
        "categories": {"referral": list(REFERRALS), "problem_areas": list(PROBLEM_AREAS),
                       "intervention": list(INTERVENTIONS), "method": list(METHODS)},
        "fields": copy.deepcopy(OWN_FIELDS),
        "idea": copy.deepcopy(IDEA),
    }


def _write_workbook(path: Path, frame: pd.DataFrame) -> None:
    """The cases under the unit's headings on row HEADER_ROW, a title above, an empty row and totals below."""
    sheet = frame.rename(columns={name: heading for heading, name in HEADINGS.items()})
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        sheet.to_excel(writer, sheet_name=SHEET, startrow=HEADER_ROW - 1, index=False)
        worksheet = writer.sheets[SHEET]
        worksheet.cell(row=1, column=1, value=SHEET_TITLE).font = Font(bold=True, size=14)
        for column, heading in enumerate(HEADINGS, start=1):
            longest = max(len(heading), int(sheet[heading].astype(str).str.len().max()))
            worksheet.column_dimensions[get_column_letter(column)].width = min(50, max(12, longest + 2))
            if HEADINGS[heading].endswith("_date"):
                for (cell,) in worksheet.iter_rows(min_row=HEADER_ROW + 1, min_col=column, max_col=column):
                    cell.number_format = "yyyy-mm-dd"
        totals = {
            "Ärende": "Summa",
            "Startdatum": int(frame["start_date"].notna().sum()),
            "Slutdatum": int(frame["end_date"].notna().sum()),
            "Antal kontakter": int(frame["n_contacts"].sum()),
            "Nöjdhet": int(frame["satisfaction"].notna().sum()),
        }
        totals_row = HEADER_ROW + len(frame) + 2
        for heading, value in totals.items():
            worksheet.cell(row=totals_row, column=list(HEADINGS).index(heading) + 1, value=value)


def _choose(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One draw per row from that row's probabilities (rows sum to 1): the chosen column."""
    cumulative = np.cumsum(probabilities, axis=1)
    cumulative[:, -1] = 1.0
    return (rng.random((len(probabilities), 1)) >= cumulative).sum(axis=1)


def _only(present: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The values where `present`, else empty (None)."""
    chosen = values.astype(object)
    chosen[~present] = None
    return chosen


def _weekday(rng: np.random.Generator, dates: np.ndarray) -> np.ndarray:
    """Dates on a weekend move to any weekday of the next week."""
    moved = np.where(np.is_busday(dates), 0, rng.integers(0, 5, len(dates)))
    return np.busday_offset(dates, moved, roll="forward")


def _intake_days(rng: np.random.Generator, n: int, span: int) -> np.ndarray:
    """Start days in date order; intake falls slowly (density from 1.4 to 0.6 of the mean)."""
    share = rng.random(n)
    position = (1.4 - np.sqrt(1.96 - 1.6 * share)) / 0.8
    return np.sort((position * span).astype(int))


def _ages(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Ages, mostly 0–12, a fifth 13–17 and a few adults; and the index in AGE_GROUPS of each."""
    low, high, share = (np.array(column) for column in zip(*AGE_GROUPS, strict=True))
    group = rng.choice(len(AGE_GROUPS), n, p=share)
    return rng.integers(low[group], high[group] + 1), group


def _genders(rng: np.random.Generator, age: np.ndarray) -> np.ndarray:
    """The unit's gender codes: F/P for children, K/M for adults, A (annat) and O (okänt)."""
    draw = rng.random(len(age))
    female = rng.random(len(age)) < np.where(age >= 18, 0.6, 0.5)
    child = age < 18
    return np.select(
        [draw < 0.02, draw < 0.03, female & child, female, child], ["A", "O", "F", "K", "P"], "M"
    ).astype(object)


def _problem_areas(rng: np.random.Generator, group: np.ndarray) -> np.ndarray:
    """Which problem areas each case has (cases × areas), at least one each."""
    areas = rng.random((len(group), len(PROBLEM_AREAS))) < AREA_RATES[group]
    none = ~areas.any(axis=1)
    areas[np.flatnonzero(none), rng.integers(0, len(PROBLEM_AREAS), int(none.sum()))] = True
    return areas


def _joined(areas: np.ndarray) -> np.ndarray:
    """Problem areas as one text per case, separated by ';'."""
    text = pd.Series("", index=range(len(areas)), dtype=object)
    for column, area in enumerate(PROBLEM_AREAS):
        text = text + np.where(areas[:, column], area + ";", "")
    return text.str.rstrip(";").to_numpy(dtype=object)


def _case_ids(start: np.ndarray) -> np.ndarray:
    """Ids like V-2024-001, numbered by start date within the start year (cases come in date order)."""
    year = pd.Series(start.astype("datetime64[Y]").astype(int) + 1970)
    number = year.groupby(year).cumcount() + 1
    width = max(3, len(str(number.max())))
    return ("V-" + year.astype(str) + "-" + number.astype(str).str.zfill(width)).to_numpy(dtype=object)


def _end_reasons(rng: np.random.Generator, planned: np.ndarray) -> np.ndarray:
    """The unit's spellings: planned, else broken off by the client or the unit, moved, other."""
    other = rng.choice(np.array(list(END_REASONS)[1:], dtype=object), len(planned), p=[0.5, 0.15, 0.2, 0.15])
    return np.where(planned, next(iter(END_REASONS)), other)


def _goal_attainment(rng: np.random.Generator, planned: np.ndarray) -> np.ndarray:
    """Goals mostly met when the case ended as planned, seldom when it was broken off."""
    mix = np.where(planned[:, None], [0.55, 0.33, 0.06, 0.06], [0.08, 0.30, 0.32, 0.30])
    return np.array(GOAL_ATTAINMENT, dtype=object)[_choose(rng, mix)]


def _ratings(rng: np.random.Generator, planned: np.ndarray, ended: np.ndarray) -> dict[str, pd.arrays.IntegerArray]:
    """Own rating of the situation 1–10 at start and end (most improve by 1–4), satisfaction 1–5."""
    n = len(planned)
    start = np.clip(np.rint(rng.normal(4.2, 1.5, n)), 1, 9).astype(int)
    better = np.where(
        planned,
        rng.choice([-1, 0, 1, 2, 3, 4], n, p=[0.05, 0.08, 0.2, 0.3, 0.25, 0.12]),
        rng.choice([-2, -1, 0, 1, 2], n, p=[0.1, 0.2, 0.35, 0.25, 0.1]),
    )
    end = np.clip(start + better, 1, 10)
    mix = np.where(planned[:, None], [0.01, 0.03, 0.10, 0.36, 0.50], [0.08, 0.12, 0.25, 0.30, 0.25])
    satisfaction = 1 + _choose(rng, mix)
    has_start = rng.random(n) >= 0.03
    has_end = ended & (rng.random(n) >= np.where(planned, 0.05, 0.35))
    answered = ended & (rng.random(n) < np.where(planned, 0.82, 0.45))
    return {
        "rating_start": pd.array(_only(has_start, start), dtype="Int64"),
        "rating_end": pd.array(_only(has_end, end), dtype="Int64"),
        "satisfaction": pd.array(_only(answered, satisfaction), dtype="Int64"),
    }


def _school_situation(rng: np.random.Generator, age: np.ndarray, areas: np.ndarray) -> np.ndarray:
    """For school-age children (6–17): worse when school difficulties are a problem area."""
    school_trouble = areas[:, PROBLEM_AREAS.index("skolsvårigheter")]
    mix = np.where(school_trouble[:, None], [0.10, 0.45, 0.45], [0.55, 0.33, 0.12])
    situation = np.array(["fungerar", "delvis", "fungerar inte"], dtype=object)[_choose(rng, mix)]
    return _only((age >= 6) & (age <= 17), situation)


def _network_meeting(rng: np.random.Generator, intervention: np.ndarray) -> np.ndarray:
    """A network meeting in most network-work cases, in about a third of the others."""
    network_work = intervention == INTERVENTIONS.index("Nätverksarbete")
    return np.where(rng.random(len(intervention)) < np.where(network_work, 0.9, 0.3), "ja", "nej").astype(object)


def _school_attendance(rng: np.random.Generator, school: np.ndarray, planned: np.ndarray) -> np.ndarray:
    """Improved school attendance where school did not work; more often when the case ended as planned."""
    improved = rng.random(len(planned)) < np.where(planned, 0.6, 0.25)
    relevant = (school == "delvis") | (school == "fungerar inte")
    return np.where(relevant, np.where(improved, "ja", "nej"), "ej aktuellt").astype(object)


def _break_rows(rng: np.random.Generator, frame: pd.DataFrame) -> dict[str, list[int]]:
    """Break about 1 % of the rows, evenly over BROKEN_KINDS; return the row positions per kind."""
    ended = frame["end_date"].notna().to_numpy()
    not_first = np.arange(len(frame)) > 0
    eligible = {"end_before_start": ended, "goal_kanske": ended, "duplicate_case_id": not_first}
    broken = rows_to_break(rng, len(frame), BROKEN_KINDS, 0.01, eligible)

    frame.loc[broken["age_150"], "age"] = 150
    rows = broken["end_before_start"]
    before = pd.to_timedelta(rng.integers(5, 61, len(rows)), unit="D")
    frame.loc[rows, "end_date"] = frame.loc[rows, "start_date"] - before
    frame.loc[broken["goal_kanske"], "goal_attainment"] = "kanske"
    rows = broken["duplicate_case_id"]
    # Each copies the id of the row above it; of two neighbours only the upper one is kept.
    rows = broken["duplicate_case_id"] = rows[~np.isin(rows - 1, rows)]
    frame.loc[rows, "case_id"] = frame["case_id"].to_numpy()[rows - 1]
    return {kind: rows.tolist() for kind, rows in broken.items()}
