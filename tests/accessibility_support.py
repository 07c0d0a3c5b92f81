"""The demo's reports, written once per test session in Swedish and English, for the accessibility tests."""

from __future__ import annotations

from pathlib import Path

import yaml

from isu_engine.commands.cli import main

REPORTS = ("violalund", "hasselberg", "larkan", "comparison")
"""The demo's LOKE, FIT and GAS reports and the comparison of the three."""


def write_demo_reports(folder: Path) -> dict[str, Path]:
    """`isu demo` into `folder`, then its config run again with `language: en`.

    Returns the report folder per language; both hold HTML and PDF of every report.
    """
    assert main(["demo", "--out", str(folder)]) in (0, 1)
    data = folder / "data"
    config = yaml.safe_load((data / "demo.yaml").read_text(encoding="utf-8"))
    english = data / "demo_en.yaml"
    english.write_text(yaml.safe_dump({**config, "language": "en"}, allow_unicode=True, sort_keys=False),
                       encoding="utf-8")
    out = folder / "reports_en"
    for command in ("report", "compare"):
        assert main([command, str(english), "--out", str(out), "--format", "html,pdf"]) in (0, 1)
    return {"sv": folder / "reports", "en": out}
