"""`isu demo`: synthetic data from every model that offers it, a config, and every report.

The core knows no model by name: each plugin writes its own demo data through the
`isu_demo_datasets` hook. The demo config is an ordinary config file, so the
demo shows exactly what a municipality would write.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

import numpy as np
import yaml

from isu_engine.render import atomic
from isu_engine.configure.config import load_config
from isu_engine.errors import UserError
from isu_engine.i18n import set_language, t
from isu_engine.configure.plugins import Registry

DEMO_SETTINGS = {
    "municipality": "Exempelkommun",
    "unit": "Individ- och familjeomsorgen",
    "period": {"start": "2025-01-01", "end": "2025-12-31"},
    "period_step": "quarter",
    "language": "sv",
    "disclosure": {"min_cell": 5},
    "reflection_log": "reflektion.yaml",
}

DEMO_REFLECTION = [
    {
        "date": "2025-02-12",
        "period": "2024",
        "dataset": "violalund",
        "topic": "Pojkar avslutar mer sällan enligt plan än flickor",
        "interpretation": "Vi tror att vi inte når pappor med våra tider på dagtid.",
        "decision": "Erbjuda kvällstider en dag i veckan från mars 2025.",
        "follow_up": "ended_as_planned_pct",
        "responsible": "Enhetschef",
    },
    {
        "date": "2025-02-19",
        "period": "2024",
        "dataset": "hasselberg",
        "topic": "Många sessioner med SRS under 36",
        "interpretation": "Vi tar inte upp låga SRS-skattningar direkt i samtalet.",
        "decision": "Alltid fråga om samarbetet när SRS är under 36 eller sjunker.",
        "follow_up": "srs.below_cutoff_pct",
        "responsible": "Teamledare",
    },
]


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


def write_demo_config(registry: Registry, data: Path) -> Path:
    """Ask every plugin for demo data; write the config and a reflection log beside it."""
    entries = []
    for plugin, result, error in registry.call_each("isu_demo_datasets", folder=data):
        if error is not None:
            raise UserError("demo.plugin_failed", plugin=plugin, error=f"{type(error).__name__}: {error}")
        entries.extend(result or [])
    if not entries:
        raise UserError("demo.no_data")
    datasets = {}
    for entry in sorted(entries, key=lambda e: e["name"]):
        entry = dict(entry)
        datasets[entry.pop("name")] = entry
    config = {**DEMO_SETTINGS, "datasets": datasets, "compare": sorted(datasets)}
    path = data / "demo.yaml"
    atomic.write_text(path, yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
    atomic.write_text(data / "reflektion.yaml", yaml.safe_dump(DEMO_REFLECTION, allow_unicode=True, sort_keys=False))
    return path


def run_demo(registry: Registry, out: Path, stream: TextIO) -> int:
    """Write data and config to `out/data`, and every report and the comparison to `out/reports`."""
    from isu_engine.commands.run import report_and_compare

    data = out / "data"
    data.mkdir(parents=True, exist_ok=True)
    config_path = write_demo_config(registry, data)
    stream.write(t("demo.wrote_data", path=data) + "\n")
    config = load_config(config_path)
    set_language(config.language)
    reports = out / "reports"
    formats = ("html", "pdf", "json")
    code = report_and_compare(config, registry, reports, formats, stream)
    stream.write(t("demo.done", path=reports) + "\n")
    return code
