"""`isu validate`: validate every dataset of a config, print a summary, write the internal files."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

import pandas as pd

from . import atomic
from .config import Config
from .dataset import Dataset, issues_summary, load_dataset
from .errors import EXIT_FINISHED_WITH_PROBLEMS, EXIT_OK
from .i18n import t
from .disclosure import Ledger
from .plugins import Registry, plugin_versions

VALIDATION_COLUMNS = ["dataset", "row", "field", "check", "value", "message"]


def load_all(config: Config, registry: Registry) -> dict[str, Dataset]:
    """Load and validate every dataset of the config, in config order."""
    return {name: load_dataset(config, dataset, registry) for name, dataset in config.datasets.items()}


def validation_table(datasets: dict[str, Dataset]) -> pd.DataFrame:
    """All issues of a run as in validation.csv; a `file` column when a dataset has several files."""
    frames = [d.issues for d in datasets.values()]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["file", *VALIDATION_COLUMNS])
    several = any(len(d.files) > 1 for d in datasets.values())
    columns = VALIDATION_COLUMNS[:2] + ["file"] + VALIDATION_COLUMNS[2:] if several else VALIDATION_COLUMNS
    return table.reindex(columns=columns)


def write_validation_files(datasets: dict[str, Dataset], out: Path) -> list[Path]:
    """validation.csv and quarantine-<dataset>.csv (internal files: they hold row-level values)."""
    written = []
    target = out / "validation.csv"
    atomic.write_text(target, validation_table(datasets).to_csv(index=False))
    written.append(target)
    for name, dataset in datasets.items():
        target = out / f"quarantine-{name}.csv"
        quarantine = dataset.quarantine
        if len(dataset.files) <= 1:
            quarantine = quarantine.drop(columns=["file"])
        atomic.write_text(target, quarantine.to_csv(index=False))
        written.append(target)
    return written


def summary_lines(dataset: Dataset) -> list[str]:
    lines = [t("validate.summary", dataset=dataset.name, model=dataset.model.name, rows_in=dataset.rows_in,
               valid=dataset.rows_valid, quarantined=dataset.rows_quarantined, skipped=dataset.rows_skipped)]
    for entry in issues_summary(dataset)[:10]:
        lines.append(t("validate.issue_line", field=entry["field"] or "–", check=entry["check"], rows=entry["rows"]))
    if dataset.absent_fields:
        lines.append(t("validate.absent_fields", fields=", ".join(dataset.absent_fields)))
    if dataset.identifier_columns:
        lines.append(t("validate.identifier_columns", columns=", ".join(dataset.identifier_columns)))
    if dataset.ignored_columns:
        lines.append(t("validate.ignored_columns", columns=", ".join(dataset.ignored_columns)))
    return lines


def validate_config(config: Config, registry: Registry, out: Path | None, stream: TextIO) -> int:
    datasets = load_all(config, registry)
    for dataset in datasets.values():
        for line in summary_lines(dataset):
            stream.write(line + "\n")
    if out is not None:
        for path in write_validation_files(datasets, out):
            stream.write(t("validate.wrote", path=path) + "\n")
    quarantined = any(d.rows_quarantined for d in datasets.values())
    return EXIT_FINISHED_WITH_PROBLEMS if quarantined else EXIT_OK


def report_config(config: Config, registry: Registry, out: Path, formats: tuple[str, ...], strict: bool,
                  stream: TextIO) -> int:
    """One report per dataset in every asked format, plus report.json; exit code per DESIGN §5."""
    from .outputs import run_json, write_documents, write_json
    from .report import apply_disclosure, build_report

    datasets = load_all(config, registry)
    ledger = Ledger(config.min_cell)
    reports = [build_report(dataset, config, registry, ledger) for dataset in datasets.values()]
    apply_disclosure(reports, ledger, config)
    out.mkdir(parents=True, exist_ok=True)
    template_dirs = registry.template_dirs()
    written = write_documents(reports, out, formats, config, template_dirs,
                              progress=lambda name: stream.write(t("report.rendering", dataset=name) + "\n"))
    if "json" in formats:
        write_json(run_json(reports, config, plugin_versions(registry)), out / "report.json")
        written.append(out / "report.json")
    for report in reports:
        for line in summary_lines(report.dataset):
            stream.write(line + "\n")
        for section in report.failed_sections:
            stream.write(t("report.section_failed", dataset=report.meta.dataset, section=section.title,
                           error=section.error) + "\n")
    for path in written:
        stream.write(t("validate.wrote", path=path) + "\n")
    failed = any(report.failed_sections for report in reports)
    quarantined = any(d.rows_quarantined for d in datasets.values())
    return EXIT_FINISHED_WITH_PROBLEMS if failed or (strict and quarantined) else EXIT_OK
