"""Test helpers shared by the core's tests and the plugins' tests: small projects on disk, the command line."""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from isu_engine.commands.cli import main

@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self, path: Path) -> dict:
        return json.loads(Path(path).read_text(encoding="utf-8"))


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


@pytest.fixture
def pdf_fetches(monkeypatch) -> list[tuple[str, bool]]:
    """Every URL WeasyPrint asks the PDF renderer's fetcher for, with whether it was served.

    The bundled fonts are loaded once per process; the cache is cleared so that they are
    fetched again, through this record, in the test that uses it.
    """
    import isu_engine.render.pdf as pdf_module

    asked: list[tuple[str, bool]] = []
    original = pdf_module.TemplateFolderFetcher.fetch

    def recording(self, url, headers=None):
        try:
            response = original(self, url, headers)
        except Exception:
            asked.append((url, False))
            raise
        asked.append((url, True))
        return response

    monkeypatch.setattr(pdf_module.TemplateFolderFetcher, "fetch", recording)
    pdf_module.bundled_fonts.cache_clear()
    return asked
