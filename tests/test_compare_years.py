"""Two years of one unit compare like two units: each dataset may have its own period, and the
comparison shows each dataset's log entries from before that dataset's own period."""

import io
import json

import pytest
import yaml

from isu_engine import library
from isu_engine.commands.run import report_and_compare

pytestmark = pytest.mark.plugins("fit", "loke", "gas")


def test_two_years_of_one_unit(tmp_path, demo_run):
    config = yaml.safe_load(demo_run.config.read_text(encoding="utf-8"))
    unit = dict(config["datasets"]["violalund"], source=str(demo_run.config.parent / "violalund.xlsx"))
    config["allow_outside_paths"] = True  # the demo's data stays in the session's demo folder
    config_path = tmp_path / "demo.yaml"
    config["datasets"] = {
        "violalund_2024": {**unit, "title": "Violalund 2024", "period": {"start": "2024-01-01", "end": "2024-12-31"}},
        "violalund_2025": {**unit, "title": "Violalund 2025", "period": {"start": "2025-01-01", "end": "2025-12-31"}},
    }
    config["compare"] = ["violalund_2024", "violalund_2025"]
    config.pop("period")
    # which counts are hidden is not this test's question (disclosure control has tests of its own, on these
    # data among others): every count is shown, which spares the run its linear programs
    config["disclosure"] = {"min_cell": 1}
    log = [{"period": "2023", "dataset": "violalund_2024", "topic": "Inför 2024"},
           {"period": "2024", "dataset": "violalund_2025", "topic": "Inför 2025"},
           {"period": "2024", "dataset": "violalund_2024", "topic": "Under 2024"}]
    (tmp_path / config["reflection_log"]).write_text(yaml.safe_dump(log, allow_unicode=True), encoding="utf-8")
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    # one run writes the comparison and both reports (as `isu demo` does); exit 0: no section of either failed
    result = report_and_compare(library.load_config(config_path), library.load_registry(), tmp_path / "out", ("json",),
                                io.StringIO())
    assert result == 0
    document = json.loads((tmp_path / "out" / "comparison.json").read_text(encoding="utf-8"))
    harmonized = document["harmonized"]
    assert harmonized["violalund_2024"]["period"] != harmonized["violalund_2025"]["period"]
    assert harmonized["violalund_2024"]["period"]["start"] == "2024-01-01"
    assert not document["datasets"]["comparison"]["failed_sections"]
    log_table = next(t for t in document["datasets"]["comparison"]["tables"] if t["id"] == "comparison.reflection.log")
    assert [(row[0], row[2]) for row in log_table["rows"]] == [("Violalund 2025", "Inför 2025"),
                                                               ("Violalund 2024", "Inför 2024")]
    single = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))["datasets"]
    assert single["violalund_2024"]["period"]["end"] == "2024-12-31"
    assert single["violalund_2024"]["figures"]["n_cases"] != single["violalund_2025"]["figures"]["n_cases"]
