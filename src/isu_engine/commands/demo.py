"""`isu demo`: synthetic data from every model that offers it, a config, and every report.

The core knows no model by name: each model's plugin registers a function that writes
its demo data, and the reflection-log entries that go with it. The demo config is an
ordinary config file, so the demo shows exactly what a municipality would write.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

import numpy as np
import yaml

from isu_engine.render import atomic
from isu_engine.configure.config import load_config
from isu_engine.errors import UserError
from isu_engine.i18n import t
from isu_engine.configure.plugins import ModelEntry, Registry, call_declared
from isu_engine.configure.schema import display_path

DEMO_SETTINGS = {
    "municipality": "Exempelkommun",
    "unit": "Individ- och familjeomsorgen",
    "period": {"start": "2025-01-01", "end": "2025-12-31"},
    "period_step": "quarter",
    "language": "sv",
    "disclosure": {"min_cell": 5},
    "reflection_log": "reflektion.yaml",
}

def rows_to_break(rng: np.random.Generator, n_rows: int, kinds: tuple[str, ...], share: float,
                  eligible: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Distinct rows for each kind of demo mistake, about `share` of all rows spread evenly over the kinds.

    A kind draws only from the rows `eligible` allows it (all rows when it is not named), so a
    mistake is made where it can be seen; every row is broken in at most one way.
    """
    per_kind = max(1, round(share * n_rows / len(kinds)))
    free = np.ones(n_rows, bool)
    order = rng.permutation(n_rows)
    broken = {}
    for kind in kinds:
        candidates = order[(free & eligible.get(kind, free))[order]]
        broken[kind] = np.sort(candidates[:per_kind])
        free[broken[kind]] = False
    return broken


def reflection_entries(entry: ModelEntry) -> list[dict]:
    """The demo reflection-log entries a model's plugin ships (a YAML list of entries; none when it ships none)."""
    if entry.demo_reflection is None:
        return []
    shown = display_path(entry.demo_reflection)
    try:
        entries = yaml.safe_load(entry.demo_reflection.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise UserError("demo.plugin_failed", plugin=entry.plugin,
                        error=f"{shown}: {type(error).__name__}: {error}") from error
    if not isinstance(entries, list) or not all(isinstance(item, dict) for item in entries):
        raise UserError("demo.plugin_failed", plugin=entry.plugin, error=f"{shown}: not a list of entries")
    return entries


def write_demo_config(registry: Registry, data: Path) -> Path:
    """Ask every model for its demo data; write the config and the models' reflection entries beside it."""
    datasets, reflection = {}, []
    for _name, entry in sorted(registry.models.items()):
        if entry.demo is None:
            continue
        try:
            written = call_declared(entry.demo, folder=data, model=entry.model)
        except UserError:
            raise
        except Exception as error:
            raise UserError("demo.plugin_failed", plugin=entry.plugin,
                            error=f"{type(error).__name__}: {error}") from error
        for dataset in [written] if isinstance(written, dict) else written or []:
            dataset = dict(dataset)
            datasets[dataset.pop("name")] = dataset
        if entry.demo_reflection is not None:
            reflection.extend(reflection_entries(entry))
    if not datasets:
        raise UserError("demo.no_data")
    datasets = dict(sorted(datasets.items()))
    config = {**DEMO_SETTINGS, "datasets": datasets, "compare": list(datasets)}
    path = data / "demo.yaml"
    atomic.write_text(path, yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
    reflection.sort(key=lambda item: (str(item.get("date", "")), str(item.get("dataset", ""))))
    atomic.write_text(data / "reflektion.yaml", yaml.safe_dump(reflection, allow_unicode=True, sort_keys=False))
    return path


def run_demo(registry: Registry, out: Path, stream: TextIO) -> int:
    """Write data and config to `out/data`, and every report and the comparison to `out/reports`."""
    from isu_engine.commands.run import report_and_compare

    data = out / "data"
    data.mkdir(parents=True, exist_ok=True)
    config_path = write_demo_config(registry, data)
    config = load_config(config_path)
    stream.write(t("demo.wrote_data", config.language, path=data) + "\n")
    reports = out / "reports"
    formats = ("html", "pdf", "json")
    code = report_and_compare(config, registry, reports, formats, stream)
    stream.write(t("demo.done", config.language, path=reports) + "\n")
    return code
