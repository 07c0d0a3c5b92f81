"""Assemble reports: run the analyses of each dataset, then apply disclosure control once per run.

A run builds every report first (every number through the tabulation API, into the
run's records), then decides once, over everything the run prints, which figures to
hide; hidden cells then give nothing away in any table, chart, sentence or figure. Last,
the group comparisons are adjusted over the shown tests and the reflection questions added.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from collections.abc import Iterator

from isu_engine import __version__
from isu_engine.analyse.differences import finalize
from isu_engine.configure.config import Config, Period
from isu_engine.analyse.context import AnalysisConfig, default_period
from isu_engine.check.dataset import Dataset
from isu_engine.protect.protection import Outcome, Settings, protect
from isu_engine.protect.records import Records
from isu_engine.errors import UserError
from isu_engine.analyse.generic import generic_sections
from isu_engine.i18n import t
from isu_engine.analyse.methods import methods_section
from isu_engine.configure.plugins import Registry, call_declared
from isu_engine.analyse.quality import quality_section
from isu_engine.analyse.reflection import reflection_section
from isu_engine.analyse.results import Cell, KeyFigure, Section, Table
from isu_engine.stats.groups import FlagRule
from isu_engine.analyse.tabulate import Tally


@dataclass
class ReportMeta:
    """What the title page and the provenance say."""

    municipality: str
    unit: str
    dataset: str
    dataset_title: str
    model: str
    model_title: str
    model_version: str
    period: Period
    language: str
    min_cell: int
    internal: bool
    generated: dt.datetime
    engine_version: str
    config_sha256: str
    files: dict[str, str]


@dataclass
class Report:
    """One dataset's report: its sections, and after disclosure, what was hidden."""

    meta: ReportMeta
    sections: list[Section]
    dataset: Dataset | None = None
    hidden_cells: int = 0
    suppressed: list[str] = field(default_factory=list)
    flags: int = 0

    def figures(self) -> dict[str, KeyFigure]:
        """Every key figure with an id for report.json, in section order (first wins)."""
        found: dict[str, KeyFigure] = {}
        for section in self.sections:
            for figure in section.key_figures():
                if figure.in_json:
                    found.setdefault(figure.id, figure)
        return found

    def tables(self) -> Iterator[Table]:
        for section in self.sections:
            yield from section.tables()

    def cells(self) -> Iterator[Cell]:
        for section in self.sections:
            yield from section.all_cells()

    @property
    def failed_sections(self) -> list[Section]:
        return [s for s in self.sections if s.status == "failed"]


def date_fields(dataset: Dataset) -> list[str]:
    """The fields the default period is taken from: the dated occasion, else every date field."""
    dates = [f for f in dataset.model.fields.values() if f.type in ("date", "datetime")]
    return [f.name for f in dates if f.role == "occasion"] or [f.name for f in dates]


def model_sections(dataset: Dataset, ctx: AnalysisConfig, registry: Registry) -> list[Section]:
    """The sections the model's plugin builds; a failing plugin gives one failed section naming it."""
    entry = registry.models.get(dataset.model.name)
    if entry is None or entry.analyses is None:
        return []
    try:
        return list(call_declared(entry.analyses, model=dataset.model, data=dataset, config=ctx) or [])
    except UserError:  # a mistake in the user's config, found by the plugin
        raise
    except Exception as error:
        return [Section(id=f"plugin-{entry.plugin}", order=90, status="failed",
                        error=f"{type(error).__name__}: {error}",
                        title=t("report.plugin_failed_title", ctx.language, plugin=entry.plugin))]


def build_report(dataset: Dataset, config: Config, registry: Registry, records: Records) -> Report:
    """Run every analysis for one dataset (before disclosure control)."""
    period = dataset.config.period or config.period or default_period(dataset.frame, date_fields(dataset))
    ctx = AnalysisConfig(config=config, dataset=dataset.config, period=period, tally=Tally(records, dataset.name))
    sections = model_sections(dataset, ctx, registry)
    if not sections or dataset.model.analyses is not None:
        sections.extend(generic_sections(dataset, ctx))
    sections.append(quality_section(dataset, ctx))
    sections.append(methods_section(dataset, ctx, registry, list(sections)))
    sections.sort(key=lambda s: s.order)
    meta = ReportMeta(
        municipality=config.municipality, unit=config.unit, dataset=dataset.name, dataset_title=dataset.title,
        model=dataset.model.name, model_title=dataset.model.title(config.language),
        model_version=dataset.model.version, period=period, language=config.language, min_cell=config.min_cell,
        internal=config.internal, generated=dt.datetime.now().replace(microsecond=0), engine_version=__version__,
        config_sha256=config.sha256(), files=dataset.files,
    )
    report = Report(meta=meta, sections=sections, dataset=dataset)
    report.sections.append(reflection_section(report, ctx))
    return report


def disclosure_settings(config: Config) -> Settings:
    return Settings(min_cell=config.min_cell, min_quantile_n=config.min_quantile_n, all_or_none=config.all_or_none)


def apply_disclosure(reports: list[Report], records: Records, config: Config) -> Outcome:
    """Decide once, over every report of the run, what to hide; then flag differences and ask."""
    outcome = protect(records, [c.figure for r in reports for c in r.cells() if c.figure is not None],
                      disclosure_settings(config))
    rule = FlagRule(min_difference=config.groups.min_difference, max_q=config.groups.max_q,
                    min_group=config.groups.min_group)
    adjusted: dict = {}  # contrast -> q; a comparison reprints the q of a contrast its dataset's report holds
    for report in reports:
        report.flags = finalize(report.sections, rule, lambda key, **p: t(key, config.language, **p), adjusted)
        report.hidden_cells = sum(1 for cell in report.cells() if cell.hidden)
        report.suppressed = suppressed_ids(report)
    return outcome


def suppressed_ids(report: Report) -> list[str]:
    """Ids of hidden figures and table cells (`table[row][column]`), for report.json."""
    ids = [figure_id for figure_id, figure in report.figures().items() if figure.cell.hidden]
    for table in report.tables():
        for row in table.rows:
            label = str(row[table.columns[0].id].value) if row else ""
            ids.extend(f"{table.id}[{label}][{column}]" for column, cell in row.items() if cell.hidden)
    return ids
