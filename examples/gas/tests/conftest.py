"""Fixtures for the GAS tests: the loaded registry and a small GAS project on disk."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from isu_engine.configure.plugins import load_registry

from .gas_data import gas_csv


@pytest.fixture(scope="session")
def registry():
    registry = load_registry()
    assert "gas" in registry.models, "the isu-gas package is not installed (scripts/setup installs it)"
    return registry


@pytest.fixture
def project(tmp_path):
    """project(rows, min_cell=1) -> config path: the rows as data.csv and a config for 2025."""

    def _project(rows: list[dict], min_cell: int = 1, language: str = "sv") -> Path:
        (tmp_path / "data.csv").write_text(gas_csv(rows), encoding="utf-8")
        config = tmp_path / "config.yaml"
        config.write_text(textwrap.dedent(f"""
            period: {{start: "2025-01-01", end: "2025-12-31"}}
            language: {language}
            disclosure: {{min_cell: {min_cell}}}
            reflection_log: null
            datasets:
              gas_unit: {{model: gas, source: data.csv}}
        """), encoding="utf-8")
        return config

    return _project
