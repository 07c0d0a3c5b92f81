"""Two years of one unit compare like two units: each dataset may have its own period."""

import json

import yaml

from isu_engine.demo import write_demo_config
from isu_engine.plugins import load_registry


def test_two_years_of_one_unit(cli, tmp_path):
    config_path = write_demo_config(load_registry(), tmp_path)
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    unit = dict(config["datasets"]["violalund"])
    config["datasets"] = {
        "violalund_2024": {**unit, "title": "Violalund 2024", "period": {"start": "2024-01-01", "end": "2024-12-31"}},
        "violalund_2025": {**unit, "title": "Violalund 2025", "period": {"start": "2025-01-01", "end": "2025-12-31"}},
    }
    config["compare"] = ["violalund_2024", "violalund_2025"]
    config.pop("period")
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    result = cli("compare", config_path, "--out", tmp_path / "out", "--format", "json")
    assert result.code == 0, result.out + result.err
    document = json.loads((tmp_path / "out" / "comparison.json").read_text(encoding="utf-8"))
    harmonized = document["harmonized"]
    assert harmonized["violalund_2024"]["period"] != harmonized["violalund_2025"]["period"]
    assert harmonized["violalund_2024"]["period"]["start"] == "2024-01-01"
    assert not document["datasets"]["comparison"]["failed_sections"]
    report = cli("report", config_path, "--out", tmp_path / "single", "--format", "json")
    assert report.code == 0
    single = json.loads((tmp_path / "single" / "report.json").read_text(encoding="utf-8"))["datasets"]
    assert single["violalund_2024"]["period"]["end"] == "2024-12-31"
    assert single["violalund_2024"]["figures"]["n_cases"] != single["violalund_2025"]["figures"]["n_cases"]
