"""The demo's reports in English beside `isu demo`'s Swedish ones, for the accessibility tests."""

from __future__ import annotations

from pathlib import Path

import yaml

from isu_engine.commands.cli import main

REPORTS = ("violalund", "hasselberg", "larkan", "comparison")
"""The demo's LOKE, FIT and GAS reports and the comparison of the three."""


def write_english_reports(config: Path, out: Path) -> None:
    """The reports of the demo's `config` again with `language: en`, as HTML and PDF, into `out`."""
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    english = config.with_name("demo_en.yaml")
    english.write_text(yaml.safe_dump({**settings, "language": "en"}, allow_unicode=True, sort_keys=False),
                       encoding="utf-8")
    for command in ("report", "compare"):
        assert main([command, str(english), "--out", str(out), "--format", "html,pdf"]) in (0, 1)
