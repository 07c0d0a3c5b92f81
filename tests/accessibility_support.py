"""The demo's reports in English beside `isu demo`'s Swedish ones, for the accessibility tests."""

from __future__ import annotations

import io
from pathlib import Path

import yaml

from isu_engine.commands.run import report_and_compare
from isu_engine.configure.config import load_config
from isu_engine.configure.plugins import load_registry

REPORTS = ("violalund", "hasselberg", "larkan", "comparison")
"""The demo's LOKE, FIT and GAS reports and the comparison of the three."""


def write_english_reports(config: Path, out: Path) -> None:
    """The reports of the demo's `config` again with `language: en`, as HTML and PDF, into `out`."""
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    english = config.with_name("demo_en.yaml")
    english.write_text(yaml.safe_dump({**settings, "language": "en"}, allow_unicode=True, sort_keys=False),
                       encoding="utf-8")
    # one run for the reports and the comparison, as `isu demo` makes them
    assert report_and_compare(load_config(english), load_registry(), out, ("html", "pdf"), io.StringIO()) in (0, 1)
