"""report.json (DESIGN §5) and writing a run's output files in the asked formats."""

from __future__ import annotations

import json
import math
from pathlib import Path
from collections.abc import Callable, Iterable
from typing import Any

from isu_engine.render import atomic
from isu_engine.configure.config import Config
from isu_engine.check.dataset import Dataset, issues_summary
from isu_engine.analyse.report import Report
from isu_engine.analyse.results import Cell, Table
from isu_engine.protect.protection import published_figures


def cell_json(cell: Cell) -> Any:
    """A cell's value for JSON: None when hidden; unrounded numbers; text as text."""
    value = cell.shown_value
    if value is None:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, (int, str, bool)):
        return value
    return str(value)


def figure_id(cell: Cell) -> str | None:
    return cell.figure.id if cell.figure is not None else None


def interval_json(cell: Cell) -> list | None:
    """A cell's printed interval [low, high] (a Wilson or t interval), None when it has none or is hidden."""
    if cell.low is None or cell.high is None:
        return None
    return [float(cell.low), float(cell.high)]


def table_json(table: Table) -> dict:
    return {
        "id": table.id,
        "title": table.title,
        "columns": [column.label for column in table.columns],
        "column_ids": [column.id for column in table.columns],
        "rows": [[cell_json(cell) for cell in row.values()] for row in table.rows],
        "figure_ids": [[figure_id(cell) for cell in row.values()] for row in table.rows],
        "intervals": [[interval_json(cell) for cell in row.values()] for row in table.rows],
        "n": cell_json(table.n) if table.n is not None else None,
    }


def published_json(cells: Iterable[Cell]) -> dict:
    """Every figure a report prints, and every figure those rest on: its definition and value (null when hidden).

    This is what a reader can know; `isu audit` rebuilds the reader's system from it.
    """
    found = {}
    for figure in published_figures(cell.figure for cell in cells if cell.figure is not None):
        value = None if figure.hidden else figure.value
        if isinstance(value, float) and math.isnan(value):
            value = None
        found[figure.id] = {**figure.definition(), "value": value, "hidden": figure.hidden}
    return dict(sorted(found.items()))


def report_entry(report: Report, datasets: list[Dataset] | None = None) -> dict:
    """A report's entry under `datasets` in report.json (DESIGN §5).

    A report over several datasets (the comparison) gives their rows added up and names
    the dataset of each issue.
    """
    several = datasets is not None
    if datasets is None:
        assert report.dataset is not None, "a dataset's own report"
        datasets = [report.dataset]
    figures = {figure_id: cell_json(figure.cell) for figure_id, figure in report.figures().items()}
    issues = [{"dataset": d.name, **entry} if several else entry for d in datasets for entry in issues_summary(d)]
    return {
        "model": report.meta.model,
        "title": report.meta.dataset_title,
        "period": {"start": report.meta.period.start.isoformat(), "end": report.meta.period.end.isoformat()},
        "rows_in": sum(d.rows_in for d in datasets),
        "rows_valid": sum(d.rows_valid for d in datasets),
        "rows_quarantined": sum(d.rows_quarantined for d in datasets),
        "rows_skipped": sum(d.rows_skipped for d in datasets),
        "issues_summary": issues,
        "figures": figures,
        "figure_intervals": {figure_id: interval_json(figure.cell) for figure_id, figure in report.figures().items()
                             if interval_json(figure.cell) is not None},
        "suppressed": report.suppressed,
        "failed_sections": [{"id": s.id, "title": s.title, "error": s.error} for s in report.failed_sections],
        "tables": [table_json(table) for table in report.tables()],
        "published": published_json(report.cells()),
    }


def run_json(reports: list[Report], config: Config, plugin_versions: dict[str, str],
             entries: dict[str, dict] | None = None) -> dict:
    """A run's JSON document: engine, inputs (hashes), disclosure and one entry per report (or `entries`)."""
    files: dict[str, str] = {}
    for report in reports:
        files.update(report.meta.files)
    return {
        "engine": {"version": reports[0].meta.engine_version if reports else "", "plugins": plugin_versions},
        "inputs": {"config_sha256": config.sha256(), "files": files},
        "disclosure": disclosure_json(config),
        "settings": settings_json(config, reports),
        "datasets": (entries if entries is not None
                     else {report.meta.dataset: report_entry(report) for report in reports}),
    }


def settings_json(config: Config, reports: list[Report]) -> dict:
    """The settings the method section prints (group differences, age bands, each model's parameters), so
    that report.json carries every number a report shows."""
    parameters = {}
    for report in reports:
        if report.dataset is not None:
            parameters[report.meta.dataset] = json.loads(json.dumps(report.dataset.model.parameters, default=str))
    return {"groups": {"min_group": config.groups.min_group, "min_difference": config.groups.min_difference,
                       "max_q": config.groups.max_q},
            "age_bands": [list(band) for band in config.age_bands], "parameters": parameters}


def disclosure_json(config: Config) -> dict:
    return {"min_cell": config.min_cell, "min_quantile_n": config.min_quantile_n, "all_or_none": config.all_or_none}


def write_json(document: dict, path: Path) -> None:
    atomic.write_text(path, json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n")


def write_documents(reports: list[Report], out: Path, formats: tuple[str, ...], config: Config,
                    template_dirs: list[Path], progress: Callable[[str], object] = lambda _: None) -> list[Path]:
    """Each report as <dataset>.html / .pdf / .xlsx in `out`; the PDFs of the run are printed side by side."""
    if not set(formats) & {"html", "pdf", "xlsx"}:
        return []
    from isu_engine.render.html import render_html
    from isu_engine.render.pdf import render_pdfs
    from isu_engine.render.xlsx import write_xlsx

    pages = []
    for report in reports:
        name = report.meta.dataset
        if "html" in formats or "pdf" in formats:
            progress(name)
            html = render_html(report, template_dirs=template_dirs, user_templates=config.templates_dir)
            pages.append(html)
            if "html" in formats:
                atomic.write_text(out / f"{name}.html", html)
        if "xlsx" in formats:
            write_xlsx(list(report.tables()), out / f"{name}.xlsx", language=config.language,
                       min_cell=config.min_cell, title=f"{report.meta.dataset_title} {report.meta.period.label()}")
    if "pdf" in formats:
        for report, pdf in zip(reports, render_pdfs(pages, asset_dirs=template_dirs), strict=True):
            atomic.write_bytes(out / f"{report.meta.dataset}.pdf", pdf)
    kinds = [kind for kind in ("html", "pdf", "xlsx") if kind in formats]
    return [out / f"{report.meta.dataset}.{kind}" for report in reports for kind in kinds]
