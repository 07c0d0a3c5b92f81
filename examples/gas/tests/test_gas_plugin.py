"""GAS through the public plugin interface: listed by `isu models`, demo data, a data-entry template."""

from __future__ import annotations

import json

import openpyxl
import yaml

from isu_engine.commands.cli import main
from isu_engine.configure.config import load_config
from isu_engine.commands.run import load_all


def test_isu_models_lists_gas_from_its_entry_point_with_its_codebook(registry, capsys):
    assert registry.models["gas"].plugin == "gas" and "gas" in registry.plugin_versions
    assert "filled_in_order" in registry.rule_kinds
    assert main(["models", "--json"]) == 0
    listed = {entry["name"]: entry for entry in json.loads(capsys.readouterr().out)["models"]}
    assert listed["gas"]["loaded"] is True and listed["gas"]["version"] == "1.0"
    assert main(["models", "gas", "--format", "datapackage"]) == 0
    package = json.loads(capsys.readouterr().out)
    [resource] = package["resources"]
    fields = {f["name"]: f for f in resource["schema"]["fields"]}
    assert fields["goal_3_followup"]["constraints"]["enum"] == [-2, -1, 0, 1, 2]
    assert resource["schema"]["primaryKey"] == ["case_id"]


def test_demo_data_validates_and_reports(registry, tmp_path):
    entry = registry.models["gas"]
    entry = entry.demo(folder=tmp_path, model=entry.model)
    name = entry.pop("name")
    config_path = tmp_path / "demo.yaml"
    config_path.write_text(yaml.safe_dump({"period": {"start": "2025-01-01", "end": "2025-12-31"},
                                           "reflection_log": None, "datasets": {name: entry}}, allow_unicode=True),
                           encoding="utf-8")
    assert main(["report", str(config_path), "--out", str(tmp_path / "out"), "--format", "json"]) == 0
    document = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))["datasets"][name]
    assert document["rows_quarantined"] == 0 and document["rows_in"] == 180
    figures = document["figures"]
    assert figures["n_followed_up"] < figures["n_cases"]            # some cases are still open at the end of 2025
    assert 0 < figures["gas.n_paired"] < figures["n_followed_up"]   # some follow-ups lack a goal's score
    assert 40 <= figures["gas.mean_post"] <= 60 and figures["gas.mean_pre"] < 45


def test_template_for_a_gas_unit_reads_back(registry, tmp_path):
    config_path = tmp_path / "unit.yaml"
    config_path.write_text("period: {start: '2025-01-01', end: '2025-12-31'}\n"
                           "datasets:\n  unit: {model: gas, source: goals.xlsx}\n", encoding="utf-8")
    assert main(["template", str(config_path), "unit", "--out", str(tmp_path / "goals.xlsx")]) == 0
    workbook = openpyxl.load_workbook(tmp_path / "goals.xlsx")
    data = workbook["Data"]
    headings = [cell.value for cell in data[1]]
    assert headings[6:9] == ["Mål 1 vikt", "Mål 1 utgångsläge", "Mål 1 uppföljning"]
    data.append(["L-1", "Kvinna", 40, "Norr", "2025-02-01", "2025-06-01", 2, "−1 Något sämre än förväntat",
                 "+1 Något bättre än förväntat", None, "−2 Mycket sämre än förväntat", "0 Förväntat resultat"])
    workbook.save(tmp_path / "goals.xlsx")
    dataset = load_all(load_config(config_path), registry)["unit"]
    assert (dataset.rows_valid, dataset.rows_quarantined) == (1, 0)
    row = dataset.frame.iloc[0]
    assert (row["goal_1_baseline"], row["goal_1_followup"], row["goal_2_baseline"], row["goal_2_followup"]) == (-1, 1, -2, 0)
