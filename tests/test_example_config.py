"""The example config in configs/ reads, validates and names what is wrong, as the README says."""

import csv
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.plugins("fit", "loke")

EXAMPLE = Path(__file__).resolve().parents[1] / "configs" / "exempel.yaml"


def test_example_config_validates_with_the_broken_rows_quarantined(cli, tmp_path):
    result = cli("validate", EXAMPLE, "--out", tmp_path)
    assert result.code == 1, result.err  # 1: done, with quarantined rows (DESIGN §5)
    with (tmp_path / "validation.csv").open(encoding="utf-8-sig") as handle:
        issues = list(csv.DictReader(handle))
    assert issues, "the example data hold rows broken on purpose"
    assert {row["dataset"] for row in issues} == {"violalund", "hasselberg"}
    assert (tmp_path / "quarantine-violalund.csv").exists() and (tmp_path / "quarantine-hasselberg.csv").exists()


def test_example_config_shows_own_variables_in_every_loke_block():
    config = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    blocks = {field["block"] for field in config["datasets"]["violalund"]["fields"]}
    assert blocks == {"target_group", "intervention", "result"}
    assert set(config["compare"]) == set(config["datasets"])


def test_example_config_makes_a_data_entry_sheet(cli, tmp_path):
    result = cli("template", EXAMPLE, "violalund", "--out", tmp_path / "inmatning.xlsx")
    assert result.code == 0, result.err
    assert (tmp_path / "inmatning.xlsx").stat().st_size > 0
