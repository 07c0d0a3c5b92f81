"""A YAML-only long model: the subjects of the period are those with an occasion in it, with all their rows."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import yaml

from isu_engine.configure.config import load_config
from isu_engine.protect.records import Records
from isu_engine.configure.plugins import load_registry
from isu_engine.analyse.report import apply_disclosure, build_report
from isu_engine.commands.run import load_all

MOOD_MODEL = """
name: mood
title: {sv: Mående, en: Mood}
version: "1.0"
format: long
fields:
  - {name: person, type: string, role: subject, constraints: {required: true}}
  - {name: visit, type: date, role: occasion}
  - {name: score, type: number}
scales:
  mood: {title: {sv: Måendeskala, en: Mood scale}, value: score, direction: higher_is_better, reliable_change: 3}
"""


def test_subjects_with_an_occasion_in_the_period_keep_their_earlier_rows(tmp_path: Path):
    (tmp_path / "models" / "mood").mkdir(parents=True)
    (tmp_path / "models" / "mood" / "model.yaml").write_text(MOOD_MODEL, encoding="utf-8")
    rows = [("P1", "2024-12-01", 10), ("P1", "2025-03-01", 14),      # in the period, pre from 2024: +4 improved
            ("P2", "2025-05-01", 20), ("P2", "2025-06-01", 18),      # −2: unchanged
            ("P3", "2025-07-01", 15),                                # one measurement
            ("P4", "2024-05-01", 10), ("P4", "2024-06-01", 20),      # no occasion in the period
            ("P5", "2025-11-01", 10), ("P5", "2026-02-01", 20)]      # the second after the period end
    pd.DataFrame(rows, columns=["person", "visit", "score"]).to_csv(tmp_path / "mood.csv", index=False)
    config = {"period": {"start": "2025-01-01", "end": "2025-12-31"}, "disclosure": {"min_cell": 1},
              "plugins_dirs": ["models"],
              "datasets": {"x": {"model": "mood", "source": "mood.csv", "read": {"delimiter": ",", "decimal": "."}}}}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    loaded = load_config(tmp_path / "config.yaml")
    registry = load_registry([tmp_path / "models"])
    dataset = load_all(loaded, registry)["x"]
    records = Records()
    report = build_report(dataset, loaded, registry, records)
    apply_disclosure([report], records, loaded)
    figures = report.figures()
    assert figures["n_subjects"].cell.value == 4                    # P1, P2, P3, P5
    assert figures["mood.n_paired"].cell.value == 2                 # P1 and P2
    assert figures["mood.mean_pre"].cell.value == (10 + 20) / 2


def test_a_long_model_whose_occasion_is_pre_or_post_runs_without_a_period(tmp_path: Path, cli):
    # jacobson_1989: 30 couples, each with a "pre" and a "post" row; the occasion is a category,
    # not a date, and the config names no period.
    (tmp_path / "data.csv").write_bytes((Path(__file__).parent / "data" / "jacobson_1989.csv").read_bytes())
    (tmp_path / "models" / "couples").mkdir(parents=True)
    (tmp_path / "models" / "couples" / "model.yaml").write_text("""
name: couples
title: {sv: Par, en: Couples}
format: long
fields:
  - {name: subject, type: string, role: subject}
  - {name: time, type: string, role: occasion, categories: [pre, post]}
  - {name: das, type: number}
  - {name: gds, type: number}
scales:
  das: {value: das, direction: higher_is_better, reliable_change: 10}
""", encoding="utf-8")
    (tmp_path / "config.yaml").write_text("plugins_dirs: [models]\ndatasets:\n  j: {model: couples, source: data.csv}\n",
                                          encoding="utf-8")
    result = cli("report", tmp_path / "config.yaml", "--out", tmp_path / "out", "--format", "json")
    assert result.code == 0, result.err
    figures = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))["datasets"]["j"]["figures"]
    assert figures["das.n_paired"] == 30


COUPLES_MODEL = """
name: couples
title: {{sv: Par, en: Couples}}
format: long
fields:
  - {{name: subject, type: string, role: subject}}
  - {{name: time, type: string, role: occasion{categories}}}
  - {{name: das, type: number}}
  - {{name: gds, type: number}}
scales:
  das: {{value: das, direction: higher_is_better, reliable_change: 10}}
"""


def _couples(tmp_path: Path, categories: str) -> Path:
    (tmp_path / "data.csv").write_bytes((Path(__file__).parent / "data" / "jacobson_1989.csv").read_bytes())
    (tmp_path / "models" / "couples").mkdir(parents=True)
    (tmp_path / "models" / "couples" / "model.yaml").write_text(COUPLES_MODEL.format(categories=categories),
                                                                 encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text("plugins_dirs: [models]\ndisclosure: {min_cell: 1}\n"
                      "datasets:\n  j: {model: couples, source: data.csv}\n  k: {model: couples, source: data.csv}\n"
                      "compare: [j, k]\n", encoding="utf-8")
    return config


def test_jacobson_1989_long_with_ordered_occasions_gives_the_published_das_effect_size(tmp_path: Path, cli):
    # Jacobson & Truax (1991) couples: DAS pre mean 81.58, post mean 98.05, SD pre 11.83 → d = +1.39;
    # the SD of the change is 16.57, so d on the SD of change (d_z) = 16.47 / 16.57 = 0.99.
    config = _couples(tmp_path, ", categories: [pre, post]")
    result = cli("report", config, "--out", tmp_path / "out", "--format", "json")
    assert result.code == 0, result.err
    figures = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))["datasets"]["j"]["figures"]
    assert figures["das.n_paired"] == 30
    assert round(figures["das.mean_pre"], 2) == 81.58
    assert round(figures["das.mean_post"], 2) == 98.05
    assert round(figures["das.effect_size"], 2) == 1.39
    assert round(figures["das.effect_size_dz"], 2) == 0.99


def test_a_comparison_pairs_the_same_occasions_in_the_same_order(tmp_path: Path, cli):
    config = _couples(tmp_path, ", categories: [pre, post]")
    result = cli("compare", config, "--out", tmp_path / "out", "--format", "json")
    assert result.code == 0, result.err
    comparison = json.loads((tmp_path / "out" / "comparison.json").read_text(encoding="utf-8"))
    assert not comparison["datasets"]["comparison"]["failed_sections"]
    assert comparison["harmonized"]["j"]["n"] == 30              # one unit per couple, not per row
    outcome = next(t for t in comparison["datasets"]["comparison"]["tables"] if t["id"] == "comparison.outcome")
    measured = outcome["rows"][0][2]
    assert measured == 30


def test_a_text_occasion_without_categories_is_refused_at_its_line(tmp_path: Path, cli):
    # Sorted as text, "post" would come before "pre" and every change would run backwards.
    config = _couples(tmp_path, "")
    for command in ("report", "compare"):
        result = cli(command, config, "--out", tmp_path / "out", "--format", "json")
        assert result.code == 2, result.err
        last = result.err.strip().splitlines()[-1]
        assert "model.yaml:rad 7:" in last and "'time'" in last and "ordning" in last, last
        assert "Traceback" not in result.err


def test_numbers_and_dates_order_occasions_without_categories():
    from isu_engine.configure.model import Field
    from isu_engine.stats.pairing import has_declared_order, occasion_without_order

    assert has_declared_order(Field(name="visit", type="integer"))
    assert has_declared_order(Field(name="visit", type="date"))
    assert not has_declared_order(Field(name="visit", type="string"))
    text = Field(name="visit", type="string", role="occasion")
    assert occasion_without_order("long", {"visit": text}) is text
    assert occasion_without_order("wide", {"visit": text}) is None


def test_without_dates_the_period_note_does_not_claim_a_year_from_the_data(tmp_path: Path, cli):
    config = _couples(tmp_path, ", categories: [pre, post]")
    assert cli("report", config, "--out", tmp_path / "out", "--format", "json").code == 0
    tables = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))["datasets"]["j"]["tables"]
    parameters = next(t for t in tables if t["id"] == "j.methods.parameters")
    period = parameters["rows"][0][1]
    assert "inga datum i underlaget" in period and "senaste kalenderåret" not in period


def test_bands_that_follow_on_each_other_print_as_half_open():
    from isu_engine.analyse.methods import _parameter_text

    class Texts:
        language = "sv"

        @staticmethod
        def t(key, **params):
            from isu_engine.i18n import t
            return t(key, "sv", **params)

        @staticmethod
        def number(value, decimals=None):
            from isu_engine.numerals import number
            return number(value, "sv", decimals)

    assert _parameter_text([[0, 15], [15, 20], [20, 25], [25, 40]], Texts) == \
        "0 till under 15, 15 till under 20, 20 till under 25, 25–40"
    assert _parameter_text([[0, 5], [6, 12]], Texts) == "[[0, 5], [6, 12]]"     # not contiguous: as written
