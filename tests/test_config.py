"""Municipality configs: every key checked, one-line errors with file and line, paths resolved."""

import datetime as dt

import pytest

from isu_engine.configure.config import DEFAULT_AGE_BANDS, load_config
from isu_engine.errors import UserError

MINIMAL = """
datasets:
  a:
    model: fit
    source: data.csv
"""


def test_minimal_config_gets_the_defaults(write):
    config = load_config(write("c.yaml", MINIMAL))
    assert config.min_cell == 5
    assert config.groups.min_group == 20 and config.groups.min_difference == 10
    assert config.age_bands == DEFAULT_AGE_BANDS
    assert config.period is None and config.period_step == "quarter" and config.language == "sv"
    assert config.internal is False
    assert config.compare == ["a"]
    assert config.datasets["a"].sources == [config.folder / "data.csv"]
    assert config.reflection_log == config.folder / "reflektion.yaml"


def test_full_config(write, tmp_path):
    (tmp_path / "data").mkdir()
    for name in ("v_2024.csv", "v_2025.csv"):
        (tmp_path / "data" / name).write_text("x\n", encoding="utf-8")
    config = load_config(write("c.yaml", """
        municipality: Exempelkommun
        unit: Öppenvården Violalund
        period: {start: "2025-01-01", end: "2025-12-31"}
        period_step: month
        language: en
        disclosure: {min_cell: 3}
        groups: {min_group: 10, min_difference: 15}
        age_bands: [[0, 12], [13, 17], [18, 120]]
        internal: true
        datasets:
          violalund:
            model: loke
            source: data/v_*.csv
            read: {delimiter: ";", decimal: ",", encoding: cp1252, header_row: 2}
            columns: {"Ärende": case_id}
            values: {gender: {"F": flicka}}
            fields:
              - {name: school, type: string, block: target_group, categories: [ja, nej]}
            idea:
              target_group: {age: [0, 12]}
        compare: [violalund]
    """))
    assert config.period.start == dt.date(2025, 1, 1) and config.period.end == dt.date(2025, 12, 31)
    assert config.language == "en" and config.min_cell == 3 and config.internal
    dataset = config.datasets["violalund"]
    assert [p.name for p in dataset.sources] == ["v_2024.csv", "v_2025.csv"]
    assert dataset.read.delimiter == ";" and dataset.read.header_row == 2 and dataset.read.encoding == "cp1252"
    assert dataset.fields[0].name == "school" and dataset.fields[0].own and dataset.fields[0].block == "target_group"
    assert dataset.columns == {"Ärende": "case_id"}


@pytest.mark.parametrize("text, key, line, fragment", [
    ("municipalty: X\n" + MINIMAL, "schema.unknown_key_suggest", 1, "municipality"),
    ("disclosure: {min_cel: 3}\n" + MINIMAL, "schema.unknown_key_suggest", 1, "min_cell"),
    ("datasets:\n  a:\n    model: fit\n    sourse: x.csv\n", "schema.unknown_key_suggest", 4, "source"),
    ("datasets:\n  a:\n    model: fit\n", "schema.missing_key", 2, "source"),
    ("period: {start: 2025-13-01, end: 2025-12-31}\n" + MINIMAL, "config.bad_date", 1, "2025-13-01"),
    ("language: fi\n" + MINIMAL, "schema.bad_choice", 1, "sv"),
    ("disclosure: {min_cell: 0}\n" + MINIMAL, "config.bad_whole", 1, "min_cell"),
    ("age_bands: [[0, 12], [10, 17]]\n" + MINIMAL, "config.overlapping_age_bands", 1, ""),
    ("datasets:\n  a:\n    model: fit\n    source: ../../etc/passwd\n", "config.outside_folder", 4, "passwd"),
    ("compare: [b]\n" + MINIMAL, "config.unknown_dataset", 1, "b"),
    ("datasets: {}\n", "config.no_datasets", 1, ""),
])
def test_config_errors_name_file_line_and_problem(write, text, key, line, fragment):
    with pytest.raises(UserError) as caught:
        load_config(write("c.yaml", text))
    error = caught.value
    assert error.key == key
    assert error.file.endswith("c.yaml")
    assert error.place == f"rad {line}"
    assert fragment in error.line()
    assert "\n" not in error.line()


def test_paths_outside_allowed_when_said(write, tmp_path):
    config = load_config(write("sub/c.yaml", "allow_outside_paths: true\ndatasets:\n  a: {model: fit, source: ../x.csv}\n"))
    assert config.datasets["a"].sources == [tmp_path / "x.csv"]


def test_glob_without_match_is_an_error(write):
    with pytest.raises(UserError) as caught:
        load_config(write("c.yaml", "datasets:\n  a: {model: fit, source: 'data/*.xlsx'}\n"))
    assert caught.value.key == "config.no_match"


@pytest.mark.parametrize(("name", "lock"), [("~$violalund.xlsx", True), (".~lock.violalund.xlsx#", True),
                                            ("violalund.xlsx", False), ("~violalund.xlsx", False)])
def test_owner_and_lock_files_of_office_programs_are_known(name, lock):
    from pathlib import Path

    from isu_engine.configure.config import is_lock_file

    assert is_lock_file(Path(name)) is lock
