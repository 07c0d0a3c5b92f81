"""The command line contract (DESIGN §5): exit codes and one-line errors without tracebacks."""

import json
import subprocess
import sys

import pytest

HEADER = "client_id;session_date;age;ors_total;srs_total"


@pytest.mark.parametrize("config, fragment", [
    ("datasets:\n  a: {model: nosuch, source: d.csv}\n", "nosuch"),
    ("datasets:\n  a: {model: fit, source: missing.csv}\n", "missing.csv"),
    ("datasets:\n  a: {model: fit, source: d.csv\n", "YAML"),
    ("datasets:\n  a: {model: fit, source: d.csv, colums: {}}\n", "columns"),
])
@pytest.mark.plugins("fit", "loke")
def test_user_errors_exit_2_with_one_line(cli, write, config, fragment):
    write("d.csv", HEADER + "\nK1;2025-01-01;30;20;38\n")
    path = write("config.yaml", config)
    for command in (["validate"], ["report", "--out", str(path.parent / "out")]):
        result = cli(command[0], path, *command[1:])
        assert result.code == 2
        lines = result.err.strip().splitlines()
        assert len(lines) == 1, result.err
        assert "config.yaml" in lines[0] or "missing.csv" in lines[0]
        assert fragment in lines[0]
        assert "Traceback" not in result.err


def test_missing_config_file(cli, tmp_path):
    result = cli("validate", tmp_path / "nope.yaml")
    assert result.code == 2 and "nope.yaml" in result.err and len(result.err.strip().splitlines()) == 1


def test_unknown_model_in_models_command(cli):
    result = cli("models", "nosuch")
    assert result.code == 2 and "nosuch" in result.err


@pytest.mark.plugins("fit", "loke")
def test_models_codebook_formats(cli):
    text = cli("models", "loke")
    assert text.code == 0 and "case_id" in text.out and "planerat avslut" in text.out
    book = json.loads(cli("models", "fit", "--json").out)
    assert book["name"] == "fit" and any(f["name"] == "ors_total" for f in book["fields"])
    schema = json.loads(cli("models", "loke", "--format", "table-schema").out)
    assert schema["primaryKey"] == ["case_id"]
    assert {"name": "problem_areas", "type": "list"}.items() <= next(f for f in schema["fields"] if f["name"] == "problem_areas").items()


@pytest.mark.plugins("fit", "loke")
def test_report_strict_exit_code(cli, write, tmp_path):
    write("d.csv", HEADER + "\nK1;2025-01-01;30;20;38\nK1;2025-01-08;30;99;38\n")
    path = write("config.yaml", "datasets:\n  a: {model: fit, source: d.csv}\n")
    assert cli("report", path, "--out", tmp_path / "o1", "--format", "json").code == 0
    assert cli("report", path, "--out", tmp_path / "o2", "--format", "json", "--strict").code == 1
    document = json.loads((tmp_path / "o1" / "report.json").read_text(encoding="utf-8"))
    entry = document["datasets"]["a"]
    assert entry["rows_in"] == entry["rows_valid"] + entry["rows_quarantined"] == 2


def test_bad_format_option(cli, write):
    path = write("config.yaml", "datasets:\n  a: {model: fit, source: d.csv}\n")
    result = cli("report", path, "--out", "x", "--format", "html,docx")
    assert result.code == 2 and "docx" in result.err


@pytest.mark.plugins("fit", "loke")
def test_python_dash_m_runs_the_cli():
    result = subprocess.run([sys.executable, "-m", "isu_engine", "models", "--json"], capture_output=True, text=True)
    assert result.returncode == 0
    assert {"fit", "loke"} <= {m["name"] for m in json.loads(result.stdout)["models"]}


@pytest.mark.parametrize("args", [["report"], ["report", "c.yaml", "--out", "o", "--format", "foo"], ["nosuch"]])
def test_usage_errors_are_one_line_and_exit_2(cli, args):
    result = cli(*args)
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert result.err.startswith("isu") and "--help" in result.err
