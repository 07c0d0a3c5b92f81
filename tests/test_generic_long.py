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
