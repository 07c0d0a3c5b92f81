"""Exit codes of every command (DESIGN §5): 3 for a bug, one line; 2 for a file that cannot be written or read."""

from __future__ import annotations

import pytest

import isu_engine.commands.codebook as codebook
import isu_engine.commands.demo as demo
import isu_engine.commands.entry_sheet as entry_sheet
import isu_engine.commands.inspect as inspect_command
import isu_engine.commands.run as run
import isu_engine.commands.scaffold as scaffold
from isu_engine.errors import EXIT_INTERNAL_ERROR, EXIT_USER_ERROR
from conftest import DATA

CONFIG = "datasets:\n  a: {model: fit, source: d.csv}\n"
DATA_CSV = "client_id;session_date;ors_total\nK1;2025-01-10;20\n"

# each command, the function behind it that a defect is put into, and the arguments after the command
COMMANDS = [
    ("models", codebook, "print_models", []),
    ("validate", run, "validate_config", ["{config}"]),
    ("report", run, "report_config", ["{config}", "--out", "{out}"]),
    ("compare", run, "compare_config", ["{config}", "--out", "{out}"]),
    ("demo", demo, "run_demo", ["--out", "{out}"]),
    ("new-model", scaffold, "scaffold", ["bbic", "--out", "{out}"]),
    ("template", entry_sheet, "write_template", ["{config}", "a", "--out", "{out}/t.xlsx"]),
    ("inspect", inspect_command, "inspect_file", ["{data}"]),
]


@pytest.mark.parametrize(("command", "module", "function", "arguments"), COMMANDS, ids=[c[0] for c in COMMANDS])
def test_an_internal_error_in_any_command_exits_3_with_one_line(cli, write, tmp_path, monkeypatch, command, module,
                                                                function, arguments):
    def defect(*args, **kwargs):
        raise RuntimeError("oväntat tillstånd")

    monkeypatch.setattr(module, function, defect)
    paths = {"config": write("config.yaml", CONFIG), "data": write("d.csv", DATA_CSV), "out": tmp_path / "out"}
    result = cli(command, *[argument.format(**paths) for argument in arguments])
    assert result.code == EXIT_INTERNAL_ERROR == 3
    assert result.err.count("\n") == 1 and "RuntimeError: oväntat tillstånd" in result.err
    assert "Traceback" not in result.err


def test_an_out_folder_that_is_a_file_exits_2_naming_the_path(cli, write, tmp_path):
    config = write("config.yaml", CONFIG)
    write("d.csv", DATA_CSV)
    taken = write("rapporter", "not a folder\n")
    result = cli("validate", config, "--out", taken)
    assert result.code == EXIT_USER_ERROR
    assert result.err.count("\n") == 1 and str(taken) in result.err and "kan inte skrivas" in result.err


def test_a_full_disk_exits_2_naming_the_file(cli, write, tmp_path, monkeypatch):
    import isu_engine.render.atomic as atomic

    def full(self, text, encoding=None):
        raise OSError(28, "No space left on device")

    config = write("config.yaml", CONFIG)
    write("d.csv", DATA_CSV)
    monkeypatch.setattr(atomic.Path, "write_text", full)
    result = cli("validate", config, "--out", tmp_path / "out")
    assert result.code == EXIT_USER_ERROR
    assert str(tmp_path / "out" / "validation.csv") in result.err and "No space left on device" in result.err
    assert not list((tmp_path / "out").glob("*.part"))  # nothing half-written is left


def test_a_password_protected_workbook_is_one_line_exit_2(cli, write, tmp_path):
    # an xlsx saved with a password, as Excel writes it (made with msoffcrypto-tool, see tests/data/README.md)
    (tmp_path / "skyddad.xlsx").write_bytes((DATA / "password_protected.xlsx").read_bytes())
    config = write("config.yaml", "datasets:\n  a: {model: loke, source: skyddad.xlsx}\n")
    result = cli("validate", config)
    assert result.code == EXIT_USER_ERROR and result.err.count("\n") == 1
    assert result.err.startswith("skyddad.xlsx: ") and "spara en kopia utan lösenord" in result.err


def test_messages_follow_isu_language_until_the_config_says_otherwise(cli, write, monkeypatch):
    monkeypatch.setenv("ISU_LANGUAGE", "en")
    broken = write("broken.yaml", "datasets:\n\ta: 1\n")
    result = cli("validate", broken)
    assert result.code == EXIT_USER_ERROR and "replace the tab with spaces" in result.err
    monkeypatch.delenv("ISU_LANGUAGE")
    assert "byt tabben mot mellanslag" in cli("validate", broken).err
