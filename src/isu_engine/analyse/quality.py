"""The data-quality section: rows read, valid and quarantined, issues, missing values, exclusions.

Row and issue counts describe records, not clients, and are shown as they are
(the contract in report.json needs them exact). Missing values per field are
counts of clients' records and go through disclosure control like any count.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from isu_engine.analyse.context import AnalysisConfig
from isu_engine.check.dataset import Dataset, issues_summary
from isu_engine.configure.model import Field
from isu_engine.analyse.tabulate import Population
from isu_engine.analyse.results import Cell, Column, KeyFigure, KeyFigures, Paragraph, Section, Table, text

QUALITY_ORDER = 95


def quality_section(dataset: Dataset, ctx: AnalysisConfig) -> Section:
    def build(section: Section) -> None:
        rows = KeyFigures([
            KeyFigure("rows_in", ctx.t("quality.rows_in"), Cell(dataset.rows_in, "number", decimals=0), in_json=False),
            KeyFigure("rows_valid", ctx.t("quality.rows_valid"),
                      ctx.tally.count(Population("rows", "valid_rows"), dataset.frame.index, always_shown=True),
                      in_json=False),
            KeyFigure("rows_quarantined", ctx.t("quality.rows_quarantined"),
                      Cell(dataset.rows_quarantined, "number", decimals=0), in_json=False),
            KeyFigure("rows_skipped", ctx.t("quality.rows_skipped"), Cell(dataset.rows_skipped, "number", decimals=0),
                      in_json=False),
        ])
        section.items.append(rows)
        summary = issues_summary(dataset)
        if summary:
            model = dataset.model
            section.items.append(Table(
                id=f"{dataset.name}.quality.issues",
                title=ctx.t("quality.issues_title"),
                columns=[Column("field", ctx.t("quality.field")), Column("check", ctx.t("quality.check")),
                         Column("rows", ctx.t("quality.rows"), "number")],
                rows=[[text(model.fields[e["field"]].title(ctx.language) if e["field"] in model.fields
                            else e["field"] or "–"),
                       text(ctx.t(f"quality.checks.{e['check']}") if _known_check(ctx, e["check"]) else e["check"]),
                       Cell(e["rows"], "number", decimals=0)] for e in summary],
                note=ctx.t("quality.issues_note"),
            ))
        section.items.append(_missing_table(dataset, ctx))
        if dataset.absent_fields:
            titles = ", ".join(dataset.model.fields[n].title(ctx.language) for n in dataset.absent_fields)
            section.items.append(Paragraph.plain(ctx.t("quality.absent_fields", fields=titles)))
        if ctx.exclusions:
            section.items.append(Table(
                id=f"{dataset.name}.quality.exclusions",
                title=ctx.t("quality.exclusions_title"),
                columns=[Column("analysis", ctx.t("quality.analysis")), Column("reason", ctx.t("quality.reason")),
                         Column("n", ctx.t("quality.units"), "count")],
                rows=[[text(analysis), text(reason), cell] for analysis, reason, cell in ctx.exclusions],
            ))

    return ctx.section("quality", ctx.t("quality.title"), build, order=QUALITY_ORDER)


def _known_check(ctx: AnalysisConfig, check: str) -> bool:
    try:
        ctx.t(f"quality.checks.{check}")
        return True
    except KeyError:
        return False


def _missing(values: pd.Series, field: Field) -> np.ndarray:
    """Which values are missing (for a list field: also an empty list)."""
    missing = values.isna().to_numpy()
    return missing | (values == "").to_numpy(dtype=bool, na_value=False) if field.type == "list" else missing


def _missing_table(dataset: Dataset, ctx: AnalysisConfig) -> Table:
    """Missing values per field among the valid rows (fields present in the source only)."""
    frame = dataset.frame
    tally = ctx.tally
    valid = Population("rows", "valid_rows")
    total = tally.total(valid, frame.index)
    fields = [field for name, field in dataset.model.fields.items()
              if name not in dataset.absent_fields and not field.identifier]
    missing = tally.counts_of_parts(valid, frame.index, [(_missing(frame[field.name], field), [(field.name, None)])
                                                         for field in fields])
    rows = [[text(field.title(ctx.language)), cell, tally.pct(cell, total)]
            for field, cell in zip(fields, missing, strict=True)]
    return Table(
        id=f"{dataset.name}.quality.missing",
        title=ctx.t("quality.missing_title"),
        columns=[Column("field", ctx.t("quality.field")), Column("missing", ctx.t("quality.missing"), "count"),
                 Column("missing_pct", ctx.t("quality.missing_pct"), "pct")],
        rows=rows,
        n=total,
    )
