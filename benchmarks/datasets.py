"""Benchmark data: synthetic FIT sessions and LOKE cases as a municipality exports them, each with a config.

Each is written under the unit's own headings, from the plugins' demo generators, in one
of the file kinds municipalities have (`INPUTS`): CSV with `;` and decimal comma, CSV with
`,` and decimal point, or an xlsx workbook (small sizes only: writing a 500 000-row
workbook would measure openpyxl, not the engine). Each file is written once and reused
while its manifest (rows asked for, seed, kind) matches.
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
# kind → (file suffix, delimiter, decimal mark); xlsx has neither
INPUTS = {"semicolon": (".csv", ";", ","), "comma": (".csv", ",", "."), "xlsx": (".xlsx", None, None)}
XLSX_MAX_ROWS = 100_000
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$")


@dataclass(frozen=True)
class Case:
    """One benchmark size: its data file, its config, and how many rows it really has."""

    model: str
    label: str
    kind: str
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


def fit_case(rows: int, folder: Path, seed: int = 2025, kind: str = "semicolon") -> Case:
    """About `rows` FIT session rows (one client has about ten sessions) and a config for them."""
    from isu_fit import demo

    clients = max(1, round(rows / SESSIONS_PER_CLIENT))
    return _case("fit", rows, folder, seed, kind, demo.write_demo, lambda: demo.generate(clients, seed=seed))


def loke_case(cases: int, folder: Path, seed: int = 2025, kind: str = "semicolon") -> Case:
    """`cases` LOKE cases under the unit's own headings and codes, and a config with the unit's mapping."""
    from isu_loke import demo

    return _case("loke", cases, folder, seed, kind, demo.write_demo, lambda: demo.generate(cases, seed=seed))


def _case(model: str, target: int, folder: Path, seed: int, kind: str, write_demo, generate) -> Case:
    label = size_label(target)
    base = folder / f"{model}-{label}" if kind == "semicolon" else folder / f"{model}-{label}-{kind}"
    suffix, delimiter, decimal = INPUTS[kind]
    data, config, manifest = base.with_suffix(suffix), base.with_suffix(".yaml"), base.with_suffix(".json")
    wanted = {"model": model, "target": target, "seed": seed, "kind": kind}
    if data.exists() and config.exists() and manifest.exists():
        known = json.loads(manifest.read_text())
        if {key: known.get(key, "semicolon" if key == "kind" else None) for key in wanted} == wanted:
            return Case(model, label, kind, target, known["rows"], data, config)
    folder.mkdir(parents=True, exist_ok=True)
    entry = _dataset_entry(write_demo, data.name)
    frame = generate()
    headings = {name: heading for heading, name in entry.get("columns", {}).items()}
    frame = frame.rename(columns=headings)
    if delimiter is None:
        frame.to_excel(data, index=False, sheet_name="Data", engine="openpyxl")
    else:
        frame.to_csv(data, sep=delimiter, decimal=decimal, float_format="%.10g", index=False, encoding="utf-8-sig",
                     lineterminator="\r\n")
    document = {**SETTINGS, "datasets": {f"{model}_{label}": entry}}
    config.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    manifest.write_text(json.dumps({**wanted, "rows": len(frame)}))
    return Case(model, label, kind, target, len(frame), data, config)


def _dataset_entry(write_demo, source: str) -> dict:
    """The plugin's own demo dataset entry (headings, value codes, own fields, idea), pointed at `source`."""
    with tempfile.TemporaryDirectory() as scratch:
        entry = dict(write_demo(Path(scratch)))
    entry.pop("name", None)
    entry.pop("read", None)  # the demo workbook's sheet and title rows; the CSV has its headings on row 1
    entry["source"] = source
    return entry


def read_engines(kind: str) -> tuple[str, ...]:
    """The pandas engines a bare read of this file kind is timed with (the faster one counts)."""
    return ("calamine",) if INPUTS[kind][1] is None else ("c", "pyarrow")


def raw_frame(path: Path, kind: str, engine: str) -> pd.DataFrame:
    """The bare read of a benchmark file with pandas' own typing, told the delimiter and decimal mark."""
    _, delimiter, decimal = INPUTS[kind]
    if delimiter is None:
        return pd.read_excel(path, engine=engine)
    return pd.read_csv(path, sep=delimiter, decimal=decimal, engine=engine)


def wide_file(folder: Path, fields: int = 100_000) -> Path:
    """A CSV export one record deep and `fields` fields wide (headings, then one row of numbers)."""
    path = folder / f"wide-{size_label(fields)}.csv"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        headings = ",".join(f"fråga_{i}" for i in range(fields))
        values = ",".join(f"{i % 10}.5" if i % 3 else str(i % 10) for i in range(fields))
        path.write_text(f"{headings}\n{values}\n", encoding="utf-8")
    return path
