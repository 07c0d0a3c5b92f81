"""LOKE analyses: the period rule, result indicators, the idea, own variables, rating change and a demo run.

Small data sets are built by hand so that every expected figure can be worked out on paper;
they run through the whole pipeline (CSV, config, validation, analyses, disclosure control).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from isu_engine.errors import UserError
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from isu_engine.configure.config import load_config
from isu_engine.protect.records import Records
from isu_engine.configure.plugins import load_registry
from isu_engine.analyse.report import Report, apply_disclosure, build_report
from isu_engine.commands.run import load_all
from isu_loke.idea import RANGE, VALUES, Criterion, block_flags

FIELDS = ["case_id", "gender", "age", "referral", "problem_areas", "intervention", "method", "start_date",
          "end_date", "n_contacts", "end_reason", "goal_attainment", "rating_start", "rating_end", "satisfaction"]
PERIOD = {"start": "2025-01-01", "end": "2025-12-31"}
# DESIGN §5: the LOKE figures, and the change figures of every scale with a change analysis.
LOKE_FIGURES = ["n_cases", "ended_as_planned_pct", "goal_attained_pct", "idea.target_group_pct",
                "idea.intervention_pct", "idea.result_pct"]
CHANGE_FIGURES = [f"rating.{name}" for name in (
    "n_paired", "mean_pre", "mean_post", "sd_pre", "effect_size", "reliable_change_points", "cutoff",
    "jt_recovered", "jt_improved", "jt_unchanged", "jt_deteriorated", "jt_harmed")]


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def case(case_id: str, start: str, end: str = "", **values) -> dict:
    """One case row with LOKE field names; unspecified fields are empty."""
    row = {name: "" for name in FIELDS}
    row.update(case_id=case_id, start_date=start, end_date=end, gender="flicka", age="8")
    row.update({key: str(value) for key, value in values.items()})
    return row


def write_project(folder: Path, rows: list[dict], **dataset) -> Path:
    """A CSV of `rows` and a config with one LOKE dataset `x`; extra keys of the dataset entry and
    top-level keys (min_cell, language) come from `dataset`."""
    folder.mkdir(parents=True, exist_ok=True)
    columns = list(dict.fromkeys(name for row in rows for name in row))
    with (folder / "x.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, delimiter=",")
        writer.writeheader()
        writer.writerows(rows)
    top = {"period": PERIOD, "disclosure": {"min_cell": dataset.pop("min_cell", 1)},
           "language": dataset.pop("language", "sv")}
    top["datasets"] = {"x": {"model": "loke", "source": "x.csv", **dataset}}
    path = folder / "c.yaml"
    path.write_text(yaml.safe_dump(top, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def run(folder: Path, registry, rows: list[dict], **dataset) -> Report:
    config = load_config(write_project(folder, rows, **dataset))
    datasets = load_all(config, registry)
    assert all(d.rows_quarantined == 0 for d in datasets.values()), datasets["x"].issues
    records = Records()
    reports = [build_report(d, config, registry, records) for d in datasets.values()]
    apply_disclosure(reports, records, config)
    return reports[0]


def figure(report: Report, figure_id: str):
    return report.figures()[figure_id].cell.value


def section(report: Report, section_id: str):
    return next(s for s in report.sections if s.id == section_id)


def table(report: Report, table_id: str):
    return next(t for t in report.tables() if t.id == table_id)


def row_values(table, label: str) -> list:
    """The values of the row whose first column reads `label`, the other columns in the table's order."""
    first, *others = [column.id for column in table.columns]
    row = next(r for r in table.rows if r[first].value == label)
    return [row[column].value for column in others]


# --- cases and the period ------------------------------------------------------------------------

PERIOD_CASES = [
    case("A", "2024-06-01", "2025-03-01"),   # started before, ended inside: active, ended (273 days)
    case("B", "2026-02-01"),                 # starts after the period: not in it
    case("C", "2025-05-01"),                 # still open: active, open
    case("D", "2023-01-01", "2024-12-31"),   # ended the day before the period: not in it
    case("E", "2025-12-31", "2026-01-10"),   # starts on the last day, ends after: active, open at the end
    case("F", "2025-01-01", "2025-01-01"),   # starts and ends on the first day: active, ended (0 days)
]


def test_cases_belong_to_the_period_when_active_during_it(tmp_path, registry):
    report = run(tmp_path, registry, PERIOD_CASES)
    assert not report.failed_sections
    assert figure(report, "n_cases") == 4
    assert figure(report, "n_cases_ended") == 2
    assert figure(report, "n_cases_open") == 2
    summary = table(report, "x.intervention.summary")
    n, mean, median = row_values(summary, "Vårdtid (dagar)")[:3]
    assert (n, mean, median) == (2, 136.5, 136.5)  # durations 273 and 0 days


def test_previous_year_side_by_side_when_the_data_covers_it(tmp_path, registry):
    report = run(tmp_path, registry, PERIOD_CASES)
    previous = table(report, "x.previous_year")
    assert [c.label for c in previous.columns[1::2]] == ["2025", "2024", "Förändring"]
    # 2024: A (open at the end of 2024) and D (ended 2024-12-31) were active; D ended in 2024.
    assert row_values(previous, "Ärenden i perioden") == [4, "", 2, "", 2, ""]   # counts: no interval
    assert row_values(previous, "Avslutade ärenden") == [2, "", 1, "", 1, ""]


def test_previous_year_differences_of_shares_have_intervals(tmp_path, registry):
    # Ended as planned: 2025 A (planned) and F (moved): 1 of 2, Wilson 9.45–90.55 %; 2024 D (moved): 0 of 1,
    # Wilson 0–79.34 %. The difference +50 points has the interval (Newcombe's method 10)
    # 50 − √(40.55² + 79.34²) = −39.10 to 50 + √(40.55² + 0²) = 90.55: within chance variation.
    reasons = {"A": "planerat avslut", "F": "flytt", "D": "flytt"}
    rows = [dict(row, end_reason=reasons.get(row["case_id"], "")) for row in PERIOD_CASES]
    report = run(tmp_path, registry, rows)
    row = next(r for r in table(report, "x.previous_year").rows if r["figure"].value == "Avslutade enligt plan")
    assert row["change"].value == pytest.approx(50.0) and row["noise"].value == "inom slumpvariationen"
    assert (row["change"].low, row["change"].high) == pytest.approx((-39.10, 90.55), abs=0.01)


# --- result indicators ---------------------------------------------------------------------------

RESULT_CASES = [
    case("R1", "2025-01-10", "2025-06-01", end_reason="planerat avslut", goal_attainment="helt"),
    case("R2", "2025-01-10", "2025-06-01", end_reason="planerat avslut", goal_attainment="helt"),
    case("R3", "2025-01-10", "2025-06-01", end_reason="planerat avslut", goal_attainment="delvis"),
    case("R4", "2025-01-10", "2025-06-01", end_reason="avbrutet av brukaren", goal_attainment="inte"),
    case("R5", "2025-01-10", "2025-06-01", end_reason="flytt", goal_attainment="ej bedömt"),
    case("R6", "2025-01-10", "2025-06-01"),  # ended without end reason or goal attainment
    # Open: its end reason and goal attainment must not count.
    case("R7", "2025-02-01", "", end_reason="planerat avslut", goal_attainment="helt"),
]


def test_ended_as_planned_and_goal_attained_by_hand(tmp_path, registry):
    report = run(tmp_path, registry, RESULT_CASES)
    assert figure(report, "n_cases_ended") == 6
    assert figure(report, "ended_as_planned_pct") == pytest.approx(100 * 3 / 6)  # no reason counts as not planned
    assert figure(report, "goal_attained_pct") == pytest.approx(100 * 2 / 4)     # ej bedömt and missing left out
    assert figure(report, "goal_partly_pct") == pytest.approx(100 * 1 / 4)


def test_previous_year_not_covered_says_so(tmp_path, registry):
    report = run(tmp_path, registry, RESULT_CASES)
    previous = section(report, "loke.previous_year")
    assert previous.status == "ok"
    assert not list(previous.tables())
    assert "2024" in previous.items[0].fill(str)


def test_small_counts_are_hidden_with_min_cell_5(tmp_path, registry):
    report = run(tmp_path, registry, RESULT_CASES, min_cell=5)
    figures = report.figures()
    for name in ("ended_as_planned_pct", "goal_attained_pct", "goal_partly_pct", "n_cases_open"):
        assert figures[name].cell.hidden, name
    # 7 cases = 6 ended + 1 open: one of the two visible totals must go too, or the 1 follows.
    assert figures["n_cases"].cell.hidden or figures["n_cases_ended"].cell.hidden
    assert "ended_as_planned_pct" in report.suppressed
    planned = next(r for r in table(report, "x.end_reason").rows if r["category"].value == "Planerat avslut")
    assert planned["n"].hidden and planned["pct"].hidden


# --- the idea ------------------------------------------------------------------------------------

IDEA_CASES = [
    case("I1", "2025-01-10", "2025-05-01", age=5, problem_areas="föräldraskap", intervention="Familjebehandling",
         n_contacts=10, end_reason="planerat avslut", goal_attainment="helt", rating_start=3, rating_end=5,
         satisfaction=5),
    case("I2", "2025-01-10", "2025-12-01", age=10, problem_areas="ekonomi;relationer",
         intervention="Familjebehandling", n_contacts=25, end_reason="planerat avslut", goal_attainment="delvis",
         rating_start=5, rating_end=5, satisfaction=4),
    case("I3", "2025-01-10", "2025-05-01", age=15, problem_areas="föräldraskap", intervention="Föräldrastöd",
         n_contacts=10, end_reason="planerat avslut", goal_attainment="inte", rating_start=6, rating_end=4,
         satisfaction=2),
    case("I4", "2025-01-10", "2025-07-29", age=8, problem_areas="ekonomi", intervention="Familjebehandling",
         n_contacts=10, end_reason="flytt", goal_attainment="ej bedömt", rating_start=2, rating_end=8),
    case("I5", "2025-03-01", "", age="", problem_areas="föräldraskap"),
    case("I6", "2025-03-01", "", age=3, problem_areas=""),
    case("I7", "2025-01-10", "2025-03-01", age=12, problem_areas="Föräldraskap ; skolsvårigheter",
         intervention="Familjebehandling", end_reason="avbrutet av brukaren", goal_attainment="ej bedömt",
         rating_start=4),
]
IDEA = {
    "target_group": {"age": [0, 12], "problem_areas": ["föräldraskap", "relationer"]},
    "intervention": {"intervention": ["Familjebehandling"], "n_contacts": [6, 20], "duration_days": [0, 180]},
    "result": {"n_cases": 5, "ended_as_planned_pct": 20, "goal_attained_pct": 90, "rating_improved_pct": 50,
               "satisfaction_mean": 4},
}


def test_idea_shares_by_hand(tmp_path, registry):
    report = run(tmp_path, registry, IDEA_CASES, idea=IDEA)
    assert not report.failed_sections
    # Target group, all 7 cases: I5 (no age) and I6 (no problem area) are left out;
    # inside: I1, I2 (relationer among its areas), I7 (12 is inclusive, any case, spaces); outside: I3, I4.
    assert figure(report, "idea.target_group_pct") == pytest.approx(100 * 3 / 5)
    target = table(report, "x.idea.target_group")
    assert row_values(target, "Ålder 0–12") == [6, 5, pytest.approx(100 * 5 / 6)]
    assert row_values(target, "Problemområden: föräldraskap eller relationer") == [6, 5, pytest.approx(100 * 5 / 6)]
    assert row_values(target, "Alla kriterier samtidigt") == [5, 3, pytest.approx(60.0)]
    assert row_values(target, "Utelämnade – saknar uppgift som behövs")[0] == 2
    # Intervention, the 5 ended cases: I7 has no contacts (left out); inside: I1 only
    # (I2: 25 contacts, I3: Föräldrastöd, I4: 200 days).
    assert figure(report, "idea.intervention_pct") == pytest.approx(100 * 1 / 4)
    exclusions = {row["reason"].value: row["n"].value for row in table(report, "x.quality.exclusions").rows}
    assert 2 in exclusions.values() and 1 in exclusions.values()


def test_idea_result_criteria_by_hand(tmp_path, registry):
    report = run(tmp_path, registry, IDEA_CASES, idea=IDEA)
    result = table(report, "x.idea.result")
    # Judged on the 95 % interval (Wilson for shares, t for the mean; a count is the unit's own cases, no interval):
    # n_cases 7 ≥ 5: met.
    # ended as planned 3/5: Wilson (0.6 + 0.3841 ± 1.96·√(0.048 + 0.0384)) / 1.7683 = 23.1–88.2 %; 23.1 ≥ 20: met.
    # goal attained 1/3: Wilson (0.3333 + 0.6403 ± 1.96·√(0.0741 + 0.1067)) / 2.2805 = 6.2–79.2 %; 79.2 < 90: not met.
    # rating better 2 of 4: Wilson 15.0–85.0 % holds 50: cannot tell.
    # satisfaction 5, 4, 2: mean 3.67, SD 1.528, t(2) = 4.303: 3.67 ± 3.79 holds 4: cannot tell.
    assert [row["met"].value for row in result.rows] == ["ja", "ja", "nej", "kan inte avgöras", "kan inte avgöras"]
    actual = result.column("actual")
    assert [cell.value for cell in actual] == pytest.approx([7, 60.0, 100 / 3, 50.0, 11 / 3])
    assert [(cell.low, cell.high) for cell in actual[1:3]] == [
        pytest.approx((23.07, 88.24), abs=0.01), pytest.approx((6.15, 79.23), abs=0.01)]
    assert (actual[4].low, actual[4].high) == pytest.approx((11 / 3 - 3.7945, 11 / 3 + 3.7945), abs=1e-3)
    assert [cell.value for cell in result.column("n")[1:]] == [5, 3, 4, 3]  # the n each value rests on
    # met / (met + not met) = 2 / 3; the two that cannot be told apart are counted on their own.
    assert figure(report, "idea.result_pct") == pytest.approx(200 / 3)
    assert figure(report, "idea.result_undecided") == 2


def test_a_criterion_reached_by_the_point_estimate_alone_cannot_be_told():
    from isu_loke.idea import ResultCriterion

    # The issue's case: 41.8 % against a level of 40 %, interval 35.2–48.8 %.
    criterion = ResultCriterion("goal_attained_pct", 40.0)
    assert criterion.verdict(41.8, 35.2, 48.8) == "cannot_tell"
    assert criterion.verdict(45.0, 40.0, 50.0) == "met"            # the lower bound reaching the level counts
    assert criterion.verdict(35.0, 30.0, 39.9) == "not_met"
    assert criterion.verdict(None) == "not_assessable"
    assert criterion.verdict(40.0) == "met" and criterion.verdict(39.0) == "not_met"   # no interval: the value


def test_result_pct_note_says_when_it_rests_on_hidden_figures(tmp_path, registry):
    report = run(tmp_path, registry, IDEA_CASES, idea=IDEA, min_cell=5)
    idea_section = section(report, "loke.idea")
    result = table(report, "x.idea.result")
    assert result.rows[1]["actual"].hidden  # 3 of 5
    assert result.rows[1]["met"].value == "ja"  # still judged on the true value and its interval
    notes = [item.fill(str) for item in idea_section.items if hasattr(item, "fill")]
    assert any("dolda siffror" in note for note in notes)
    assert figure(report, "idea.result_pct") == pytest.approx(200 / 3)


@pytest.mark.parametrize("idea, words", [
    ({"target_group": {"alder": [0, 12]}}, ["alder", "c.yaml", "rad"]),
    ({"result": {"goal_reached_pct": 70}}, ["goal_reached_pct", "c.yaml", "rad"]),
    ({"target_group": {"gender": ["flickor"]}}, ["flickor", "gender"]),
    ({"intervention": {"n_contacts": [20, 6]}}, ["n_contacts"]),
    ({"intervention": {"n_contacts": ["många"]}}, ["n_contacts", "[min, max]"]),
])
def test_mistakes_in_the_idea_are_config_errors(tmp_path, registry, idea, words):
    with pytest.raises(UserError) as caught:
        run(tmp_path, registry, IDEA_CASES, idea=idea)
    line = caught.value.line()
    assert "\n" not in line
    for word in words:
        assert word in line


@pytest.mark.parametrize("language, line_word", [("sv", "rad"), ("en", "line")])
def test_isu_validate_finds_a_mistake_in_the_idea_with_file_and_line(tmp_path, cli, language, line_word):
    config = write_project(tmp_path, IDEA_CASES, idea={"target_group": {"agee": [0, 12]}}, language=language)
    line = next(number for number, text in enumerate(config.read_text(encoding="utf-8").splitlines(), start=1)
                if "agee:" in text)
    result = cli("validate", config)
    assert result.code == 2 and result.err.count("\n") == 1 and "Traceback" not in result.err
    assert "c.yaml" in result.err and f"{line_word} {line}" in result.err
    assert "'agee'" in result.err and "age" in result.err.split("'agee'")[1]  # the known fields are listed


def test_a_misspelt_idea_key_is_named_with_the_nearest_key(tmp_path, cli):
    config = write_project(tmp_path, IDEA_CASES)
    config.write_text(config.read_text(encoding="utf-8").replace("source:", "ideas: {}\n    source:"),
                      encoding="utf-8")
    result = cli("validate", config)
    assert result.code == 2 and result.err.count("\n") == 1
    assert "ideas" in result.err and "'idea'" in result.err and "c.yaml" in result.err


def test_no_idea_says_so_and_gives_null_figures(tmp_path, registry):
    report = run(tmp_path, registry, IDEA_CASES)
    assert not report.failed_sections
    for name in ("idea.target_group_pct", "idea.intervention_pct", "idea.result_pct"):
        assert figure(report, name) is None


def test_minimal_data_runs_and_leaves_what_it_cannot_compute_empty(tmp_path, registry):
    rows = [{"case_id": "a", "start_date": "2025-01-01", "end_date": "2025-02-01"},
            {"case_id": "b", "start_date": "2025-03-01", "end_date": ""}]
    report = run(tmp_path, registry, rows, idea=IDEA)
    assert not report.failed_sections
    assert (figure(report, "n_cases"), figure(report, "n_cases_ended")) == (2, 1)
    # No end reasons in the data at all: the share cannot be computed (not 0 %).
    assert figure(report, "ended_as_planned_pct") is None
    # Only the count criterion can be assessed (2 cases < 5: not met); the four shares and the mean have no value.
    assert figure(report, "idea.result_pct") == 0.0
    assert figure(report, "idea.result_undecided") == 4
    assert [cell.value for cell in table(report, "x.idea.result").column("met")] == ["nej"] + ["kan inte bedömas"] * 4


# --- own variables -------------------------------------------------------------------------------

OWN_FIELDS = [
    {"name": "school", "type": "string", "block": "target_group", "title": {"sv": "Skola", "en": "School"},
     "categories": ["fungerar", "fungerar inte"]},
    {"name": "network", "type": "boolean", "block": "intervention", "title": {"sv": "Nätverksmöte", "en": "Network"}},
    {"name": "attendance", "type": "integer", "block": "result", "title": {"sv": "Närvaro", "en": "Attendance"}},
    {"name": "not_in_data", "type": "string", "block": "result"},
]


def own_rows() -> list[dict]:
    rows = []
    for index, (school, network, attendance, end) in enumerate([
        ("fungerar", "ja", "80", "2025-06-01"), ("fungerar", "nej", "90", "2025-06-01"),
        ("fungerar inte", "ja", "40", "2025-06-01"), ("", "ja", "", ""),
    ]):
        row = case(f"O{index}", "2025-01-10", end)
        row.update(school=school, network=network, attendance=attendance)
        rows.append(row)
    return rows


@pytest.mark.parametrize("language", ["sv", "en"])
def test_own_variables_appear_in_their_block(tmp_path, registry, language):
    report = run(tmp_path, registry, own_rows(), fields=OWN_FIELDS, language=language)
    assert not report.failed_sections
    where = {t.id: s.id for s in report.sections for t in s.tables()}
    assert where["x.own.school"] == "loke.target_group"
    assert where["x.own.network"] == "loke.intervention"
    assert where["x.own.attendance"] == "loke.result"
    assert "x.own.not_in_data" not in where  # declared, but not a column of the data
    school = table(report, "x.own.school")
    assert [cell.value for cell in school.column("n")] == [2, 1, 1]  # fungerar, fungerar inte, missing
    assert school.n.value == 4
    network = table(report, "x.own.network")
    assert [cell.value for cell in network.column("n")] == [3, 1]
    attendance = table(report, "x.own.attendance")  # result block: the 3 ended cases only
    assert row_values(attendance, "Närvaro" if language == "sv" else "Attendance")[:3] == [3, 70.0, 80.0]


def test_fields_without_declared_categories_are_not_tabulated(tmp_path, registry):
    report = run(tmp_path, registry, IDEA_CASES)
    assert not report.failed_sections
    ids = {t.id for t in report.tables()}
    for name in ("referral", "problem_areas", "intervention", "method"):
        assert f"x.{name}" not in ids, name
    assert not any(t.id.startswith("x.compare.") and t.id.endswith(".intervention") for t in report.tables())
    sentences = [item.fill(str) for s in report.sections for item in s.items if hasattr(item, "fill")]
    for title in ("Aktualisering", "Problemområden", "Insats", "Metod"):
        assert any(sentence.startswith(f"{title} redovisas inte") for sentence in sentences), title
    written = {cell.value for t in report.tables() for cell in t.cells()}
    assert not written & {"Familjebehandling", "Föräldrastöd", "föräldraskap", "ekonomi"}


# --- change in the client's own rating -----------------------------------------------------------

RATINGS = [(3, 5), (5, 5), (6, 4), (2, 8), (4, 5)]


def rating_rows() -> list[dict]:
    rows = [case(f"S{i}", "2025-01-10", "2025-06-01", rating_start=pre, rating_end=post)
            for i, (pre, post) in enumerate(RATINGS)]
    rows.append(case("S9", "2025-01-10", "2025-06-01", rating_start=4))  # no end rating: left out
    return rows


def test_rating_change_is_better_same_worse_by_default(tmp_path, registry):
    report = run(tmp_path, registry, rating_rows())
    assert figure(report, "rating.n_paired") == 5
    assert (figure(report, "rating.better"), figure(report, "rating.same"), figure(report, "rating.worse")) == (3, 1, 1)
    assert figure(report, "rating.jt_improved") is None
    assert figure(report, "rating_improved_pct") == pytest.approx(60.0)


def test_rating_change_with_the_units_reliable_change(tmp_path, registry):
    report = run(tmp_path, registry, rating_rows(), scales={"rating": {"reliable_change": 2}})
    # +2 and +6 reach 2 points; 0 and +1 do not; −2 does, downwards.
    assert figure(report, "rating.jt_improved") == 2
    assert figure(report, "rating.jt_unchanged") == 2
    assert figure(report, "rating.jt_deteriorated") == 1
    assert figure(report, "rating.reliable_change_points") == 2
    assert figure(report, "rating_improved_pct") == pytest.approx(40.0)
    categories = [cell.value for cell in table(report, "x.rating.change").column("category")]
    assert categories == ["Förbättrade", "Oförändrade", "Försämrade"]


# --- block flags: a property ---------------------------------------------------------------------

flag = st.sampled_from([True, False, None])


@settings(deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), flag), min_size=1, max_size=30))
def test_every_criterion_means_all_met_and_a_missing_value_leaves_the_case_out(cases):
    ages = pd.Series([age for age, _ in cases], dtype="Int64")
    areas = pd.Series(["a" if f else ("b" if f is False else None) for _, f in cases], dtype=object)
    frame = pd.DataFrame({"age": ages, "areas": areas})
    frame.loc[::3, "age"] = pd.NA
    criteria = [Criterion("age", "Ålder", RANGE, low=0, high=12),
                Criterion("areas", "Områden", VALUES, accepted=("a",), delimiter=";")]
    each, every = block_flags(criteria, frame)
    for i in range(len(frame)):
        parts = [each[0].iloc[i], each[1].iloc[i]]
        if any(p is pd.NA for p in parts):
            assert every.iloc[i] is pd.NA
        else:
            assert bool(every.iloc[i]) == all(parts)
            assert bool(parts[0]) == (0 <= frame["age"].iloc[i] <= 12)


# --- a realistic run -----------------------------------------------------------------------------

def test_demo_data_runs_with_every_loke_figure(demo_run):
    # the session's run of the demo config (`isu report` on every model's demo data, LOKE's among them)
    config = yaml.safe_load(demo_run.config.read_text(encoding="utf-8"))
    name = next(name for name, entry in config["datasets"].items() if entry["model"] == "loke")
    assert config["period"] == PERIOD
    result = json.loads((demo_run.reports / "report.json").read_text(encoding="utf-8"))["datasets"][name]
    assert result["failed_sections"] == []
    figures = result["figures"]
    for figure_id in LOKE_FIGURES + CHANGE_FIGURES:
        assert figure_id in figures, figure_id
    for figure_id in LOKE_FIGURES:
        assert figures[figure_id] is not None, figure_id
    assert 60 <= figures["idea.target_group_pct"] <= 80  # the demo is built with about 70 % inside
    assert figures["n_cases"] > figures["n_cases_ended"] > 0
    tables = {t["id"]: t for t in result["tables"]}
    for own in ("school_situation", "network_meeting", "school_attendance_improved"):
        assert f"{name}.own.{own}" in tables
    assert f"{name}.previous_year" in tables
    by_gender = tables[f"{name}.compare.ended_as_planned.gender"]
    assert any(row[-1] for row in by_gender["rows"])  # girls end as planned clearly more often than boys


def test_demo_every_share_has_its_n_and_every_figure_a_definition(tmp_path, registry):
    from isu_loke import demo

    entry = demo.write_demo(tmp_path)
    entry.pop("name")
    config = load_config(write_project(tmp_path, [], **{k: v for k, v in entry.items() if k != "model"}))
    datasets = load_all(config, registry)
    records = Records()
    report = build_report(datasets["x"], config, registry, records)
    apply_disclosure([report], records, config)
    loke_sections = [s for s in report.sections if s.id.startswith("loke.")]
    assert [s.id for s in loke_sections] == ["loke.overview", "loke.idea", "loke.target_group", "loke.intervention",
                                             "loke.result", "loke.differences", "loke.previous_year"]
    assert all(s.status == "ok" and s.intro for s in loke_sections)
    for s in loke_sections:
        for item in s.items:
            cells = list(item.table.cells() if hasattr(item, "table") else item.cells())
            if hasattr(item, "figures"):
                assert all(f.definition for f in item.figures if f.shown), s.id
            elif any(c.kind == "pct" for c in cells):
                has_n = getattr(item, "n", None) is not None or any(c.kind == "count" for c in cells)
                assert has_n, getattr(item, "id", s.id)


def test_open_cases_past_the_intended_duration(tmp_path, registry):
    # The intended duration is at most 180 days; on 2025-12-31 O1 (from 2025-07-04) has lasted 180 days,
    # O2 (from 2025-07-03) 181 and O3 (from 2025-01-02) 363: two open cases past it. E1 ended after 300 days
    # and counts in idea.intervention_pct instead.
    rows = [case("O1", "2025-07-04"), case("O2", "2025-07-03"), case("O3", "2025-01-02"),
            case("E1", "2025-01-02", "2025-10-29", intervention="Familjebehandling", n_contacts=10)]
    report = run(tmp_path, registry, rows, idea=IDEA)
    assert figure(report, "idea.open_past_duration") == 2
    assert figure(report, "idea.intervention_pct") == 0.0
