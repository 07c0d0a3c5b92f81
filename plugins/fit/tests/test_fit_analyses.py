"""FIT analyses on hand-built session data with known answers, run through the whole pipeline."""

from __future__ import annotations

import datetime as dt
import json
import statistics
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from isu_engine.commands.cli import main as cli_main
from isu_engine.configure.config import Period, load_config
from isu_engine.protect.records import Records
from isu_engine.configure.plugins import load_registry
from isu_engine.analyse.report import apply_disclosure, build_report
from isu_engine.commands.run import load_all
from isu_fit.episodes import EPISODE_CODE, KEY_SEPARATOR, assumed_instrument, period_episodes, prepare_sessions
from isu_fit.steps import steps
from isu_fit.trajectory import intake_band, leave_one_out_medians, median_interval_ranks

from fit_sessions import VOLUME_ROWS, session

PERIOD = {"start": "2025-01-01", "end": "2025-12-31"}
INSTRUMENT_AGES = {"YCORS": [0, 5], "CORS": [6, 12], "ORS": [13, 120]}
FIT_FIGURES = (
    "n_clients", "n_sessions", "n_clients_2plus", "srs.below_cutoff_pct",
    *(f"ors.{name}" for name in ("n_paired", "mean_pre", "mean_post", "sd_pre", "effect_size",
                                 "reliable_change_points", "cutoff", "jt_recovered", "jt_improved",
                                 "jt_unchanged", "jt_deteriorated", "jt_harmed")),
)


def episode(client, pre, post, *, dates=("2025-02-01", "2025-03-01"), **details):
    """An episode of two sessions with the given first and last ORS."""
    return [session(client, dates[0], pre, **details), session(client, dates[1], post, **details)]


def run(tmp_path: Path, rows: list[dict], *, min_cell: int = 1, step: str = "quarter", parameters: dict | None = None,
        internal: bool = False, clean: bool = True, language: str = "sv"):
    """Write the rows as CSV and a config beside it; build the report with disclosure control applied."""
    frame = pd.DataFrame(rows)
    frame.to_csv(tmp_path / "sessions.csv", index=False)
    dataset = {"model": "fit", "source": "sessions.csv", "read": {"delimiter": ",", "decimal": "."}}
    if parameters:
        dataset["parameters"] = parameters
    config_file = tmp_path / "config.yaml"
    config_file.write_text(yaml.safe_dump({
        "period": PERIOD, "period_step": step, "disclosure": {"min_cell": min_cell}, "internal": internal,
        "language": language,
        "datasets": {"x": dataset},
    }, allow_unicode=True), encoding="utf-8")
    config = load_config(config_file)
    registry = load_registry()
    dataset = load_all(config, registry)["x"]
    if clean:
        assert dataset.rows_quarantined == 0, dataset.issues.to_dict("records")
    records = Records()
    report = build_report(dataset, config, registry, records)
    apply_disclosure([report], records, config)
    assert not report.failed_sections, [(s.id, s.error) for s in report.failed_sections]
    return report


@pytest.fixture(scope="module")
def volume_report(tmp_path_factory):
    """The report of VOLUME_ROWS with the default settings, made once for the tests that only read it."""
    return run(tmp_path_factory.mktemp("volume"), VOLUME_ROWS)


def figure(report, figure_id):
    return report.figures()[figure_id].cell


def table(report, table_id):
    return next(t for t in report.tables() if t.id == table_id)


def rows_by_label(report, table_id) -> dict[str, list]:
    """Each row's label (its first column) and the shown values of the other columns, in the table's column order."""
    found = table(report, table_id)
    label, *others = [column.id for column in found.columns]
    return {str(row[label].value): [row[column].shown_value for column in others] for row in found.rows}




def test_volume_figures_by_hand(volume_report):
    report = volume_report
    assert figure(report, "n_clients").value == 4
    assert figure(report, "n_sessions").value == 9
    assert figure(report, "fit.n_episodes").value == 5           # A1, B, C1, C2, E
    assert figure(report, "n_clients_2plus").value == 2          # A (with its 2024 ORS) and C
    assert figure(report, "fit.sessions_per_client_median").value == 2
    assert figure(report, "fit.ors_completion_pct").value == pytest.approx(100 * 7 / 9)
    assert figure(report, "fit.srs_completion_pct").value == pytest.approx(100 * 8 / 9)
    ends = rows_by_label(report, "x.fit.episode_end")
    assert ends["Planerat avslut"][:1] == [1] and ends["Oplanerat avslut"][:1] == [1]
    assert ends["Pågår (inget avslut registrerat)"][:1] == [3]
    per_client = rows_by_label(report, "x.fit.sessions_per_client")
    assert [per_client[code][0] for code in ("1", "2", "3–5", "6–10", "11–20", "21+")] == [1, 2, 1, 0, 0, 0]


def test_alliance_figures_by_hand(volume_report):
    report = volume_report
    # SRS in 2025: 35, 37, 40, 39, 30, 36, 34, 33 -> below 36: 35, 30, 34, 33 (36 itself is not below).
    assert figure(report, "srs.below_cutoff_pct").value == pytest.approx(50.0)
    assert figure(report, "fit.srs_mean").value == pytest.approx(284 / 8)
    # Drops of at least 1 point (srs_drop_points, default 1) from the previous session of the same episode:
    # A 38->35, B 40->39 (exactly 1 counts), C2 34->33, among A (2, the first with the 2024 session before
    # it), B (1), C1 (1), C2 (1).
    assert figure(report, "fit.srs_drop_pct").value == pytest.approx(60.0)
    signals = rows_by_label(report, "x.fit.srs_signals")
    assert signals["SRS under 36"][:2] == [8, 4]
    assert signals["SRS minst 1 poäng lägre än vid föregående session"][:2] == [5, 3]
    # Per episode: A1, B and C2 have a drop, C1 has none, E has no SRS at all: 3 of 4.
    assert figure(report, "fit.srs_drop_episodes_pct").value == pytest.approx(75.0)


def test_the_srs_drop_threshold_is_a_model_setting(tmp_path):
    # With srs_drop_points 2 only A's 38 -> 35 counts: 1 of 5 sessions, 1 of 4 episodes.
    report = run(tmp_path, VOLUME_ROWS, parameters={"srs_drop_points": 2})
    assert figure(report, "fit.srs_drop_pct").value == pytest.approx(20.0)
    assert figure(report, "fit.srs_drop_episodes_pct").value == pytest.approx(25.0)
    assert "SRS minst 2 poäng lägre än vid föregående session" in rows_by_label(report, "x.fit.srs_signals")


def test_session_shares_count_clients_through_the_design_effect(volume_report):
    # SRS under 36 per client in 2025: A (yes, no), B (no, no), C (yes, no, yes, yes): n = 8, 4 yes, p = 0.5.
    # Client shares 0.5, 0, 0.75: MSB = (2·0 + 2·0.25 + 4·0.0625) / 2 = 0.375; SSW = 0.5 + 0.75 = 1.25,
    # MSW = 1.25 / 5 = 0.25; m0 = (8 − 24/8) / 2 = 2.5; ρ = 0.125 / (0.375 + 1.5·0.25) = 1/6;
    # m̃ = 24/8 = 3, deff = 1 + 2/6 = 4/3. The interval is Wilson's for 3 of 6 (4 of 8 divided by 4/3):
    # 0.5 ± 1.96·√(0.25/6 + 3.8415/144) / (1 + 3.8415/6) = 0.5 ± 0.31239, i.e. 18.76–81.24 %
    # (as if the sessions were independent, Wilson for 4 of 8: 21.52–78.48 %).
    report = volume_report
    below = figure(report, "srs.below_cutoff_pct")
    assert below.value == pytest.approx(50.0)
    assert (below.low, below.high) == pytest.approx((18.761, 81.239), abs=1e-3)
    signals = rows_by_label(report, "x.fit.srs_signals")
    assert signals["SRS under 36"][3] == pytest.approx(4 / 3)


def test_episode_logic(volume_report):
    report = volume_report
    # Paired: A1 15 (2024) -> 22 (the 2026 session is ignored), C1 10 -> 16, C2 12 -> 12.
    # B has one ORS; D has no session in 2025.
    assert figure(report, "ors.n_paired").value == 3
    assert figure(report, "ors.mean_pre").value == pytest.approx((15 + 10 + 12) / 3)
    assert figure(report, "ors.mean_post").value == pytest.approx((22 + 16 + 12) / 3)
    assert figure(report, "ors.jt_improved").value == 2
    assert figure(report, "ors.jt_unchanged").value == 1
    assert figure(report, "ors.jt_recovered").value == 0
    assert figure(report, "ors.cutoff").value is None


JT_ROWS = [
    *episode("a1", 20, 26),                                   # adult: recovered
    *episode("a2", 20, 25.0),                                 # change exactly 5.0, post at the cutoff: recovered
    *episode("a3", 26, 31),                                   # already functional: improved
    *episode("a4", 14.7, 19.7),                               # 4.999… in floating point: improved
    *episode("a5", 10, 14.9),                                 # 4.9: unchanged
    *episode("a6", 18, 12),                                   # deteriorated
    *episode("t1", 20, 27, age=15, gender="flicka"),          # adolescent cutoff 28: improved, not recovered
    *episode("t2", 30, 24, age=15, gender="pojke"),           # adolescent: harmed
    *episode("c1", 28, 33, age=9, instrument="CORS", gender="pojke"),   # CORS cutoff 32: recovered
    *episode("c2", 33, 31, age=9, instrument="CORS", gender="flicka"),  # unchanged
    *episode("c3", 25, 32, age=8, instrument="", gender="pojke"),       # assumed CORS: recovered (32 is functional)
    *episode("y1", 15, 22, age=4, instrument="YCORS", gender="flicka"),  # no cutoff: reliable change only
    *episode("y2", 20, 18, age=3, instrument="", gender="pojke"),       # assumed YCORS
    *episode("u1", 20, 10, age="", instrument="", gender="man"),        # no instrument, no age: no cutoff
]
JT_PRE = [20, 20, 26, 14.7, 10, 18, 20, 30, 28, 33, 25]
JT_POST = [26, 25.0, 31, 19.7, 14.9, 12, 27, 24, 33, 31, 32]


def test_jacobson_truax_with_cutoffs_per_instrument_and_age(tmp_path):
    report = run(tmp_path, JT_ROWS)
    assert figure(report, "ors.n_paired").value == 11
    expected = {"recovered": 4, "improved": 3, "unchanged": 2, "deteriorated": 1, "harmed": 1}
    assert {name: figure(report, f"ors.jt_{name}").value for name in expected} == expected
    assert figure(report, "ors.mean_pre").value == pytest.approx(statistics.mean(JT_PRE))
    assert figure(report, "ors.mean_post").value == pytest.approx(statistics.mean(JT_POST))
    effect = (statistics.mean(JT_POST) - statistics.mean(JT_PRE)) / statistics.stdev(JT_PRE)
    assert figure(report, "ors.effect_size").value == pytest.approx(effect)
    assert figure(report, "ors.cutoff").value is None
    assert figure(report, "ors.reliable_change_points").value == 5
    assert figure(report, "fit.ors_improved_pct").value == pytest.approx(100 * 7 / 11)
    assert figure(report, "fit.ors_recovered_pct").value == pytest.approx(100 * 4 / 11)


def test_episodes_without_cutoff_are_excluded_and_shown_as_reliable_change(tmp_path):
    report = run(tmp_path, JT_ROWS)
    no_cutoff = table(report, "x.ors.change.no_cutoff")
    assert no_cutoff.n.value == 3
    counts = {str(row["category"].value): row["n"].value for row in no_cutoff.rows}
    assert counts == {"Förbättrade": 1, "Oförändrade": 1, "Försämrade": 1}
    assert "inte Jacobson–Truax" in no_cutoff.note
    exclusions = table(report, "x.quality.exclusions").rows
    reasons = {row["reason"].value: row["n"].value for row in exclusions
               if row["analysis"].value == "ORS-förändring enligt Jacobson–Truax"}
    assert reasons["YCORS (barn under 6 år): det finns ingen prövad klinisk gräns"] == 2
    assert reasons["ingen klinisk gräns kan väljas (formulär eller ålder saknas eller passar inte gränserna)"] == 1


def test_ors_figures_cover_ors_and_cors_and_the_ycors_has_rows_of_its_own(tmp_path):
    report = run(tmp_path, JT_ROWS)
    # ors.*: a1–a6, t1, t2 on the ORS and c1–c3 on the CORS (c3 assumed from its age); the definition says so.
    assert "ORS eller CORS" in report.figures()["ors.n_paired"].definition
    # YCORS: y1 (15 -> 22) and y2 (20 -> 18, assumed from age 3): n 2, means 17.5 and 20; no JT categories.
    assert figure(report, "ycors.n_paired").value == 2
    assert figure(report, "ycors.mean_pre").value == pytest.approx(17.5)
    assert figure(report, "ycors.mean_post").value == pytest.approx(20.0)
    rows = rows_by_label(report, "x.ors.by_instrument")
    assert rows["ORS"] == [8, pytest.approx(statistics.mean(JT_PRE[:8])), pytest.approx(statistics.mean(JT_POST[:8])), "ja"]
    assert rows["CORS"] == [3, pytest.approx((28 + 33 + 25) / 3), pytest.approx((33 + 31 + 32) / 3), "ja"]
    assert rows["YCORS"] == [2, 17.5, 20.0, "nej"]
    assert set(rows) == {"ORS", "CORS", "YCORS"}                 # u1 (no form, no age) is in no row


def test_breakdowns_by_gender_age_and_unit(tmp_path):
    report = run(tmp_path, JT_ROWS)
    outcome = next(s for s in report.sections if s.id == "fit.outcome")
    comparisons = {c.id: c for c in outcome.comparisons()}
    assert set(comparisons) == {"x.ors.improved.gender", "x.ors.improved.age"}   # one unit only: no comparison
    gender = comparisons["x.ors.improved.gender"]
    assert gender.groups == ["Flickor och kvinnor", "Pojkar och män"]
    # Women and girls with a cutoff: a1–a6 (improved: a1 a2 a3 a4), t1 (improved), c2 -> 5 of 8.
    assert gender.contrasts[0].pct.value == pytest.approx(100 * 5 / 8)
    charts = [item for item in outcome.items if getattr(item, "kind", None) == "stacked"]
    # Unit has no declared categories: its written values are never tabulated.
    assert {chart.id for chart in charts} == {"x.ors.change.gender.chart", "x.ors.change.age.chart"}


def test_unit_and_therapist_are_never_tabulated_by_their_written_values(tmp_path):
    """Unit and therapist are text without declared categories: no breakdown by them, not even internally."""
    rows = [dict(row, therapist_id="T1" if i % 4 < 2 else "T2", unit="Väst" if i % 2 else "Öst")
            for i, row in enumerate(JT_ROWS)]
    internal = run(tmp_path, rows, internal=True)
    outcome = next(s for s in internal.sections if s.id == "fit.outcome")
    ids = {c.id for s in internal.sections for c in s.comparisons()} | {item.id for item in outcome.items
                                                                         if getattr(item, "kind", None) == "stacked"}
    assert ids == {"x.ors.improved.gender", "x.ors.improved.age",
                   "x.ors.change.gender.chart", "x.ors.change.age.chart"}
    written = {str(cell.value) for s in internal.sections for item in s.items if hasattr(item, "cells")
               for cell in item.cells()}
    assert not written & {"T1", "T2", "Väst", "Öst"}


def test_english_texts(tmp_path):
    report = run(tmp_path, [*VOLUME_ROWS, *JT_ROWS], step="month", language="en")
    titles = [s.title for s in report.sections if s.id.startswith("fit.")]
    assert titles == ["Volume", "Outcome", "Alliance", "Local expected trajectory", "Over time",
                      "Compared with the previous year"]
    assert "not Jacobson–Truax" in table(report, "x.ors.change.no_cutoff").note


def test_assumed_instrument_from_age():
    instrument = pd.Series(["ORS", None, None, None, "CORS"], dtype=object)
    age = pd.Series([4, 4, 9, 40, pd.NA], dtype="Int64")
    assert assumed_instrument(instrument, age, INSTRUMENT_AGES).tolist() == ["ORS", "YCORS", "CORS", "ORS", "CORS"]
    missing = assumed_instrument(pd.Series([None], dtype=object), pd.Series([pd.NA], dtype="Int64"), INSTRUMENT_AGES)
    assert missing.isna().all()


TRAJECTORY_ROWS = [
    # Intake band [0, 20): e1 and e2 in 2025, e3 in 2024 only (it counts for the local trajectory).
    session("e1", "2025-02-01", 10), session("e1", "2025-02-08", 14), session("e1", "2025-02-15", 18),
    session("e2", "2025-03-01", 12), session("e2", "2025-03-08", 16),
    session("e3", "2024-03-01", 14), session("e3", "2024-03-08", 20), session("e3", "2024-03-15", 22),
    # Intake band [20, 40]: 20 itself belongs here.
    session("e4", "2025-04-01", 25), session("e4", "2025-04-08", 27),
    session("e5", "2025-05-01", 20), session("e5", "2025-05-08", None, 38), session("e5", "2025-05-15", 30),
    session("e5", "2025-05-22", 31),
    session("e6", "2026-02-01", 5), session("e6", "2026-02-08", 6),       # after the period end: not used
]
TRAJECTORY_PARAMETERS = {"intake_bands": [[0, 20], [20, 40]], "trajectory_sessions": 3, "trajectory_min_per_cell": 1}


def test_trajectory_without_history_leaves_each_episode_out(tmp_path):
    # No episode ended before 2025, so every episode up to the period end is the reference (e6 comes later)
    # and each is judged against the others only.
    report = run(tmp_path, TRAJECTORY_ROWS, parameters=TRAJECTORY_PARAMETERS)
    trajectory = table(report, "x.fit.trajectory")
    # The table shows each point's median and its interval, not the number of episodes behind it (the drop from
    # one ORS to the next would count the few who stopped); that number is the count the median rests on.
    assert [column.id for column in trajectory.columns] == ["instrument", "band", "number", "median", "low", "high"]
    values = {(str(r["band"].value), r["number"].value):
              [r["median"].figure.inputs[0].value, *(r[c].shown_value for c in ("median", "low", "high"))]
              for r in trajectory.rows if r["instrument"].value == "ORS"}
    low, high = "Start 0 till under 20", "Start 20–40"
    assert values[(low, 1)] == [3, 12, None, None]      # 10, 12, 14 (too few for an interval of the median)
    assert values[(low, 2)] == [3, 16, None, None]      # 14, 16, 20
    assert values[(low, 3)] == [2, 20, None, None]      # 18, 22
    assert values[(high, 1)] == [2, 22.5, None, None]   # 25, 20
    assert values[(high, 2)] == [2, 28.5, None, None]   # 27, 30 (e5's second ORS is at its third session)
    assert values[(high, 3)] == [1, 31, None, None]
    reference = rows_by_label(report, "x.fit.trajectory.reference")
    assert reference["ORS"][1] == 5
    # Expected level without the episode itself: e1 (18 at its 3rd ORS) against {22}: no; e2 (16 at its 2nd)
    # against the median of {14, 20} = 17: no (against itself included, 16 ≥ 16, it would be on track);
    # e4 (27 at its 2nd) against {30}: no; e5 (31 at its 3rd) is alone there: no expected level.
    assert figure(report, "fit.on_track_pct").value == pytest.approx(0.0)
    assert table(report, "x.fit.on_track").n.value == 3


HISTORY_ROWS = [
    # Ended in 2024, intake band [0, 20): the history the 2025 episodes are judged against.
    session("h1", "2024-02-01", 10), session("h1", "2024-02-08", 14, end="planned"),
    session("h2", "2024-03-01", 12), session("h2", "2024-03-08", 18, end="planned"),
    session("h3", "2024-04-01", 14), session("h3", "2024-04-08", 20, end="unplanned"),
    # 2025: c1 and c2 on the ORS; c3, a child on the CORS, has no history of its own form.
    session("c1", "2025-02-01", 11), session("c1", "2025-02-08", 19),
    session("c2", "2025-03-01", 13), session("c2", "2025-03-08", 15),
    session("c3", "2025-03-01", 20, age=9, instrument="CORS"), session("c3", "2025-03-08", 30, age=9, instrument="CORS"),
]


def test_trajectory_from_episodes_that_ended_before_the_period(tmp_path):
    parameters = {"intake_bands": [[0, 20], [20, 40]], "trajectory_sessions": 2, "trajectory_min_per_cell": 3}
    report = run(tmp_path, HISTORY_ROWS, parameters=parameters)
    rows = table(report, "x.fit.trajectory").rows
    values = {(str(r["instrument"].value), str(r["band"].value), r["number"].value):
              [r["median"].figure.inputs[0].value, r["median"].shown_value] for r in rows}
    # ORS: h1–h3 only (10, 12, 14 and 14, 18, 20); the period's own episodes c1 and c2 are not in it.
    assert values[("ORS", "Start 0 till under 20", 1)] == [3, 12]
    assert values[("ORS", "Start 0 till under 20", 2)] == [3, 18]
    # CORS: no ended history, so every CORS episode (c3 alone, too few for a point: no median, no row).
    assert [key for key in values if key[0] == "CORS"] == []
    reference = rows_by_label(report, "x.fit.trajectory.reference")
    assert reference["ORS"][0].startswith("Episoder som avslutades före 2025-01-01") and reference["ORS"][1] == 3
    assert reference["CORS"][0].startswith("Färre än 3") and reference["CORS"][1] == 1
    # c1: 19 at its 2nd ORS ≥ 18: on track; c2: 15 < 18: not; c3: no expected level. 1 of 2.
    assert figure(report, "fit.on_track_pct").value == pytest.approx(50.0)
    charts = [item.id for s in report.sections if s.id == "fit.trajectory" for item in s.items
              if getattr(item, "kind", None) == "line"]
    assert charts == ["x.fit.trajectory.ORS.chart"]


EIGHT_ENDED = [
    # Eight episodes ended in 2024 with intake ORS 10, 12 … 24 (one band, one number); two more in 2025.
    *(session(f"h{i}", f"2024-02-{10 + i}", 10 + 2 * i, end="planned") for i in range(8)),
    *episode("c1", 11, 19), *episode("c2", 13, 15),
]
EIGHT_PARAMETERS = {"intake_bands": [[0, 40]], "trajectory_sessions": 1, "trajectory_min_per_cell": 6}


@pytest.mark.parametrize("min_cell", [1, 5])
def test_the_median_interval_is_hidden_with_its_median(tmp_path, min_cell):
    # n = 8: the median is (16 + 18) / 2 = 17; its 95 % interval runs from the 1st to the 8th value, 10 to 24 —
    # two clients' own scores. A median of fewer than min_quantile_n (10) values is hidden, and so is its interval.
    report = run(tmp_path, EIGHT_ENDED, min_cell=min_cell, parameters=EIGHT_PARAMETERS)
    row = next(r for r in table(report, "x.fit.trajectory").rows if r["instrument"].value == "ORS")
    median, low, high = row["median"], row["low"], row["high"]
    assert median.figure.inputs[0].value == 8
    if min_cell == 1:
        assert [median.value, low.value, high.value] == [17.0, 10.0, 24.0]
    else:
        assert median.hidden and median.figure.reason == "quantile"
        assert low.hidden and high.hidden and low.shown_value is None and high.shown_value is None


def test_median_interval_ranks_match_the_published_table():
    # Distribution-free 95 % interval of a median (e.g. Conover, Practical Nonparametric Statistics, table A3):
    # n = 6: 1st–6th, n = 10: 2nd–9th, n = 20: 6th–15th, n = 50: 18th–33rd; below 6 there is none.
    lower, upper = median_interval_ranks(np.array([5, 6, 10, 20, 50]))
    assert np.isnan(lower[0]) and np.isnan(upper[0])
    assert lower[1:].tolist() == [1, 2, 6, 18] and upper[1:].tolist() == [6, 9, 15, 33]


@pytest.mark.scipy
@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.95, 0.99])
def test_median_interval_ranks_are_the_binomial_quantiles_of_scipy_stats(confidence):
    from scipy.stats import binom

    n = np.concatenate([np.arange(0, 3001), np.unique(np.logspace(3.5, 7, 400).astype(int))]).astype("float64")
    tail = (1.0 - confidence) / 2.0
    expected = binom.ppf(tail, n, 0.5)
    expected = np.where(binom.cdf(expected - 1, n, 0.5) <= tail + 1e-12, expected, expected - 1)
    expected = np.where((expected >= 1) & (n > 0), expected, np.nan)
    lower, upper = median_interval_ranks(n, confidence)
    assert np.array_equal(lower, expected, equal_nan=True)
    assert np.array_equal(upper, n - expected + 1, equal_nan=True)


def test_leave_one_out_medians_by_hand():
    cells = pd.DataFrame({"cell": [0, 0, 0, 0, 1, 1, 2]})
    scores = pd.Series([4.0, 1.0, 3.0, 2.0, 7.0, 5.0, 9.0])
    # Cell 0 (1, 2, 3, 4): without 4 → 2, without 1 → 3, without 3 → 2, without 2 → 3; cell 1: the other one;
    # cell 2: alone, no median.
    result = leave_one_out_medians(cells, scores)
    assert result[:6].tolist() == [2.0, 3.0, 2.0, 3.0, 5.0, 7.0] and np.isnan(result[6])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 40)), min_size=1, max_size=40))
def test_leave_one_out_medians_match_a_plain_count(rows):
    cells = pd.DataFrame({"cell": [c for c, _ in rows]})
    scores = pd.Series([float(v) for _, v in rows])
    result = leave_one_out_medians(cells, scores)
    for i, (cell, _) in enumerate(rows):
        others = [float(v) for j, (c, v) in enumerate(rows) if c == cell and j != i]
        expected = statistics.median(others) if others else None
        assert (np.isnan(result[i]) if expected is None else result[i] == pytest.approx(expected))


def test_intake_bands_are_half_open_except_the_last():
    scores = pd.Series([0.0, 14.9, 15.0, 25.0, 40.0, np.nan])
    bands = intake_band(scores, [[0, 15], [15, 20], [20, 25], [25, 40]])
    assert bands.tolist()[:5] == [0, 0, 1, 3, 3] and pd.isna(bands.iloc[5])


@settings(deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.sampled_from(["", "1", "2"]), st.integers(0, 900),
                          st.one_of(st.none(), st.integers(0, 40))), max_size=40))
def test_period_episodes_match_a_plain_count(draws):
    """Episodes of 2025 and their first/last ORS, checked against a row-by-row count."""
    start = pd.Timestamp("2024-01-01")
    rows = {(client, day): (episode_id, ors) for client, episode_id, day, ors in draws}   # one session per client and day
    frame = pd.DataFrame([{"client_id": c, "episode_id": e or pd.NA, "session_date": start + pd.Timedelta(days=d),
                           "instrument": "ORS", "age": 30, "ors_total": np.nan if o is None else float(o),
                           "srs_total": np.nan, "episode_end": pd.NA, "_row": i, "_file": "f"}
                          for i, ((c, d), (e, o)) in enumerate(rows.items())],
                         columns=["client_id", "episode_id", "session_date", "instrument", "age", "ors_total",
                                  "srs_total", "episode_end", "_row", "_file"])
    frame = frame.astype({"client_id": object, "episode_id": object, "instrument": object, "episode_end": object,
                          "age": "Int64", "ors_total": "float64", "srs_total": "float64"})
    frame["session_date"] = pd.to_datetime(frame["session_date"])
    period = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    ors = load_registry().model("fit").scales["ors"]
    result = period_episodes(prepare_sessions(frame, INSTRUMENT_AGES), period, ors)
    by_episode: dict[tuple, list] = {}
    for (client, day), (episode_id, score) in sorted(rows.items(), key=lambda kv: kv[0][1]):
        by_episode.setdefault((client, episode_id), []).append((start + pd.Timedelta(days=day), score))
    end = pd.Timestamp("2025-12-31")
    expected_episodes, expected_pairs = set(), {}
    for (client, episode_id), visits in by_episode.items():
        if any(pd.Timestamp("2025-01-01") <= when <= end for when, _ in visits):
            expected_episodes.add((client, episode_id))
            scores = [score for when, score in visits if when <= end and score is not None]
            if len(scores) >= 2:
                expected_pairs[(client, episode_id)] = (scores[0], scores[-1], len(scores))
    key = lambda client, episode_id: f"{client}{KEY_SEPARATOR}{episode_id}"   # noqa: E731
    keys = sorted({key(*k) for k in by_episode})    # an episode's code is its key's place in sorted order
    assert {keys[code] for code in result.episodes.index} == {key(*k) for k in expected_episodes}
    assert len(result.sessions) == sum(pd.Timestamp("2025-01-01") <= when <= end
                                       for visits in by_episode.values() for when, _ in visits)
    paired = {keys[code]: (row.pre, row.post, row.n_ors) for code, row in result.paired.iterrows()}
    assert paired == {key(*k): v for k, v in expected_pairs.items()}
    assert (result.paired["cutoff"] == 25).all()
    assert result.sessions[EPISODE_CODE].isin(result.episodes.index).all()


def test_continuous_compilation_per_quarter(volume_report):
    report = volume_report
    quarters = rows_by_label(report, "x.fit.over_time")
    assert list(quarters) == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    # clients, sessions, new episodes with intake ORS, mean intake ORS, sessions with SRS, % below 36, ended, % planned
    assert quarters["2025-Q1"][:3] == [3, 6, 2] and quarters["2025-Q1"][3] == pytest.approx(15.0)
    assert quarters["2025-Q1"][4:] == [6, pytest.approx(100 / 3), 1, 100.0]
    assert quarters["2025-Q2"][:3] == [1, 1, 0] and quarters["2025-Q2"][3] is None
    assert quarters["2025-Q2"][4:7] == [0, None, 0]
    assert quarters["2025-Q3"][:6] == [1, 1, 1, 12.0, 1, 100.0]
    assert quarters["2025-Q4"][4:] == [1, 100.0, 1, 0.0]


def test_no_continuous_compilation_without_period_step(tmp_path):
    report = run(tmp_path, VOLUME_ROWS, step="none")
    assert "fit.over_time" not in {s.id for s in report.sections}


def test_steps_are_cut_to_the_period():
    parts = steps(Period(dt.date(2025, 2, 15), dt.date(2025, 4, 10)), "month")
    assert [p.label for p in parts] == ["2025-02", "2025-03", "2025-04"]
    assert parts[0].period.start == dt.date(2025, 2, 15) and parts[-1].period.end == dt.date(2025, 4, 10)


def test_previous_year_side_by_side(volume_report):
    report = volume_report
    rows = rows_by_label(report, "x.fit.previous_year")
    # 2024: clients A (one session, one ORS so far) and D (two sessions); D1 10 -> 20 is improved, not recovered.
    assert rows["Klienter"] == [4, 2, 2, ""]                        # a count: every client, no interval
    assert rows["Sessioner"] == [9, 3, 6, ""]
    assert rows["Episoder som kan bedömas enligt Jacobson–Truax"] == [3, 1, 2, ""]
    improved = rows["Andel säkert förbättrade (%)"]
    assert improved == [pytest.approx(200 / 3), 100.0, pytest.approx(200 / 3 - 100), "inom slumpvariationen"]
    assert rows["Andel återhämtade (%)"][:3] == [0.0, 0.0, 0.0]
    assert rows["Effektstorlek ORS (d)"][1:3] == [None, None]          # one paired episode: no SD
    assert rows["Andel sessioner med SRS under gränsen (%)"][:3] == [50.0, pytest.approx(200 / 3),
                                                                    pytest.approx(50 - 200 / 3)]
    # The difference's interval from the two Wilson intervals (Newcombe's method 10): 2 of 3 = 20.77–93.85 %,
    # 1 of 1 = 20.65–100 %; d = −33.33, L = d − √((66.67 − 20.77)² + 0²) = −79.23,
    # U = d + √((93.85 − 66.67)² + (100 − 20.65)²) = −33.33 + 83.88 = 50.54.
    cells = {str(r["figure"].value): r for r in table(report, "x.fit.previous_year").rows}
    change = cells["Andel säkert förbättrade (%)"]["difference"]
    assert (change.low, change.high) == pytest.approx((-79.23, 50.54), abs=0.01)


def test_difference_interval_matches_newcombe():
    from isu_engine.stats.proportions import difference_interval, wilson_interval

    # Newcombe (1998), Stat Med 17:873, example (a): 56/70 against 48/80, method 10: 0.0524 to 0.3339.
    (l1, u1), (l2, u2) = wilson_interval(56, 70), wilson_interval(48, 80)
    assert difference_interval(0.8, l1, u1, 0.6, l2, u2) == pytest.approx((0.0524, 0.3339), abs=5e-5)


def test_effect_size_interval_by_hand():
    from isu_engine.stats.change import ChangeSettings, effect_size_interval

    # pre 1, 2, 3, 4 and post 2, 4, 5, 5: d = 1.5 / 1.29099 = 1.16190; r = 5 / √30 = 0.912871;
    # var(d) = 2(1 − r)/4 + d²/8 = 0.0435645 + 0.168751 = 0.2123155; d ± 1.96·0.460777 = 0.2588 to 2.0650.
    low, high = effect_size_interval(pd.Series([1.0, 2, 3, 4]), pd.Series([2.0, 4, 5, 5]), ChangeSettings())
    assert (low, high) == pytest.approx((0.2588, 2.0650), abs=1e-4)


def test_previous_year_without_data_says_so(tmp_path):
    rows = [row for row in VOLUME_ROWS if row["session_date"] >= "2025-01-01"]
    report = run(tmp_path, rows)
    section = next(s for s in report.sections if s.id == "fit.previous_year")
    assert not list(section.tables())
    assert "2024" in section.items[0].template


def test_small_counts_are_hidden_with_min_cell_5(tmp_path):
    report = run(tmp_path, VOLUME_ROWS, min_cell=5)
    for figure_id in ("n_clients", "n_clients_2plus", "srs.below_cutoff_pct", "ors.n_paired", "fit.srs_drop_pct"):
        assert figure(report, figure_id).hidden, figure_id
    assert figure(report, "n_clients").shown_value is None
    assert figure_id_values_hidden_in_json(tmp_path, ["n_clients", "n_clients_2plus", "srs.below_cutoff_pct"])


@pytest.mark.parametrize("clients, hidden", [(4, True), (5, False)])
def test_session_figures_need_sessions_of_min_cell_clients(tmp_path, clients, hidden):
    """Twenty sessions are enough sessions, but from four clients they could single a client out."""
    rows = [session(f"K{k}", f"2025-0{1 + i % 9}-0{1 + i // 9}", 20, 36) for i in range(20) for k in [i % clients]]
    rows += [session(f"K{k}", "2024-12-01", 20, 36) for k in range(5)]   # the period's sessions are not every row
    report = run(tmp_path, rows, min_cell=5)
    n_sessions = figure(report, "n_sessions")
    assert n_sessions.figure.value == 20 and n_sessions.figure.unit_kind == "rows"
    assert n_sessions.hidden is hidden
    assert figure(report, "fit.ors_completion_pct").hidden is hidden
    if hidden:
        assert n_sessions.figure.reason == "persons"


def test_sessions_episodes_and_clients_are_counted_by_their_own_keys(volume_report):
    report = volume_report
    kinds = {name: figure(report, name).figure.unit_kind for name in ("n_sessions", "fit.n_episodes", "n_clients",
                                                                      "ors.n_paired")}
    assert kinds == {"n_sessions": "rows", "fit.n_episodes": "episodes", "n_clients": "clients",
                     "ors.n_paired": "episodes"}
    sessions = figure(report, "n_sessions").figure
    assert sorted(sessions.universe.index[sessions.units]) == [1, 2, 4, 5, 6, 7, 8, 9, 12]  # the row labels of 2025
    episodes = figure(report, "fit.n_episodes").figure
    # episode codes follow the sorted keys A|A1, B|, C|C1, C|C2, D|D1, E|; D1 (code 4) has no session in 2025
    assert sorted(episodes.universe.index[episodes.units]) == [0, 1, 2, 3, 5]


def figure_id_values_hidden_in_json(tmp_path: Path, figure_ids: list[str]) -> bool:
    out = tmp_path / "out"
    code = cli_main(["report", str(tmp_path / "config.yaml"), "--out", str(out), "--format", "json"])
    assert code == 0
    document = json.loads((out / "report.json").read_text(encoding="utf-8"))
    entry = document["datasets"]["x"]
    return all(entry["figures"][f] is None and f in entry["suppressed"] for f in figure_ids)


def test_realistic_demo_data(tmp_path):
    from isu_engine.analyse.results import Chart, Table
    from isu_fit import demo

    frame = demo.generate(550, seed=7)
    report = run(tmp_path, frame.to_dict("records"), min_cell=5, clean=False)
    fit_sections = [s for s in report.sections if s.id.startswith("fit.")]
    assert [s.id for s in fit_sections] == ["fit.volume", "fit.outcome", "fit.alliance", "fit.trajectory",
                                            "fit.over_time", "fit.previous_year"]
    assert all(s.status == "ok" and s.intro for s in fit_sections)
    figures = report.figures()
    assert [name for name in FIT_FIGURES if name not in figures] == []
    assert figures["n_clients"].cell.shown_value > 100
    assert 0 < figures["ors.n_paired"].cell.value <= figures["fit.n_episodes"].cell.value
    assert figures["ors.cutoff"].cell.value is None
    assert all(f.definition for f in figures.values() if f.shown and f.id.startswith(("fit.", "n_", "srs.")))
    for section in fit_sections:
        for item in (i for i in section.items if isinstance(i, (Table, Chart))):
            shares = [c for c in item.cells() if c.kind == "pct"]
            has_n = item.n is not None or any(c.kind == "count" for c in item.cells())
            assert not shares or has_n, item.id


def test_intakes_outside_every_band_are_counted_as_left_out(tmp_path):
    # Bands from 12: h1 (intake 10) and c1 (intake 11) are outside every band.
    parameters = {"intake_bands": [[12, 20], [20, 40]], "trajectory_sessions": 2, "trajectory_min_per_cell": 1}
    report = run(tmp_path, HISTORY_ROWS, parameters=parameters)
    exclusions = {row["reason"].value: row["n"].value for row in table(report, "x.quality.exclusions").rows
                  if row["analysis"].value == "Lokal förväntad utveckling"}
    assert exclusions == {"ORS vid start ligger utanför alla startgrupper": 2}


def test_an_episodes_end_is_read_from_its_own_last_session_when_episodes_overlap():
    """A started on 1 Jan and ended on 1 Mar; B started later (15 Jan) and is still open after 1 Feb: each keeps its own end."""
    from isu_fit.trajectory import _ors_rows

    sessions = [("A", "2024-01-01", 20.0, pd.NA), ("B", "2024-01-15", 22.0, pd.NA), ("B", "2024-02-01", 24.0, pd.NA),
                ("A", "2024-03-01", 26.0, "planned")]
    frame = pd.DataFrame([{"client_id": client, "episode_id": pd.NA, "session_date": pd.Timestamp(day),
                           "instrument": "ORS", "age": 30, "ors_total": ors, "srs_total": np.nan, "episode_end": end,
                           "_row": i, "_file": "f"} for i, (client, day, ors, end) in enumerate(sessions)])
    frame = frame.astype({"client_id": object, "episode_id": object, "instrument": object, "episode_end": object,
                          "age": "Int64", "ors_total": "float64", "srs_total": "float64"})
    episodes, _ = _ors_rows(prepare_sessions(frame, INSTRUMENT_AGES), [[0.0, 40.0]], 3)
    by_client = episodes.rename(index={0: "A", 1: "B"})   # codes follow the sorted keys "A\x1f", "B\x1f"
    assert by_client.loc["A", "ended"] and by_client.loc["A", "last_date"] == pd.Timestamp("2024-03-01")
    assert not by_client.loc["B", "ended"] and by_client.loc["B", "last_date"] == pd.Timestamp("2024-02-01")
