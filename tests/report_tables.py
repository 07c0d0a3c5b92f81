"""Reading report.json in known-answer table tests: run `isu report` on hand-built data, find a table."""

import json
from pathlib import Path

from isu_engine.commands.cli import main

PERIOD = 'period: {start: "2025-01-01", end: "2025-12-31"}\n'


def run_report(folder: Path, data_name: str, data: str, config: str) -> dict:
    """Write data and config, run `isu report --format json`; the dataset `x` of report.json."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / data_name).write_text(data, encoding="utf-8")
    (folder / "config.yaml").write_text(config, encoding="utf-8")
    assert main(["report", str(folder / "config.yaml"), "--out", str(folder / "out"), "--format", "json"]) == 0
    document = json.loads((folder / "out" / "report.json").read_text(encoding="utf-8"))
    return document["datasets"]["x"]


def table(dataset: dict, table_id: str) -> dict:
    return next(t for t in dataset["tables"] if t["id"] == table_id)


def rows(dataset: dict, table_id: str) -> list[list]:
    return table(dataset, table_id)["rows"]


def by_group(dataset: dict, table_id: str) -> dict[str, dict]:
    found = table(dataset, table_id)
    return {row[0]: dict(zip(found["column_ids"], row)) for row in found["rows"]}
