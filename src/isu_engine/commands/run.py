"""`isu validate`: validate every dataset of a config, print a summary, write the internal files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import pandas as pd

from isu_engine.render import atomic
from isu_engine.configure.config import Config
from isu_engine.check.dataset import Dataset, issues_summary, load_dataset
from isu_engine.errors import EXIT_FINISHED_WITH_PROBLEMS, EXIT_OK
from isu_engine.i18n import t
from isu_engine.configure.plugins import Registry, plugin_versions

if TYPE_CHECKING:  # loaded when a run is built, not when a config is only validated
    from isu_engine.analyse.report import Report
    from isu_engine.compare.comparison import ComparativeReport
    from isu_engine.protect.protection import Outcome  # (with scipy.sparse: 0.3-0.5 s that isu validate never needs)

VALIDATION_COLUMNS = ["dataset", "row", "field", "check", "value", "message"]
FORMULA_START = r"[=+\-@\t\r]"
PLAIN_NUMBER = r"[+-]?[\d\s.,]*\d[\d\s.,]*"


def load_all(config: Config, registry: Registry) -> dict[str, Dataset]:
    """Load and validate every dataset of the config, in config order."""
    return {name: load_dataset(config, dataset, registry) for name, dataset in config.datasets.items()}


def validation_table(datasets: dict[str, Dataset]) -> pd.DataFrame:
    """All issues of a run as in validation.csv; a `file` column when a dataset has several files."""
    frames = [d.issues for d in datasets.values()]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["file", *VALIDATION_COLUMNS])
    several = any(len(d.files) > 1 for d in datasets.values())
    columns = [*VALIDATION_COLUMNS[:2], "file", *VALIDATION_COLUMNS[2:]] if several else VALIDATION_COLUMNS
    return table.reindex(columns=columns)


def inert_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula (=, +, -, @ first) prefixed with ' (plain numbers kept)."""
    frame = frame.copy()
    for column in frame.columns:
        values = frame[column]
        if values.dtype != object and not isinstance(values.dtype, pd.StringDtype):
            continue
        text = values.astype(object).where(values.notna(), "").astype(str)
        active = text.str.match(FORMULA_START) & ~text.str.fullmatch(PLAIN_NUMBER)
        if active.any():
            frame[column] = values.astype(object).where(~active, "'" + text)
    return frame


def write_validation_files(datasets: dict[str, Dataset], out: Path) -> list[Path]:
    """validation.csv and quarantine-<dataset>.csv (internal files: they hold row-level values)."""
    written = []
    target = out / "validation.csv"
    atomic.write_text(target, inert_cells(validation_table(datasets)).to_csv(index=False))
    written.append(target)
    for name, dataset in datasets.items():
        target = out / f"quarantine-{name}.csv"
        quarantine = dataset.quarantine
        if len(dataset.files) <= 1:
            quarantine = quarantine.drop(columns=["file"])
        atomic.write_text(target, inert_cells(quarantine).to_csv(index=False))
        written.append(target)
    return written


def summary_lines(dataset: Dataset, language: str) -> list[str]:
    lines = [t("validate.summary", language, dataset=dataset.name, model=dataset.model.name, rows_in=dataset.rows_in,
               valid=dataset.rows_valid, quarantined=dataset.rows_quarantined, skipped=dataset.rows_skipped)]
    lines.extend(f"  {note}" for note in dataset.notes)
    for entry in issues_summary(dataset)[:10]:
        lines.append(t("validate.issue_line", language, field=entry["field"] or "–", check=entry["check"],
                       rows=entry["rows"]))
    if dataset.absent_fields:
        lines.append(t("validate.absent_fields", language, fields=", ".join(dataset.absent_fields)))
    if dataset.identifier_columns:
        lines.append(t("validate.identifier_columns", language, columns=", ".join(dataset.identifier_columns)))
    if dataset.ignored_columns:
        lines.append(t("validate.ignored_columns", language, columns=", ".join(dataset.ignored_columns)))
    return lines


def validate_config(config: Config, registry: Registry, out: Path | None, stream: TextIO) -> int:
    datasets = load_all(config, registry)
    for dataset in datasets.values():
        for line in summary_lines(dataset, config.language):
            stream.write(line + "\n")
    if out is not None:
        for path in write_validation_files(datasets, out):
            stream.write(t("validate.wrote", config.language, path=path) + "\n")
    quarantined = any(d.rows_quarantined for d in datasets.values())
    return EXIT_FINISHED_WITH_PROBLEMS if quarantined else EXIT_OK


@dataclass
class Run:
    """Everything one run over a config decides: datasets, reports, the comparison, what is hidden.

    Every command builds the same run — all datasets' reports and, when `compare:` names two
    or more datasets, the comparison — in one set of records. Disclosure control decides over
    everything the run prints, and its decision depends only on the records, so `isu report` and
    `isu compare` over the same config and data hide exactly the same cells, and their outputs can
    be published side by side.
    """

    datasets: dict[str, Dataset]
    reports: list[Report]
    comparison: ComparativeReport | None
    protection: Outcome | None = None


def build_run(config: Config, registry: Registry) -> Run:
    from isu_engine.compare.comparison import build_comparison
    from isu_engine.analyse.report import apply_disclosure, build_report
    from isu_engine.protect.records import Records

    datasets = load_all(config, registry)
    records = Records()
    reports = [build_report(dataset, config, registry, records) for dataset in datasets.values()]
    comparison = None
    if len(config.compare) >= 2:
        compared = [report for report in reports if report.meta.dataset in config.compare]
        compared.sort(key=lambda report: config.compare.index(report.meta.dataset))
        comparison = build_comparison(compared, config, registry, records)
    protection = apply_disclosure([*reports, *([comparison.report] if comparison else [])], records, config)
    return Run(datasets=datasets, reports=reports, comparison=comparison, protection=protection)


def write_reports(run: Run, config: Config, registry: Registry, out: Path, formats: tuple[str, ...],
                  stream: TextIO) -> list[Path]:
    """Each dataset's report in the asked formats, plus report.json."""
    from isu_engine.render.outputs import run_json, write_documents, write_json

    out.mkdir(parents=True, exist_ok=True)
    written = write_documents(run.reports, out, formats, config, registry.template_dirs,
                              progress=lambda name: stream.write(t("report.rendering", config.language,
                                                                   dataset=name) + "\n"))
    if "json" in formats:
        write_json(run_json(run.reports, config, plugin_versions(registry)), out / "report.json")
        written.append(out / "report.json")
    for report in run.reports:
        assert report.dataset is not None, "a dataset's own report"
        for line in summary_lines(report.dataset, config.language):
            stream.write(line + "\n")
        for section in report.failed_sections:
            stream.write(t("report.section_failed", config.language, dataset=report.meta.dataset, section=section.title,
                           error=section.error) + "\n")
    return written


def write_comparison(run: Run, config: Config, registry: Registry, out: Path, formats: tuple[str, ...],
                     stream: TextIO) -> list[Path]:
    """comparison.html / .pdf / .xlsx / .json."""
    from isu_engine.compare.comparison import COMPARISON, comparison_json
    from isu_engine.protect.disclosure import hidden_text
    from isu_engine.render.outputs import write_documents, write_json

    result = run.comparison
    assert result is not None, "a run over a config that compares"
    out.mkdir(parents=True, exist_ok=True)
    written = write_documents([result.report], out, formats, config, registry.template_dirs,
                              progress=lambda _: stream.write(t("comparison.rendering", config.language) + "\n"))
    if "json" in formats:
        target = out / f"{COMPARISON}.json"
        write_json(comparison_json(result, config, plugin_versions(registry)), target)
        written.append(target)
    for compared in result.compared:
        n = compared.total.shown_value
        stream.write(t("comparison.n_harmonized", config.language, dataset=compared.name, units=compared.attrs["units"],
                       n=hidden_text(config.min_cell) if n is None else n) + "\n")
    for section in result.report.failed_sections:
        stream.write(t("report.section_failed", config.language, dataset=COMPARISON, section=section.title,
                       error=section.error) + "\n")
    return written


def finish(run: Run, written: list[Path], strict: bool, stream: TextIO, with_reports: bool, with_comparison: bool,
           config: Config) -> int:
    """List what was written and choose the exit code (DESIGN §5)."""
    if run.protection is not None and run.protection.hidden_counts:
        outcome = run.protection
        stream.write(t("report.protection", config.language, hidden=outcome.hidden_counts, primary=outcome.primary,
                       secondary=outcome.hidden_counts - outcome.primary, unproven=outcome.failed_closed) + "\n")
    for path in written:
        stream.write(t("validate.wrote", config.language, path=path) + "\n")
    failed = (with_reports and any(r.failed_sections for r in run.reports)) or \
        (with_comparison and run.comparison is not None and bool(run.comparison.report.failed_sections))
    quarantined = any(d.rows_quarantined for d in run.datasets.values())
    return EXIT_FINISHED_WITH_PROBLEMS if failed or (strict and quarantined) else EXIT_OK


def report_config(config: Config, registry: Registry, out: Path, formats: tuple[str, ...], strict: bool,
                  stream: TextIO) -> int:
    """One report per dataset in every asked format, plus report.json; exit code per DESIGN §5."""
    run = build_run(config, registry)
    written = write_reports(run, config, registry, out, formats, stream)
    return finish(run, written, strict, stream, with_reports=True, with_comparison=False, config=config)


def require_comparison(config: Config) -> None:
    if len(config.compare) < 2:
        raise config.doc.error("comparison.too_few", config.raw, "compare" if "compare" in config.raw else None,
                               n=len(config.compare), names=", ".join(config.compare) or "–")


def compare_config(config: Config, registry: Registry, out: Path, formats: tuple[str, ...], strict: bool,
                   stream: TextIO) -> int:
    """The comparative report over `compare:` (comparison.json/.html/.pdf/.xlsx); exit code as `report`."""
    require_comparison(config)
    run = build_run(config, registry)
    for dataset in run.datasets.values():
        if dataset.name in config.compare:
            for line in summary_lines(dataset, config.language):
                stream.write(line + "\n")
    written = write_comparison(run, config, registry, out, formats, stream)
    return finish(run, written, strict, stream, with_reports=False, with_comparison=True, config=config)


def report_and_compare(config: Config, registry: Registry, out: Path, formats: tuple[str, ...], stream: TextIO) -> int:
    """Every report and, when there is one, the comparison, from one run (used by `isu demo`)."""
    run = build_run(config, registry)
    written = write_reports(run, config, registry, out, formats, stream)
    if run.comparison is not None:
        written += write_comparison(run, config, registry, out, formats, stream)
    return finish(run, written, False, stream, with_reports=True, with_comparison=True, config=config)
