"""Benchmark data: synthetic FIT sessions and LOKE cases as a municipality exports them, each with a config.

Both are written as CSV with `;` and decimal comma under the unit's own headings, from
the plugins' demo generators. LOKE is written as CSV too, not xlsx: writing a 500 000-row
workbook would measure openpyxl, not the engine. Each size is written once and reused
while its manifest (rows asked for, seed) matches.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

SESSIONS_PER_CLIENT = 10.35  # what isu_fit.demo.generate yields on average
SETTINGS = {
    "municipality": "Benchmarkkommun",
    "unit": "Individ- och familjeomsorgen",
    "period": {"start": "2025-01-01", "end": "2025-12-31"},
    "period_step": "quarter",
    "language": "sv",
    "disclosure": {"min_cell": 5},
    "reflection_log": None,
}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$")


@dataclass(frozen=True)
class Case:
    """One benchmark size: its data file, its config, and how many rows it really has."""

    model: str
    label: str
    target: int
    rows: int
    data: Path
    config: Path


def parse_size(text: str) -> int:
    """`100k` → 100 000, `1M` → 1 000 000, `2500` → 2 500."""
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"not a size: {text!r} (write e.g. 100k, 1M, 5M)")
    number, unit = float(match.group(1)), match.group(2).lower()
    return int(number * {"": 1, "k": 1_000, "m": 1_000_000}[unit])


def size_label(n: int) -> str:
    """The short form of a row count: 1M, 100k, 2500."""
    for factor, suffix in ((1_000_000, "M"), (1_000, "k")):
        if n >= factor and n % (factor // 10) == 0:
            return f"{n / factor:g}{suffix}"
    return str(n)


def fit_case(rows: int, folder: Path, seed: int = 2025) -> Case:
    """About `rows` FIT session rows (one client has about ten sessions) and a config for them."""
    from isu_fit import demo

    clients = max(1, round(rows / SESSIONS_PER_CLIENT))
    return _case("fit", rows, folder, seed, demo.write_demo, lambda: demo.generate(clients, seed=seed))


def loke_case(cases: int, folder: Path, seed: int = 2025) -> Case:
    """`cases` LOKE cases under the unit's own headings and codes, and a config with the unit's mapping."""
    from isu_loke import demo

    return _case("loke", cases, folder, seed, demo.write_demo, lambda: demo.generate(cases, seed=seed))


def _case(model: str, target: int, folder: Path, seed: int, write_demo, generate) -> Case:
    label = size_label(target)
    base = folder / f"{model}-{label}"
    data, config, manifest = base.with_suffix(".csv"), base.with_suffix(".yaml"), base.with_suffix(".json")
    wanted = {"model": model, "target": target, "seed": seed}
    if data.exists() and config.exists() and manifest.exists():
        known = json.loads(manifest.read_text())
        if {key: known.get(key) for key in wanted} == wanted:
            return Case(model, label, target, known["rows"], data, config)
    folder.mkdir(parents=True, exist_ok=True)
    entry = _dataset_entry(write_demo, data.name)
    frame = generate()
    headings = {name: heading for heading, name in entry.get("columns", {}).items()}
    frame.rename(columns=headings).to_csv(
        data, sep=";", decimal=",", float_format="%.10g", index=False, encoding="utf-8-sig", lineterminator="\r\n",
    )
    document = {**SETTINGS, "datasets": {f"{model}_{label}": entry}}
    config.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    manifest.write_text(json.dumps({**wanted, "rows": len(frame)}))
    return Case(model, label, target, len(frame), data, config)


def _dataset_entry(write_demo, source: str) -> dict:
    """The plugin's own demo dataset entry (headings, value codes, own fields, idea), pointed at `source`."""
    with tempfile.TemporaryDirectory() as scratch:
        entry = dict(write_demo(Path(scratch)))
    entry.pop("name", None)
    entry.pop("read", None)  # the demo workbook's sheet and title rows; the CSV has its headings on row 1
    entry["source"] = source
    return entry


def raw_frame(path: Path, engine: str) -> pd.DataFrame:
    """The bare read of a benchmark file: pandas' own typing, `;` and decimal comma."""
    return pd.read_csv(path, sep=";", decimal=",", engine=engine)
