"""A YAML-only model (DESIGN §4) reproduces the published claus_2020 results through the whole engine."""

import json
import shutil
from pathlib import Path

import pytest

from isu_engine.protect.audit import audit

DATA = Path(__file__).resolve().parent / "data"


BDI_MODEL = """
name: bdi
title: {sv: Depression (BDI-II), en: Depression (BDI-II)}
version: "1.0"
format: wide
fields:
  - {name: id, type: string, role: subject, constraints: {required: true, unique: true}}
  - {name: treatment, type: string, role: group}
  - {name: bdi_pre, type: number, constraints: {minimum: 0, maximum: 63}}
  - {name: bdi_post, type: number, constraints: {minimum: 0, maximum: 63}}
scales:
  bdi:
    pre: bdi_pre
    post: bdi_post
    direction: lower_is_better
    reliability: 0.801
    cutoff: {type: a}
"""

CONFIG = """
municipality: Forskningsdata
disclosure: {min_cell: 1}
plugins_dirs: [models]
datasets:
  claus:
    model: bdi
    source: claus_2020.csv
    columns: {"BDI1.total": bdi_pre, "BDI4.total": bdi_post}
"""


@pytest.fixture
def bdi_project(tmp_path, write):
    write("models/bdi/model.yaml", BDI_MODEL)
    shutil.copy(DATA / "claus_2020.csv", tmp_path / "claus_2020.csv")
    return write("config.yaml", CONFIG)


def test_yaml_only_model_is_listed(cli, bdi_project):
    result = cli("models", "--json", "--plugins-dir", bdi_project.parent / "models")
    names = {m["name"]: m for m in json.loads(result.out)["models"]}
    assert result.code == 0
    assert set(names) == {"bdi"}  # and no plugin (the core's tests load none)
    assert names["bdi"]["origin"].startswith("plugins dir")


def test_claus_2020_published_results(cli, bdi_project, tmp_path):
    result = cli("report", bdi_project, "--out", tmp_path / "out", "--format", "json")
    assert result.code == 0, result.err
    document = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    claus = document["datasets"]["claus"]
    assert claus["rows_in"] == 43 and claus["rows_valid"] == 43 and claus["rows_quarantined"] == 0
    figures = claus["figures"]
    assert figures["bdi.n_paired"] == 40
    assert round(figures["bdi.mean_pre"], 2) == 35.48
    assert round(figures["bdi.sd_pre"], 2) == 8.16
    assert round(figures["bdi.reliable_change_points"], 2) == 10.09
    assert round(figures["bdi.cutoff"], 2) == 19.16
    assert [figures[f"bdi.jt_{c}"] for c in ("recovered", "improved", "unchanged", "deteriorated", "harmed")] == [10, 8, 22, 0, 0]
    assert claus["suppressed"] == []


def test_claus_2020_cutoff_c_through_config_override(write, cli, bdi_project, tmp_path):
    config = bdi_project.read_text(encoding="utf-8") + "    scales: {bdi: {cutoff: {type: c, functional_mean: 7.69, functional_sd: 7.52}}}\n"
    bdi_project.write_text(config, encoding="utf-8")
    result = cli("report", bdi_project, "--out", tmp_path / "out", "--format", "json")
    assert result.code == 0, result.err
    figures = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))["datasets"]["claus"]["figures"]
    assert round(figures["bdi.cutoff"], 2) == 21.02


def test_claus_2020_with_default_disclosure_hides_small_cells(cli, bdi_project, tmp_path):
    # 3 of the 43 have no post-score: below min_cell 5, so hidden, and with it whatever would give
    # it away: 43 − n_paired, and n_paired as the sum of the five Jacobson–Truax counts.
    bdi_project.write_text(bdi_project.read_text(encoding="utf-8").replace("disclosure: {min_cell: 1}\n", ""),
                           encoding="utf-8")
    result = cli("report", bdi_project, "--out", tmp_path / "out", "--format", "json")
    assert result.code == 0, result.err
    claus = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))["datasets"]["claus"]
    figures = claus["figures"]
    assert "claus.quality.missing[bdi_post][missing]" in claus["suppressed"]
    assert figures["n_subjects"] == 43                      # the dataset's count stays shown
    categories = [figures[f"bdi.jt_{c}"] for c in ("recovered", "improved", "unchanged", "deteriorated", "harmed")]
    assert figures["bdi.n_paired"] is None and None in categories
    # what is shown is the published result, not an altered one
    assert all(shown in (None, published) for shown, published in zip(categories, [10, 8, 22, 0, 0]))
    for value in figures.values():
        assert value is None or not isinstance(value, int) or value == 0 or value >= 5
    findings, min_cell = audit([tmp_path / "out"])
    assert min_cell == 5 and findings == []
