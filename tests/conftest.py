"""Shared test helpers: writing small projects to disk and running the command line."""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from isu_engine.cli import main
from isu_engine.i18n import set_language

DATA = Path(__file__).resolve().parent / "data"


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self, path: Path) -> dict:
        return json.loads(Path(path).read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def swedish_by_default():
    """Each test starts with Swedish messages, as the command line does."""
    set_language("sv")
    yield
    set_language("sv")


@pytest.fixture
def write(tmp_path):
    """write("name", text) -> path: a dedented text file in the test's folder."""

    def _write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding=encoding)
        return path

    return _write


@pytest.fixture
def cli(capsys):
    """cli("validate", "cfg.yaml", ...) -> CliResult with exit code and captured output."""

    def _run(*args: str) -> CliResult:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return _run
