"""Comparative reports: the harmonized frame contract, each model's harmonization, the comparison's
sections on hand-built frames with known answers, disclosure control and `isu compare` end to end."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isu_engine.compare.comparison import Compared, build_comparison, comparability, comparison_report
from isu_engine.configure.config import Period, load_config
from isu_engine.configure.model import Category, Field, Model
from isu_engine.analyse.context import AnalysisConfig
from isu_engine.protect.records import Records
from isu_engine.compare.harmonize import (COLUMNS, HarmonizeError, describe, harmonize_dataset, harmonized_frame,
                                  validate_harmonized)
from isu_engine.configure.plugins import load_registry
from isu_engine.analyse.report import apply_disclosure, build_report
from isu_engine.analyse.results import Chart, Paragraph
from isu_engine.commands.run import compare_config, load_all
from isu_engine.protect.audit import audit
from isu_engine.render.outputs import disclosure_json, published_json, write_json
from isu_engine.analyse.tabulate import Tally

from fit_sessions import VOLUME_ROWS

pytestmark = pytest.mark.plugins("fit", "loke", "gas")

PERIOD = {"start": "2025-01-01", "end": "2025-12-31"}
LOKE_FIELDS = ["case_id", "gender", "age", "referral", "problem_areas", "intervention", "method", "start_date",
               "end_date", "n_contacts", "end_reason", "goal_attainment", "rating_start", "rating_end", "satisfaction"]


@pytest.fixture(scope="module")
def registry():
    return load_registry()


# --- writing small projects ----------------------------------------------------------------------


def case(case_id: str, start: str, end: str = "", **values) -> dict:
    row = {name: "" for name in LOKE_FIELDS}
    row.update(case_id=case_id, start_date=start, end_date=end, gender="flicka", age="8")
    row.update({key: str(value) for key, value in values.items()})
    return row


def project(folder: Path, datasets: dict[str, tuple[str, list[dict]]], min_cell: int = 1, **top) -> Path:
    """CSV files and a config: `datasets` maps a name to (model, rows)."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = {}
    for name, (model, rows) in datasets.items():
        pd.DataFrame(rows).to_csv(folder / f"{name}.csv", index=False)
        entries[name] = {"model": model, "source": f"{name}.csv", "title": name.upper(),
                         "read": {"delimiter": ",", "decimal": "."}}
    config = {"period": PERIOD, "disclosure": {"min_cell": min_cell}, **top, "datasets": entries}
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def harmonized_of(path: Path, registry, name: str = "x") -> pd.DataFrame:
    config = load_config(path)
    dataset = load_all(config, registry)[name]
    assert dataset.rows_quarantined == 0, dataset.issues.to_dict("records")
    ctx = AnalysisConfig(config=config, dataset=dataset.config, period=config.period,
                         tally=Tally(Records(), name))
    return harmonize_dataset(dataset, ctx, registry)


def run_compare(path: Path, registry, out: Path, formats=("json",)) -> tuple[int, dict, str]:
    stream = io.StringIO()
    code = compare_config(load_config(path), registry, out, formats, False, stream)
    document = json.loads((out / "comparison.json").read_text(encoding="utf-8")) if "json" in formats else {}
    return code, document, stream.getvalue()


def json_table(document: dict, table_id: str) -> dict:
    return next(t for t in document["datasets"]["comparison"]["tables"] if t["id"] == table_id)


def json_row(table: dict, label: str) -> list:
    return next(row for row in table["rows"] if row[0] == label)


def flags(column: pd.Series) -> dict:
    """A nullable yes/no column as plain values: True, False or None."""
    return {key: None if pd.isna(value) else bool(value) for key, value in column.items()}


# --- the contract ----------------------------------------------------------------------------------


def test_harmonized_frame_has_the_contract_columns_and_computes_duration():
    frame = harmonized_frame(
        dataset="d", model="m", subject=pd.Series(["a", "b"]),
        start=pd.Series(pd.to_datetime(["2025-01-01", "2025-03-01"])),
        end=pd.Series([pd.Timestamp("2025-01-31"), pd.NaT]),
        ended_planned=pd.Series([True, None], dtype=object), outcome=pd.Series(["improved", None], dtype=object))
    assert list(frame.columns) == list(COLUMNS)
    assert frame["duration_days"].tolist()[0] == 30 and np.isnan(frame["duration_days"].tolist()[1])
    assert frame["outcome"].tolist() == ["improved", "not_measured"]
    assert frame["goal_attained"].isna().all() and str(frame["goal_attained"].dtype) == "boolean"


def _valid_frame() -> pd.DataFrame:
    frame = harmonized_frame(dataset="d", model="m", subject=pd.Series(["a"]))
    return describe(frame, unit_of_analysis="ärende", units="ärenden", target_group="alla", definitions={})


@pytest.mark.parametrize("break_it, problem", [
    (lambda f: f.drop(columns=["outcome"]), "missing columns ['outcome']"),
    (lambda f: f.assign(outcome="better"), "'outcome' must be one of"),
    (lambda f: f.assign(contacts="many"), "column 'contacts' should hold number values"),
    (lambda f: f.assign(ended_planned=pd.array([True], dtype="boolean")), "without an end date"),
    (lambda f: f.assign(subject=[None]), "'subject' has missing values"),
])
def test_a_malformed_frame_is_refused_naming_the_plugin(break_it, problem):
    frame = _valid_frame()
    broken = break_it(frame)
    broken.attrs = dict(frame.attrs)
    with pytest.raises(HarmonizeError, match="isu_other") as error:
        validate_harmonized(broken, "isu_other", "d")
    assert problem in str(error.value) and "'d'" in str(error.value)


def test_a_frame_without_its_description_is_refused():
    frame = harmonized_frame(dataset="d", model="m", subject=pd.Series(["a"]))
    with pytest.raises(HarmonizeError, match="frame.attrs lacks"):
        validate_harmonized(frame, "isu_other", "d")
    with pytest.raises(HarmonizeError, match="expected a pandas DataFrame"):
        validate_harmonized([1, 2], "isu_other", "d")


# --- comparing hand-built frames -------------------------------------------------------------------


def _frame_a() -> pd.DataFrame:
    """Ten cases: six female, four male; eight ended (five as planned), two open; outcomes 4/2/1 of 7 measured."""
    start = pd.Series(pd.Timestamp("2025-01-01"), index=range(10))
    end = start + pd.to_timedelta([10, 20, 30, 40, 50, 60, 70, 80, np.nan, np.nan], unit="D")
    frame = harmonized_frame(
        dataset="a", model="loke", subject=pd.Series([f"a{i}" for i in range(10)]),
        gender=pd.Series(["flicka"] * 3 + ["kvinna"] * 3 + ["pojke"] * 2 + ["man"] * 2),
        age=pd.Series([5, 8, 10, 12, 14, 15, 16, 30, 40, np.nan]), start=start, end=end,
        contacts=pd.Series([2, 4, 6, 8, 10, 12, 14, 16, 3, 5]),
        ended_planned=pd.Series([True] * 5 + [False] * 3 + [None] * 2, dtype=object),
        outcome=pd.Series(["improved"] * 4 + ["unchanged"] * 2 + ["deteriorated"] + ["not_measured"] * 3),
        goal_attained=pd.Series([True, True, True, False, False] + [None] * 5, dtype=object),
        feedback=pd.Series([4, 5, 3, 4, 5] + [np.nan] * 5),
    )
    return describe(frame, unit_of_analysis="ärende", units="ärenden", target_group="Alla aktiva ärenden",
                    definitions={"contacts": "Kontakter per ärende", "duration": "Dagar start–slut",
                                 "ending": "Avslutsorsak planerat avslut", "outcome": "Egen skattning bättre/sämre",
                                 "goal": "Måluppfyllelse helt", "feedback": "Nöjdhet 1–5"},
                    outcome_measure="Egen skattning", feedback_scale="Nöjdhet 1–5",
                    respondents={"outcome": "client", "goal": "staff", "feedback": "client"})


def _frame_b() -> pd.DataFrame:
    """Six episodes: one female, three male, one other, one unknown; two ended (one as planned); 1/1/0 of 2 measured."""
    start = pd.Series(pd.Timestamp("2025-02-01"), index=range(6))
    end = pd.Series([pd.Timestamp("2025-03-01"), pd.Timestamp("2025-04-01")] + [pd.NaT] * 4)
    frame = harmonized_frame(
        dataset="b", model="fit", subject=pd.Series([f"b{i}" for i in range(6)]),
        gender=pd.Series(["flicka", "pojke", "pojke", "man", "annat", None], dtype=object),
        age=pd.Series([9, 10, 11, 20, 30, 40]), start=start, end=end, contacts=pd.Series([3, 5, 1, 1, 2, 2]),
        ended_planned=pd.Series([True, False] + [None] * 4, dtype=object),
        outcome=pd.Series(["improved", "unchanged"] + ["not_measured"] * 4),
        feedback=pd.Series([30, 36, 38, np.nan, np.nan, 40]),
    )
    return describe(frame, unit_of_analysis="klientepisod", units="klientepisoder",
                    target_group="Episoder med session", definitions={
                        "contacts": "Sessioner under perioden", "duration": "Dagar första–sista session",
                        "ending": "Avslut planerat på sista sessionen", "outcome": "ORS Jacobson–Truax 5 poäng",
                        "feedback": "SRS 0–40, medel per episod"},
                    outcome_measure="ORS, 5 poäng", feedback_scale="SRS 0–40",
                    respondents={"outcome": "client", "feedback": "client"})


def _config(tmp_path: Path, min_cell: int = 1):
    return load_config(project(tmp_path, {"a": ("loke", [case("a0", "2025-01-01")]),
                                          "b": ("loke", [case("b0", "2025-01-01")])}, min_cell=min_cell))


def _declaring_units(model: Model, units: list[str] | None) -> Model:
    """The model with a `unit` field whose categories are `units`, as a unit declares its own (unit names
    are never tabulated from the data); the model itself when `units` is None."""
    if units is None:
        return model
    field = model.fields.get("unit") or Field("unit", role="group", titles={"sv": "Enhet", "en": "Unit"})
    declared = tuple(Category(name, {"sv": name, "en": name}) for name in units)
    return model.with_own_fields([dataclasses.replace(field, categories=declared)])


def _compare_frames(tmp_path: Path, registry, frames: dict[str, tuple[str, pd.DataFrame]], min_cell: int = 1,
                    units: dict[str, list[str]] | None = None):
    """Compare hand-built frames; `units` gives a dataset's declared unit names (dataset -> names)."""
    config = _config(tmp_path, min_cell)
    records = Records()
    period = config.period
    compared = [Compared(name=name, title=name.upper(), model=_declaring_units(registry.model(model),
                                                                              (units or {}).get(name)), frame=frame,
                         ctx=AnalysisConfig(config=config, dataset=config.datasets["a"], period=period,
                                            tally=Tally(records, name)))
                for name, (model, frame) in frames.items()]
    report = comparison_report(compared, config, records)
    apply_disclosure([report], records, config)
    return report, compared


def _audited(report, config, out: Path) -> list:
    """What a reader can work out of the report's hidden counts: what comparison.json publishes of them (its
    `published` block, all the audit reads) written to `out`, then `isu audit`."""
    out.mkdir(parents=True, exist_ok=True)
    document = {"disclosure": disclosure_json(config),
                "datasets": {"comparison": {"published": published_json(report.cells())}}}
    write_json(document, out / "comparison.json")
    findings, min_cell = audit([out])
    assert min_cell == config.min_cell
    return findings


def _table(report, table_id):
    return next(t for t in report.tables() if t.id == table_id)


def _rows(report, table_id) -> dict[str, list]:
    """Each row's label (its first column) and the shown values of the other columns, in the table's column order."""
    table = _table(report, table_id)
    label, *others = [column.id for column in table.columns]
    return {str(row[label].value): [row[column].shown_value for column in others] for row in table.rows}


def test_hand_built_frames_known_answers(tmp_path, registry):
    report, _ = _compare_frames(tmp_path, registry, {"a": ("loke", _frame_a()), "b": ("fit", _frame_b())})
    assert not report.failed_sections, [(s.id, s.error) for s in report.failed_sections]
    figures = {key: figure.cell.value for key, figure in report.figures().items()}
    assert figures["a.n"] == 10 and figures["b.n"] == 6
    gender = _rows(report, "comparison.gender_two_way")
    assert gender["Flickor och kvinnor"] == pytest.approx([6, 60.0, 1, 100 / 6])
    assert gender["Pojkar och män"] == pytest.approx([4, 40.0, 3, 50.0])
    assert gender["Annat kön"] == pytest.approx([0, 0.0, 1, 100 / 6])
    assert gender["Uppgift saknas"] == pytest.approx([0, 0.0, 1, 100 / 6])
    age = _rows(report, "comparison.age_group")
    assert [age[label][0] for label in ("0–5 år", "6–12 år", "13–17 år", "18–120 år", "Uppgift saknas")] == \
        [1, 3, 3, 2, 1]
    # Contacts and days for the eight ended cases of a: 2..16 and 10..80 (linear quartiles).
    volume = [[row[c].shown_value for c in ("n", "median", "q1", "q3")] for row in _table(report, "comparison.volume").rows]
    assert volume[0] == pytest.approx([8, 9.0, 5.5, 12.5])
    assert volume[1] == pytest.approx([8, 45.0, 27.5, 62.5])
    assert volume[2] == pytest.approx([2, 4.0, 3.5, 4.5])      # b: ended episodes have 3 and 5 sessions
    assert figures["a.ended_planned_pct"] == pytest.approx(62.5) and figures["b.ended_planned_pct"] == 50.0
    ending = _rows(report, "comparison.ending")
    assert ending["Avslutade enligt plan"] == pytest.approx([5, 50.0, 1, 100 / 6])
    assert ending["Avslutade, ej enligt plan"] == pytest.approx([3, 30.0, 1, 100 / 6])
    assert ending["Pågående vid periodens slut"] == pytest.approx([2, 20.0, 4, 400 / 6])
    assert "Avslutade, orsak saknas" not in ending
    assert figures["a.improved_pct"] == pytest.approx(400 / 7) and figures["b.improved_pct"] == 50.0
    outcome = _rows(report, "comparison.outcome")
    assert outcome["A"][1:] == pytest.approx([7, 400 / 7, 200 / 7, 100 / 7, 3])
    assert outcome["B"][1:] == pytest.approx([2, 50.0, 50.0, 0.0, 4])
    assert figures["a.goal_attained_pct"] == pytest.approx(60.0)
    feedback = _rows(report, "comparison.feedback")
    assert feedback["A"][-1] == pytest.approx(4.2) and feedback["B"][-1] == pytest.approx(36.0)


def test_different_measures_are_never_one_number(tmp_path, registry):
    report, compared = _compare_frames(tmp_path, registry, {"a": ("loke", _frame_a()), "b": ("fit", _frame_b())})
    improvement = next(s for s in report.sections if s.id == "comparison.improvement")
    assert not any(item.__class__.__name__ == "Chart" for item in improvement.items)
    warning = [item.template for item in improvement.items if item.__class__.__name__ == "Paragraph"]
    assert any("mäter olika saker" in sentence for sentence in warning)
    definitions = {f.id: f.definition for f in improvement.key_figures()}
    assert "Egen skattning" in definitions["a.improved_pct"] and "ORS" in definitions["b.improved_pct"]
    verdicts = {aspect: comparability(compared[0].ctx, aspect, compared)[1] for aspect in
                ("target_group", "contacts", "ending", "outcome", "goal", "feedback")}
    assert verdicts["outcome"].startswith("nej") and verdicts["feedback"].startswith("nej")
    assert verdicts["goal"] == "nej – mäts inte i B"
    assert verdicts["contacts"].startswith("delvis") and verdicts["ending"].startswith("delvis")
    assert verdicts["target_group"].startswith("delvis") and "klientepisoder" in verdicts["target_group"]


def test_the_same_definitions_compare_and_get_one_chart(tmp_path, registry):
    report, compared = _compare_frames(tmp_path, registry, {"a": ("loke", _frame_a()), "c": ("loke", _frame_a())})
    assert comparability(compared[0].ctx, "outcome", compared)[0] == "yes"
    improvement = next(s for s in report.sections if s.id == "comparison.improvement")
    chart = next(item for item in improvement.items if item.__class__.__name__ == "Chart")
    assert [bar.cell.value for bar in chart.bars] == pytest.approx([400 / 7, 400 / 7])


def test_two_years_of_one_unit_compare_as_two_datasets(tmp_path, registry):
    config = _config(tmp_path)
    records = Records()
    years = {"a": 2024, "c": 2025}
    compared = [Compared(name=name, title=str(year), model=registry.model("loke"), frame=_frame_a(),
                         ctx=AnalysisConfig(config=config, dataset=config.datasets["a"], tally=Tally(records, name),
                                            period=Period(dt.date(year, 1, 1), dt.date(year, 12, 31))))
                for name, year in years.items()]
    report = comparison_report(compared, config, records)
    apply_disclosure([report], records, config)
    assert not report.failed_sections
    assert (report.meta.period.start, report.meta.period.end) == (dt.date(2024, 1, 1), dt.date(2025, 12, 31))
    periods = {row["dataset"].value: row["period"].value for row in _table(report, "comparison.datasets").rows}
    assert periods == {"2024": "2024-01-01 – 2024-12-31", "2025": "2025-01-01 – 2025-12-31"}
    assert comparability(compared[0].ctx, "outcome", compared)[0] == "yes"


def _frame_g() -> pd.DataFrame:
    """Four GAS-like cases followed up: goal attainment (T ≥ 50) 2 of 4, judged by staff; no contacts,
    endings or client feedback."""
    start = pd.Series(pd.Timestamp("2025-01-01"), index=range(4))
    frame = harmonized_frame(
        dataset="g", model="loke", subject=pd.Series([f"g{i}" for i in range(4)]),
        gender=pd.Series(["kvinna", "man", "kvinna", "man"]), age=pd.Series([30, 40, 50, 60]), start=start,
        outcome=pd.Series(["improved", "improved", "unchanged", "deteriorated"]),
        goal_attained=pd.Series([True, False, True, False], dtype=object))
    return describe(frame, unit_of_analysis="ärende", units="ärenden", target_group="Alla aktiva ärenden",
                    definitions={"duration": "Dagar målsättning–uppföljning", "outcome": "T-poäng minst 50",
                                 "goal": "T-poäng minst 50 vid uppföljningen"},
                    outcome_measure="GAS T-poäng ≥ 50",
                    respondents={"outcome": "staff", "goal": "staff"})


def _without(frame: pd.DataFrame, *aspects: str) -> pd.DataFrame:
    """A copy of a frame whose model does not measure `aspects` (outcome, goal)."""
    copy = frame.copy()
    copy.attrs = {**frame.attrs, "definitions": {**frame.attrs["definitions"], **dict.fromkeys(aspects)}}
    if "outcome" in aspects:
        copy["outcome"] = "not_measured"
    if "goal" in aspects:
        copy["goal_attained"] = pd.array([pd.NA] * len(copy), dtype="boolean")
    return copy


def _note(report, table_id: str) -> str:
    return _table(report, table_id).note or ""


MISSING_AND_DIFFERENT = {
    "contacts": "nej – mäts inte i G; A och B har olika definitioner: jämför storleksordningen mellan dem, inte exakta tal",
    "ending": "nej – mäts inte i G; A och B har olika definitioner: jämför storleksordningen mellan dem, inte exakta tal",
    "goal": "nej – mäts inte i B; A och G mäter med olika mått och definitioner: inte heller deras siffror kan "
            "jämföras med varandra",
    "feedback": "nej – mäts inte i G; A och B mäter med olika mått och definitioner: inte heller deras siffror kan "
                "jämföras med varandra",
}


def test_three_datasets_say_what_one_lacks_and_how_the_others_differ(tmp_path, registry):
    report, compared = _compare_frames(tmp_path, registry, {"a": ("loke", _frame_a()), "g": ("loke", _frame_g()),
                                                            "b": ("fit", _frame_b())})
    assert not report.failed_sections, [(s.id, s.error) for s in report.failed_sections]
    ctx = compared[0].ctx
    for aspect, reason in MISSING_AND_DIFFERENT.items():
        assert comparability(ctx, aspect, compared) == ("no", reason), aspect
    assert comparability(ctx, "outcome", compared) == (
        "no", "nej – olika mått och definitioner: siffrorna kan inte jämföras med varandra; "
              "olika svarande (A: klienten, G: personalen, B: klienten)")
    assert comparability(ctx, "duration", compared)[0] == "partly"
    verdicts = {row["aspect"].value: row["comparable"].value for row in _table(report, "comparison.comparability").rows}
    assert verdicts["Måluppfyllelse"] == MISSING_AND_DIFFERENT["goal"]
    assert verdicts["Kontakter"] == MISSING_AND_DIFFERENT["contacts"]
    # Each table that puts the datasets' figures in one column carries the statement of its aspects…
    assert f"Måluppfyllelse: {MISSING_AND_DIFFERENT['goal']}." in _note(report, "comparison.goal")
    assert "eget mått" in _note(report, "comparison.goal")
    assert f"Klientens återkoppling: {MISSING_AND_DIFFERENT['feedback']}." in _note(report, "comparison.feedback")
    assert "Skalorna är olika" in _note(report, "comparison.feedback")
    assert f"Kontakter: {MISSING_AND_DIFFERENT['contacts']}." in _note(report, "comparison.volume")
    assert "Tid i insatsen: delvis" in _note(report, "comparison.volume")
    assert f"Avslut enligt plan: {MISSING_AND_DIFFERENT['ending']}." in _note(report, "comparison.ending")
    assert "Förbättring: nej – olika mått" in _note(report, "comparison.outcome")
    # …and each row or figure its own definition.
    goal = {row["dataset"].value: (row["measure"].value, row["pct"].shown_value)
            for row in _table(report, "comparison.goal").rows}
    assert goal["A"] == ("Måluppfyllelse helt", pytest.approx(60.0))
    assert goal["G"] == ("T-poäng minst 50 vid uppföljningen", pytest.approx(50.0))
    assert goal["B"] == ("mäts inte", None)
    volume = {(row["dataset"].value, row["measure"].value): row["definition"].value
              for row in _table(report, "comparison.volume").rows}
    assert volume[("A", "Kontakter")] == "Kontakter per ärende" and volume[("B", "Kontakter")] == "Sessioner under perioden"
    assert volume[("G", "Kontakter")] == "registreras inte"
    definitions = {f.id: f.definition for s in report.sections for f in s.key_figures()}
    assert definitions["a.ended_planned_pct"] == "Avslutsorsak planerat avslut"
    assert definitions["b.ended_planned_pct"] == "Avslut planerat på sista sessionen"


def test_datasets_that_share_a_definition_are_named_beside_the_one_that_lacks_it(tmp_path, registry):
    frames = {"a": ("loke", _frame_a()), "c": ("loke", _frame_a()), "n": ("fit", _without(_frame_b(), "outcome"))}
    report, compared = _compare_frames(tmp_path, registry, frames)
    ctx = compared[0].ctx
    assert comparability(ctx, "goal", compared) == \
        ("no", "nej – mäts inte i N; A och C använder samma definition och kan jämföras med varandra")
    assert comparability(ctx, "outcome", compared) == \
        ("no", "nej – mäts inte i N; A och C använder samma definition och kan jämföras med varandra")
    assert comparability(ctx, "feedback", compared) == \
        ("no", "nej – olika mått och definitioner: siffrorna kan inte jämföras med varandra; samma definition i A och C")
    improvement = next(s for s in report.sections if s.id == "comparison.improvement")
    chart = next(item for item in improvement.items if isinstance(item, Chart))
    assert [bar.label for bar in chart.bars] == ["A", "C"]
    assert not any("mäter olika saker" in item.template for item in improvement.items if isinstance(item, Paragraph))
    assert "Skalorna är olika" in _note(report, "comparison.feedback")
    assert "eget mått" not in _note(report, "comparison.goal")


def test_only_one_dataset_measuring_is_no_without_a_second_clause(tmp_path, registry):
    frames = {"a": ("loke", _frame_a()), "b": ("fit", _frame_b()), "n": ("fit", _without(_frame_b(), "outcome"))}
    _, compared = _compare_frames(tmp_path, registry, frames)
    assert comparability(compared[0].ctx, "goal", compared) == ("no", "nej – mäts inte i B och N")


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["improved", "unchanged", "deteriorated", "not_measured"]), min_size=1, max_size=30),
       st.lists(st.sampled_from(["flicka", "pojke", "kvinna", "man", "annat", None]), min_size=30, max_size=30))
def test_shares_add_up_and_improved_share_is_of_the_measured(tmp_path, registry, outcomes, genders):
    n = len(outcomes)
    frame = describe(harmonized_frame(dataset="a", model="loke", subject=pd.Series([str(i) for i in range(n)]),
                                      gender=pd.Series(genders[:n], dtype=object), outcome=pd.Series(outcomes)),
                     **_frame_a().attrs)
    report, _ = _compare_frames(tmp_path, registry, {"a": ("loke", frame), "c": ("loke", frame)})
    gender = _table(report, "comparison.gender_two_way")
    assert sum(row["a.pct"].value for row in gender.rows) == pytest.approx(100.0)
    measured = sum(o != "not_measured" for o in outcomes)
    share = report.figures()["a.improved_pct"].cell.value
    if measured:
        assert share == pytest.approx(100 * outcomes.count("improved") / measured)
    else:
        assert share is None


# --- group differences within each dataset -------------------------------------------------------


GROUPED_UNITS = ["Öst", "Väst"]     # the units of `_grouped_frame`, as its dataset declares them


def _grouped_frame(units: np.ndarray | None = None) -> pd.DataFrame:
    """Forty cases, all ended: units Öst (cases 0–19, 16 planned) and Väst (20–39, 6 planned); ages 3, 9,
    15 and 30 in turn (6, 6, 5 and 5 planned of 10 per age band); girls and boys in turn (11 of 20 each)."""
    i = np.arange(40)
    start = pd.Series(pd.Timestamp("2025-01-01"), index=i)
    frame = harmonized_frame(
        dataset="a", model="loke", subject=pd.Series([f"g{k}" for k in i]),
        unit=pd.Series(np.where(i < 20, "Öst", "Väst") if units is None else units, dtype=object),
        gender=pd.Series(np.where(i % 2 == 0, "flicka", "pojke"), dtype=object),
        age=pd.Series(np.array([3, 9, 15, 30])[i % 4]), start=start, end=start + pd.Timedelta(days=30),
        ended_planned=pd.Series((i < 16) | ((i >= 20) & (i < 26)), dtype=object))
    attrs = _frame_a().attrs
    return describe(frame, **{**attrs, "definitions": {**attrs["definitions"], "outcome": None}})


def _bh(p_values: list[float]) -> list[float]:
    """Benjamini–Hochberg by hand: q_i = min over j with p_j ≥ p_i of p_j · m / rank_j (NaN left out)."""
    present = sorted(p for p in p_values if not np.isnan(p))
    m = len(present)
    ranked = [min(1.0, min(present[j] * m / (j + 1) for j in range(k, m))) for k in range(m)]
    return [np.nan if np.isnan(p) else ranked[present.index(p)] for p in p_values]


@pytest.mark.scipy
def test_group_differences_by_gender_age_band_and_unit(tmp_path, registry):
    from scipy.stats import chi2_contingency

    report, _ = _compare_frames(tmp_path, registry, {"a": ("loke", _grouped_frame()), "b": ("fit", _frame_b())},
                                units={"a": GROUPED_UNITS})
    assert not report.failed_sections, [(s.id, s.error) for s in report.failed_sections]
    ids = {t.id for t in report.tables()}
    assert {"comparison.a.ended_planned.gender", "comparison.a.ended_planned.age_group",
            "comparison.a.ended_planned.unit"} <= ids
    assert not any(i.endswith(".unit") and ".b." in i for i in ids)              # b has no units
    assert "comparison.a.improved.age_group" not in ids                          # a measures no outcome
    age = _rows(report, "comparison.a.ended_planned.age_group")
    assert age["0–5 år"][:3] == pytest.approx([10, 60.0, 16 / 30 * 100])
    assert age["6–12 år"][:3] == pytest.approx([10, 60.0, 16 / 30 * 100])
    assert age["13–17 år"][:3] == pytest.approx([10, 50.0, 17 / 30 * 100])
    assert age["18–120 år"][:4] == pytest.approx([10, 50.0, 17 / 30 * 100, 50.0 - 17 / 30 * 100])
    unit = _rows(report, "comparison.a.ended_planned.unit")
    assert list(unit) == ["Öst", "Väst"]                                       # in the declared order
    assert unit["Öst"][:4] == pytest.approx([20, 80.0, 30.0, 50.0])
    assert unit["Väst"][:4] == pytest.approx([20, 30.0, 80.0, -50.0])
    gender = _rows(report, "comparison.a.ended_planned.gender")
    assert gender["Flickor och kvinnor"][:4] == pytest.approx([20, 55.0, 55.0, 0.0])
    # One Benjamini–Hochberg adjustment over the comparison's distinct contrasts with both sides at least
    # min_group (20): a's gender split (11 of 20 against 11 of 20, p = 1) and a's unit split; each of the two
    # counts once although both of its rows show it. Age bands of 10 and all of b stay out and get no q.
    comparisons = [c for s in report.sections for c in s.comparisons()]
    assert len(comparisons) >= 4
    by_unit = next(c for c in comparisons if c.id == "comparison.a.ended_planned.unit")
    by_gender = next(c for c in comparisons if c.id == "comparison.a.ended_planned.gender")
    expected_p = chi2_contingency(np.array([[16, 4], [6, 14]]), correction=False)[1]
    assert [c.p_value for c in by_unit.contrasts] == pytest.approx([expected_p, expected_p])
    assert [c.p_value for c in by_gender.contrasts[:2]] == pytest.approx([1.0, 1.0])
    # m = 2; sorted p: expected_p, 1 → q = min(2·expected_p, 1) and min(1·2/2, 1) = 1
    assert by_unit.q_values == pytest.approx([2 * expected_p, 2 * expected_p])
    assert by_gender.q_values[:2] == pytest.approx([1.0, 1.0])
    assert _bh([expected_p, 1.0]) == pytest.approx([2 * expected_p, 1.0])
    others = [q for c in comparisons if c not in (by_unit, by_gender) for q in c.q_values]
    assert others and all(np.isnan(q) for q in others + by_gender.q_values[2:])
    assert by_unit.flagged == [True, True]                  # 50 points, 20 against 20, q < 0.05
    assert all(not any(c.flagged) for c in comparisons if c is not by_unit)


def test_reflection_questions_follow_the_comparisons_flags(tmp_path, registry):
    report, _ = _compare_frames(tmp_path, registry, {"a": ("loke", _grouped_frame()), "b": ("fit", _frame_b())},
                                units={"a": GROUPED_UNITS})
    groups = next(s for s in report.sections if s.id == "comparison.groups")
    asked = [(q.observation.values["group"].value, q.observation.values["pct"].value, q.text) for q in groups.all_questions()]
    assert [(group, pct) for group, pct, _ in asked] == [("Öst", pytest.approx(80.0)), ("Väst", pytest.approx(30.0))]
    assert all(text.startswith("Vad kan förklara skillnaden?") for _, _, text in asked)
    reflection = next(s for s in report.sections if s.id == "reflection")
    assert [q.text for q in reflection.questions] == \
        ["Vilka resultat förvånar oss? Vad vill vi följa upp till nästa gång?"]
    assert report.flags == 2
    # what the web application keeps of a run: the same questions, each with its observation as printed
    from isu_engine.library import what_stood_out

    flagged = [entry for entry in what_stood_out(report) if entry["section"] == groups.title]
    assert [entry["observation"].split(":")[0] for entry in flagged] == ["Öst", "Väst"]


def test_a_small_unit_is_hidden_in_the_comparison_by_unit(tmp_path, registry):
    units = np.where(np.arange(40) < 20, "Öst", np.where(np.arange(40) < 37, "Väst", "Liten"))
    report, compared = _compare_frames(tmp_path, registry, {"a": ("loke", _grouped_frame(units)),
                                                            "b": ("fit", _frame_b())},
                                       min_cell=5, units={"a": [*GROUPED_UNITS, "Liten"]})
    table = _table(report, "comparison.a.ended_planned.unit")
    rows = {row["group"].value: row for row in table.rows}
    assert set(rows) == {"Liten", "Väst", "Öst"}
    small = rows["Liten"]
    assert small["n"].hidden and small["pct"].hidden and small["diff"].hidden     # 3 cases: n, share and difference
    assert small["n"].shown_value is None
    # The three cannot be had as the rest's units subtracted from all ended units …
    assert small["pct_rest"].hidden or table.n.hidden
    # … nor as the rest of Öst less Väst, the rest of Väst less Öst, or all less Öst and Väst.
    assert rows["Öst"]["pct_rest"].hidden or rows["Väst"]["n"].hidden
    assert rows["Väst"]["pct_rest"].hidden or rows["Öst"]["n"].hidden
    assert table.n.hidden or rows["Öst"]["n"].hidden or rows["Väst"]["n"].hidden
    # Nor by any other arithmetic on what the report shows.
    assert _audited(report, compared[0].ctx.config, tmp_path / "out") == []
    # The large units are not all hidden: at least one of their counts stays shown, and right.
    shown = {label: rows[label]["n"].value for label in ("Öst", "Väst") if not rows[label]["n"].hidden}
    assert shown and shown.items() <= {"Öst": 20, "Väst": 17}.items()


# --- harmonizing real datasets ---------------------------------------------------------------------



def test_fit_harmonized_frame_by_hand(tmp_path, registry):
    frame = harmonized_of(project(tmp_path, {"x": ("fit", VOLUME_ROWS)}), registry)
    assert len(frame) == 5                                   # episodes A1, B, C1, C2, E
    rows = {(r.subject, r.start.date().isoformat()): r for r in frame.itertuples()}
    a1, b, c1, c2, e = (rows[("A", "2024-11-10")], rows[("B", "2025-03-01")], rows[("C", "2025-01-05")],
                        rows[("C", "2025-09-01")], rows[("E", "2025-06-01")])
    assert [a1.contacts, b.contacts, c1.contacts, c2.contacts, e.contacts] == [2, 2, 2, 2, 1]  # in the period only
    assert bool(c1.ended_planned) is True and bool(c2.ended_planned) is False
    assert all(pd.isna(r.ended_planned) and pd.isna(r.end) for r in (a1, b, e))
    assert [c1.duration_days, c2.duration_days] == [31, 30]
    assert [a1.outcome, b.outcome, c1.outcome, c2.outcome, e.outcome] == \
        ["improved", "not_measured", "improved", "unchanged", "not_measured"]
    assert [a1.feedback, b.feedback, c1.feedback, c2.feedback] == [36.0, 39.5, 33.0, 33.5] and np.isnan(e.feedback)
    assert frame["goal_attained"].isna().all()
    assert frame.attrs["unit_of_analysis"] == "klientepisod" and frame.attrs["definitions"]["goal"] is None
    assert "Jacobson–Truax" in frame.attrs["definitions"]["outcome"] and "5 poäng" in frame.attrs["definitions"]["outcome"]


LOKE_ROWS = [
    case("L1", "2025-01-10", "2025-03-10", n_contacts=6, end_reason="planerat avslut", goal_attainment="helt",
         rating_start=3, rating_end=5, satisfaction=5),
    case("L2", "2025-02-01", "2025-06-01", n_contacts=4, end_reason="avbrutet av brukaren", goal_attainment="inte",
         rating_start=5, rating_end=4, satisfaction=2),
    case("L3", "2025-04-01", "", n_contacts=3, rating_start=4, satisfaction=4),                # open
    case("L4", "2024-01-01", "2024-06-01", end_reason="planerat avslut"),                       # not in 2025
    case("L5", "2024-10-01", "2026-01-15", end_reason="planerat avslut", gender="pojke"),       # ends after 2025
    case("L6", "2025-05-01", "2025-08-01", goal_attainment="ej bedömt", rating_start=5, rating_end=5),
]


def test_loke_harmonized_frame_by_hand(tmp_path, registry):
    frame = harmonized_of(project(tmp_path, {"x": ("loke", LOKE_ROWS)}), registry).set_index("subject")
    assert sorted(frame.index) == ["L1", "L2", "L3", "L5", "L6"]
    assert flags(frame["ended_planned"]) == {"L1": True, "L2": False, "L3": None, "L5": None, "L6": False}
    assert frame.loc["L1", "duration_days"] == 59 and pd.isna(frame.loc["L5", "end"])
    assert frame["outcome"].to_dict() == {"L1": "improved", "L2": "deteriorated", "L3": "not_measured",
                                          "L5": "not_measured", "L6": "unchanged"}
    assert flags(frame["goal_attained"]) == {"L1": True, "L2": False, "L3": None, "L5": None, "L6": None}
    assert frame.loc["L1", "feedback"] == 5 and np.isnan(frame.loc["L3", "feedback"])   # open: not yet answered
    assert frame.loc["L3", "contacts"] == 3
    assert frame.attrs["definitions"]["goal"] and frame.attrs["respondents"]["goal"] == "staff"


MOOD_MODEL = """
name: mood
title: {sv: Mående, en: Mood}
version: "1.0"
format: long
fields:
  - {name: person, type: string, role: subject, constraints: {required: true}}
  - {name: visit, type: date, role: occasion}
  - {name: gender, type: string, role: group}
  - {name: age, type: integer, role: age}
  - {name: score, type: number}
scales:
  mood: {title: {sv: Måendeskala, en: Mood scale}, value: score, direction: higher_is_better, reliable_change: 3}
"""

GROUP_MODEL = """
name: groupwork
title: {sv: Gruppverksamhet, en: Group work}
version: "1.0"
format: wide
fields:
  - {name: id, type: string, role: subject}
  - {name: kon, type: string, role: group}
  - {name: started, type: date}
  - {name: finished, type: date}
  - {name: meetings, type: integer}
  - {name: before, type: number}
  - {name: after, type: number}
scales:
  wellbeing: {pre: before, post: after, direction: higher_is_better}
harmonize: {gender: kon, start: started, end: finished, contacts: meetings}
"""


def _yaml_project(tmp_path: Path, model_text: str, name: str, rows: list[dict]) -> Path:
    (tmp_path / "models" / name).mkdir(parents=True)
    (tmp_path / "models" / name / "model.yaml").write_text(model_text, encoding="utf-8")
    return project(tmp_path, {"x": (name, rows)}, plugins_dirs=["models"])


def test_yaml_only_long_model_harmonized_from_roles_and_scales(tmp_path):
    rows = [{"person": p, "visit": d, "gender": "kvinna", "age": 40, "score": s} for p, d, s in [
        ("P1", "2024-12-01", 10), ("P1", "2025-02-01", 12), ("P1", "2025-03-01", 14),   # +4 ≥ 3: improved
        ("P2", "2025-05-01", 20), ("P2", "2025-06-01", 18),                             # −2: unchanged
        ("P3", "2025-07-01", 15),                                                       # one measurement
        ("P4", "2024-05-01", 10), ("P4", "2024-06-01", 20),                             # not in the period
        ("P5", "2025-11-01", 10), ("P5", "2026-02-01", 20)]]                            # second after the end
    path = _yaml_project(tmp_path, MOOD_MODEL, "mood", rows)
    registry = load_registry([tmp_path / "models"])
    frame = harmonized_of(path, registry).set_index("subject")
    assert sorted(frame.index) == ["P1", "P2", "P3", "P5"]
    assert frame["outcome"].to_dict() == {"P1": "improved", "P2": "unchanged", "P3": "not_measured",
                                          "P5": "not_measured"}
    assert frame["contacts"].to_dict() == {"P1": 2, "P2": 2, "P3": 1, "P5": 1}
    assert frame.loc["P1", "start"] == pd.Timestamp("2024-12-01") and frame.loc["P1", "duration_days"] == 90
    assert frame.loc["P5", "end"] == pd.Timestamp("2025-11-01")
    assert frame["ended_planned"].isna().all() and frame["goal_attained"].isna().all()
    definitions = frame.attrs["definitions"]
    assert definitions["ending"] is None and definitions["feedback"] is None
    assert "Måendeskala" in definitions["outcome"] and "3 poäng" in definitions["outcome"]


def test_yaml_only_wide_model_uses_its_harmonize_mapping(tmp_path):
    rows = [
        {"id": "W1", "kon": "flicka", "started": "2025-01-10", "finished": "2025-02-10", "meetings": 4,
         "before": 3, "after": 5},
        {"id": "W2", "kon": "pojke", "started": "2024-01-01", "finished": "2024-03-01", "meetings": 9,
         "before": 3, "after": 9},                                                       # not in the period
        {"id": "W3", "kon": "pojke", "started": "2025-06-01", "finished": "", "meetings": 2, "before": 5, "after": 5},
        {"id": "W4", "kon": "man", "started": "2025-03-01", "finished": "2025-04-01", "meetings": 1,
         "before": 6, "after": 4},
        {"id": "W5", "kon": "kvinna", "started": "2025-03-01", "finished": "", "meetings": "", "before": 6,
         "after": ""},
    ]
    path = _yaml_project(tmp_path, GROUP_MODEL, "groupwork", rows)
    registry = load_registry([tmp_path / "models"])
    frame = harmonized_of(path, registry).set_index("subject")
    assert sorted(frame.index) == ["W1", "W3", "W4", "W5"]
    assert frame["gender"].to_dict() == {"W1": "flicka", "W3": "pojke", "W4": "man", "W5": "kvinna"}
    assert frame["outcome"].to_dict() == {"W1": "improved", "W3": "unchanged", "W4": "deteriorated",
                                          "W5": "not_measured"}
    assert frame.loc["W1", "contacts"] == 4 and frame.loc["W1", "duration_days"] == 31
    assert "utan gräns" in frame.attrs["definitions"]["outcome"]


# --- the comparative report end to end ------------------------------------------------------------


def _loke_cases(n: int, prefix: str, **values) -> list[dict]:
    return [case(f"{prefix}{i}", "2025-02-01", "2025-06-01", n_contacts=5, end_reason="planerat avslut",
                 rating_start=3, rating_end=6, goal_attainment="helt", satisfaction=4, **values) for i in range(n)]


def _table_row(document: dict, table_id: str, label: str) -> list:
    return json_row(json_table(document, table_id), label)


def test_fit_and_loke_improvement_is_not_comparable(tmp_path, registry):
    path = project(tmp_path, {"x": ("loke", LOKE_ROWS), "y": ("fit", VOLUME_ROWS)})
    code, document, _ = run_compare(path, registry, tmp_path / "out")
    assert code == 0, document["datasets"]["comparison"]["failed_sections"]
    table = json_table(document, "comparison.comparability")
    assert table["columns"] == ["Vad", "X", "Y", "Jämförbart?"]
    assert _table_row(document, "comparison.comparability", "Förbättring")[-1].startswith("nej")
    assert _table_row(document, "comparison.comparability", "Måluppfyllelse")[-1] == "nej – mäts inte i Y"
    assert document["harmonized"]["x"]["n"] == 5 and document["harmonized"]["y"]["n"] == 5
    assert document["harmonized"]["y"]["unit_of_analysis"] == "klientepisod"


def test_two_loke_datasets_compare_the_same_way(tmp_path, registry):
    path = project(tmp_path, {"x": ("loke", LOKE_ROWS), "y": ("loke", _loke_cases(6, "Y"))})
    code, document, _ = run_compare(path, registry, tmp_path / "out")
    assert code == 0
    for aspect in ("Förbättring", "Måluppfyllelse", "Avslut enligt plan", "Klientens återkoppling", "Kontakter"):
        assert _table_row(document, "comparison.comparability", aspect)[-1] == "ja – samma definition", aspect
    figures = document["datasets"]["comparison"]["figures"]
    assert figures["x.improved_pct"] == pytest.approx(100 / 3) and figures["y.improved_pct"] == 100.0
    assert figures["x.ended_planned_pct"] == pytest.approx(100 / 3)     # L1 of L1, L2, L6


def test_a_small_group_is_hidden_in_the_comparison_and_null_in_json(tmp_path, registry):
    rows = _loke_cases(12, "G") + _loke_cases(2, "O", gender="annat")
    path = project(tmp_path, {"x": ("loke", rows), "y": ("loke", _loke_cases(14, "H"))}, min_cell=5)
    code, document, _ = run_compare(path, registry, tmp_path / "out")
    assert code == 0
    # x's 2 cases of another gender are shown as the group of another or unknown gender, and hidden
    other = _table_row(document, "comparison.gender_two_way", "Annat eller okänt kön")
    assert other[1] is None and other[2] is None                     # x: 2 of 14 cases
    suppressed = document["datasets"]["comparison"]["suppressed"]
    assert "comparison.gender_two_way[Annat eller okänt kön][x.n]" in suppressed
    # 12 + 2 = 14: the 12 must go too, or the 2 follows from the total.
    female = _table_row(document, "comparison.gender_two_way", "Flickor och kvinnor")
    assert female[1] is None or document["harmonized"]["x"]["n"] is None
    assert female[3] == 14                                           # y has nothing to hide
    findings, min_cell = audit([tmp_path / "out"])                   # nor any other arithmetic gives the 2
    assert min_cell == 5 and findings == []


def test_the_comparison_and_the_units_own_report_hide_the_same_cells(tmp_path, registry):
    rows = _loke_cases(12, "G") + _loke_cases(2, "O", gender="annat") + _loke_cases(9, "B", gender="pojke")
    config = load_config(project(tmp_path, {"x": ("loke", rows), "y": ("fit", VOLUME_ROWS)}, min_cell=5))
    records = Records()
    reports = [build_report(d, config, registry, records) for d in load_all(config, registry).values()]
    result = build_comparison(reports, config, registry, records)
    apply_disclosure([*reports, result.report], records, config)
    own = {row["category"].value: (row["n"].hidden, row["pct"].hidden)
           for row in _table(reports[0], "x.gender_two_way").rows}
    compared = {row["category"].value: (row["x.n"].hidden, row["x.pct"].hidden)
                for row in _table(result.report, "comparison.gender_two_way").rows}
    assert own["Annat eller okänt kön"] == (True, True)        # x's 2 of another gender, shown as one group
    assert set(compared) == {"Flickor och kvinnor", "Pojkar och män", "Annat eller okänt kön"}   # y has no others
    assert {label: own[label] for label in compared} == compared
    assert result.report.figures()["x.ended_planned_pct"].cell.value == \
        reports[0].figures()["ended_as_planned_pct"].cell.value


def test_a_mean_is_hidden_only_when_few_answered(tmp_path, registry):
    many = _frame_a()
    many["feedback"] = [4.0] * 9 + [np.nan]                  # one case without an answer
    few = _frame_a()
    few["feedback"] = [5.0, 3.0] + [np.nan] * 8             # two answers
    report, _ = _compare_frames(tmp_path, registry, {"a": ("loke", many), "c": ("loke", few)}, min_cell=5)
    means = {row["dataset"].value: row["mean"] for row in _table(report, "comparison.feedback").rows}
    assert not means["A"].hidden and means["A"].value == pytest.approx(4.0)
    assert means["C"].hidden


def test_fewer_than_two_datasets_is_a_user_error(tmp_path, cli):
    path = project(tmp_path, {"x": ("loke", LOKE_ROWS)})
    result = cli("compare", path, "--out", tmp_path / "out")
    assert result.code == 2
    assert "minst två dataset" in result.err and "config.yaml" in result.err


def test_a_broken_harmonizer_fails_its_dataset_only(tmp_path):
    registry = load_registry()
    loke = registry.models["loke"]

    def broken(data, config):
        """The harmonized frame for dataset y lacks most columns."""
        return pd.DataFrame({"subject": ["1"]}) if data.name == "y" else loke.harmonize(data, config)

    registry.models["loke"] = replace(loke, plugin="aaa_broken", harmonize=broken)
    path = project(tmp_path, {"x": ("loke", LOKE_ROWS), "y": ("loke", LOKE_ROWS)})
    code, document, _ = run_compare(path, registry, tmp_path / "out")
    assert code == 1
    failed = document["datasets"]["comparison"]["failed_sections"]
    assert [f["id"] for f in failed] == ["comparison.harmonize.y"]
    assert "aaa_broken" in failed[0]["error"] and "missing columns" in failed[0]["error"]
    assert list(document["harmonized"]) == ["x"]


def test_isu_compare_on_the_demo(demo_run):
    out = demo_run.reports
    assert {"comparison.json", "comparison.html", "comparison.xlsx"} <= {p.name for p in out.iterdir()}
    document = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    comparison = document["datasets"]["comparison"]
    assert comparison["failed_sections"] == []
    ids = {t["id"] for t in comparison["tables"]}
    assert {"comparison.datasets", "comparison.comparability", "comparison.gender_two_way", "comparison.age_group",
            "comparison.volume", "comparison.ending", "comparison.outcome", "comparison.goal", "comparison.feedback",
            "comparison.visible.hasselberg", "comparison.visible.violalund"} <= ids
    assert all(isinstance(entry["n"], int) and entry["n"] > 100 for entry in document["harmonized"].values())
    visible = json_table(document, "comparison.visible.violalund")
    assert len(visible["rows"]) == 3 and all(row[1] is not None for row in visible["rows"])
    assert _table_row(document, "comparison.comparability", "Förbättring")[-1].startswith("nej")
    goal = _table_row(document, "comparison.comparability", "Måluppfyllelse")[-1]
    assert goal.startswith("nej – mäts inte i Familjeteamet Hasselberg; Boendestöd Lärkan och Öppenvården Violalund "
                           "mäter med olika mått och definitioner")
    assert {"comparison.hasselberg.ended_planned.unit", "comparison.hasselberg.improved.unit",
            "comparison.larkan.improved.gender", "comparison.violalund.ended_planned.age_group"} <= ids
    # Lärkan's units are not declared in the demo config (only Hasselberg's are): their names, read from
    # the data, are never tabulated
    assert not any(i.startswith("comparison.larkan.") and i.endswith(".unit") for i in ids)
    assert {row[0] for row in json_table(document, "comparison.reflection.log")["rows"]} == \
        {"Familjeteamet Hasselberg", "Öppenvården Violalund"}
    assert dt.date.fromisoformat(comparison["period"]["start"]) == dt.date(2025, 1, 1)


# --- the reflection log in the comparison ---------------------------------------------------------

LOG = [
    {"date": "2025-02-10", "period": "2024", "dataset": "x", "topic": "Få avslut enligt plan",
     "interpretation": "Vi avslutar för tidigt.", "decision": "Avslutssamtal i varje ärende.",
     "follow_up": "ended_as_planned_pct", "responsible": "Enhetschef"},
    {"date": "2025-02-11", "period": "2024", "dataset": "y", "topic": "Långa ärenden", "interpretation": "–",
     "decision": "Se över ärenden efter ett halvår.", "responsible": "Teamledare"},
    {"date": "2025-02-12", "period": "2024", "dataset": "comparison", "topic": "Olika mått",
     "interpretation": "Vi jämför äpplen och päron.", "decision": "Jämför var enhet med sig själv.",
     "follow_up": "x.improved_pct", "responsible": "Förvaltningen"},
    {"date": "2025-02-13", "period": "2024", "topic": "Gemensam fråga", "interpretation": "–", "decision": "–",
     "responsible": "Alla"},
    {"date": "2025-02-14", "period": "2024", "dataset": "z", "topic": "Annan enhet", "interpretation": "–",
     "decision": "–", "responsible": "–"},
    {"date": "2026-02-14", "period": "2025", "dataset": "x", "topic": "Samma period", "interpretation": "–",
     "decision": "–", "responsible": "–"},
]


def test_the_comparison_shows_the_log_of_its_datasets_and_its_own(tmp_path, registry):
    path = project(tmp_path, {"x": ("loke", LOKE_ROWS), "y": ("loke", _loke_cases(6, "Y"))},
                   reflection_log="reflektion.yaml")
    (tmp_path / "reflektion.yaml").write_text(yaml.safe_dump(LOG, allow_unicode=True), encoding="utf-8")
    code, document, _ = run_compare(path, registry, tmp_path / "out", formats=("json", "html"))
    assert code == 0
    log = json_table(document, "comparison.reflection.log")
    assert log["columns"][:3] == ["Gäller", "Period", "Fråga"]
    about = {row[2]: row[0] for row in log["rows"]}
    assert about == {"Få avslut enligt plan": "X", "Långa ärenden": "Y", "Olika mått": "Jämförelsen",
                     "Gemensam fråga": "Alla"}                                 # not z's, not this period's
    assert [row[2] for row in log["rows"]][0] == "Gemensam fråga"             # newest first
    html = (tmp_path / "out" / "comparison.html").read_text(encoding="utf-8")
    assert "Det finns ännu ingen reflektionslogg" not in html
    # x's follow-up figure is x's own report's: 1 of 3 ended cases ended as planned (L1 of L1, L2, L6).
    assert "Få avslut enligt plan (X): Avslutade enligt plan är nu 33,3" in html
    assert "Olika mått (Jämförelsen): X: förbättrade är nu 33,3" in html       # L1 of L1, L2, L6 rated
    assert "Vilka resultat förvånar oss?" in html


def test_a_comparison_with_no_earlier_entries_says_so(tmp_path, registry):
    path = project(tmp_path, {"x": ("loke", LOKE_ROWS), "y": ("loke", _loke_cases(6, "Y"))},
                   reflection_log="reflektion.yaml")
    (tmp_path / "reflektion.yaml").write_text(yaml.safe_dump(LOG[4:], allow_unicode=True), encoding="utf-8")
    _, document, _ = run_compare(path, registry, tmp_path / "out", formats=("json", "html"))
    assert "comparison.reflection.log" not in {t["id"] for t in document["datasets"]["comparison"]["tables"]}
    assert "Det finns ännu ingen reflektionslogg" in (tmp_path / "out" / "comparison.html").read_text(encoding="utf-8")
