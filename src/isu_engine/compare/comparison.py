"""The comparative report (`isu compare`, DESIGN §5): datasets side by side through their harmonized frames.

Every dataset named in `compare:` gets its harmonized frame (one row per case or client
episode, `isu_engine.compare.harmonize`) and its own report, built in the same run: the
comparison counts the same units (the frame's index, of the kind its `unit_kind` names) as
the dataset's own report, so disclosure control sees how its numbers relate to the
report's and a cell hidden anywhere in the run is hidden everywhere.

Each section says what can and cannot be compared and puts each dataset's own
definition next to its numbers: shares that measure different things are never shown as
one measure.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from functools import cached_property
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from isu_engine import __version__
from isu_engine.compare.comparability import (comparability, comparable_among, definition_text, joined, measuring,
                                    respondent, verdict_note)
from isu_engine.compare.differences import AGE, GENDER, Indicator, group_differences
from isu_engine.analyse.differences import two_way_gender, two_way_gender_order
from isu_engine.configure.config import Config, DatasetConfig, Period
from isu_engine.analyse.context import AnalysisConfig
from isu_engine.check.dataset import Dataset
from isu_engine.protect.records import Records
from isu_engine.compare.harmonize import (DETERIORATED, IMPROVED, NOT_MEASURED, OUTCOMES, UNCHANGED, HarmonizeError,
                                          harmonize_dataset)
from isu_engine.configure.model import Model
from isu_engine.render.outputs import cell_json, report_entry, run_json
from isu_engine.configure.plugins import Registry
from isu_engine.analyse.reflection import LogScope, reflection_section
from isu_engine.analyse.report import Report, ReportMeta
from isu_engine.analyse.results import Bar, Cell, Chart, Column, KeyFigure, KeyFigures, Paragraph, Section, Table, text
from isu_engine.analyse.tabulate import Population, Tally

COMPARISON = "comparison"
ASPECTS = ("target_group", "contacts", "duration", "ending", "outcome", "goal", "feedback")
MAX_SEGMENTS = 6
ENDED, OPEN = "ended", "open"


@dataclass
class Compared:
    """One dataset in the comparison: its harmonized frame, its own report and its counting context."""

    name: str
    title: str
    model: Model
    frame: pd.DataFrame
    ctx: AnalysisConfig
    report: Report | None = None

    @property
    def attrs(self) -> dict:
        return self.frame.attrs

    @property
    def tally(self) -> Tally:
        return self.ctx.tally

    def definition(self, aspect: str) -> str | None:
        if aspect == "target_group":
            return self.attrs["target_group"]
        return self.attrs["definitions"][aspect]

    @cached_property
    def tag(self) -> str:
        return f"{self.ctx.period.start.isoformat()}–{self.ctx.period.end.isoformat()}"

    @property
    def population(self) -> Population:
        """Every unit of the harmonized frame."""
        return Population(self.attrs["unit_kind"], f"harmonized@{self.tag}")

    @property
    def ended_population(self) -> Population:
        """The units that ended in the period."""
        return Population(self.attrs["unit_kind"], f"harmonized_ended@{self.tag}")

    @property
    def measured_population(self) -> Population:
        """The units with a measured outcome."""
        return Population(self.attrs["unit_kind"], f"harmonized_measured@{self.tag}")

    @property
    def records_endings(self) -> bool:
        return self.definition("ending") is not None

    @property
    def ended(self) -> pd.DataFrame:
        return self.frame[self.frame["end"].notna()]

    @cached_property
    def total(self) -> Cell:
        return self.tally.total(self.population, self.frame.index)


@dataclass
class ComparativeReport:
    """The comparison as a report, with the datasets it compares."""

    report: Report
    compared: list[Compared]
    datasets: list[Dataset]


def share(c: Compared, part: Cell, whole: Cell) -> Cell:
    """A share in percent of a composition, without an interval (the table shows many of them)."""
    return c.tally.pct(part, whole, interval=False)


def span(periods: list[Period]) -> Period:
    """One period, or the span of several (two years of one unit compare as two datasets)."""
    if len({(p.start, p.end) for p in periods}) == 1:
        return periods[0]
    return Period(min(p.start for p in periods), max(p.end for p in periods), all(p.explicit for p in periods))


def build_comparison(reports: list[Report], config: Config, registry: Registry, records: Records) -> ComparativeReport:
    """The comparative report of the datasets of `reports` (their own reports, in the same `records`, not yet
    disclosed). A dataset whose harmonized frame cannot be had is left out, with a failed section that says why."""
    compared: list[Compared] = []
    failed: list[Section] = []
    datasets: list[Dataset] = []
    for report in reports:
        dataset = report.dataset
        assert dataset is not None, "a dataset's own report"
        datasets.append(dataset)
        ctx = AnalysisConfig(config=config, dataset=dataset.config, period=report.meta.period,
                             tally=Tally(records, dataset.name))
        try:
            frame = harmonize_dataset(dataset, ctx, registry)
        except HarmonizeError as error:
            failed.append(Section(id=f"{COMPARISON}.harmonize.{dataset.name}",
                                  title=ctx.t("comparison.harmonize_failed", dataset=dataset.title),
                                  status="failed", error=str(error), order=5))
            continue
        compared.append(Compared(name=dataset.name, title=dataset.title, model=dataset.model, frame=frame,
                                 ctx=ctx, report=report))
    report = comparison_report(compared, config, records, titles=[r.meta.dataset_title for r in reports],
                               periods=[r.meta.period for r in reports], failed=failed,
                               files={name: digest for r in reports for name, digest in r.meta.files.items()})
    return ComparativeReport(report=report, compared=compared, datasets=datasets)


def comparison_report(compared: list[Compared], config: Config, records: Records, *, titles: list[str] | None = None,
                      periods: list[Period] | None = None, failed: Sequence[Section] = (),
                      files: dict[str, str] | None = None) -> Report:
    """The comparison's sections and reflection for datasets already harmonized (before disclosure control)."""
    periods = periods or [c.ctx.period for c in compared]
    period = span(periods)
    ctx = _ctx(config, period, records, None)
    title = ctx.t("comparison.title", datasets=joined(ctx, titles or [c.title for c in compared]))
    ctx.dataset.title = title
    sections = sorted([*failed, *_sections(ctx, compared)], key=lambda s: s.order)
    models = {c.model.name: c.model for c in compared}
    meta = ReportMeta(
        municipality=config.municipality, unit=config.unit, dataset=COMPARISON, dataset_title=title,
        model=", ".join(models), model_title=", ".join(m.title(config.language) for m in models.values()),
        model_version=", ".join(m.version for m in models.values()),
        period=period, language=config.language, min_cell=config.min_cell, internal=config.internal,
        generated=dt.datetime.now().replace(microsecond=0), engine_version=__version__,
        config_sha256=config.sha256(), files=dict(files or {}),
    )
    report = Report(meta=meta, sections=sections)
    report.sections.append(reflection_section(report, ctx, _log_scopes(report, ctx, compared)))
    return report


def _log_scopes(report: Report, ctx: AnalysisConfig, compared: list[Compared]) -> list[LogScope]:
    """The comparison itself (entries tagged `comparison` or no dataset) and each compared dataset, in its
    own period and with its own report's figures."""
    return [LogScope(COMPARISON, ctx.period, ctx.t("reflection.comparison"), report.figures()),
            *(LogScope(c.name, c.ctx.period, c.title, c.report.figures() if c.report is not None else {},
                       untagged=False) for c in compared)]


def _ctx(config: Config, period: Period, records: Records, title: str | None) -> AnalysisConfig:
    dataset = DatasetConfig(name=COMPARISON, title=title or COMPARISON, model=COMPARISON, sources=[])
    return AnalysisConfig(config=config, dataset=dataset, period=period, tally=Tally(records, COMPARISON))


def _sections(ctx: AnalysisConfig, compared: list[Compared]) -> list[Section]:
    builders = [
        ("what", "comparison.what.title", _what, 10),
        ("reached", "comparison.reached.title", _reached, 20),
        ("volume", "comparison.volume.title", _volume, 30),
        ("ending", "comparison.ending.title", _ending, 40),
        ("improvement", "comparison.improvement.title", _improvement, 50),
        ("goals", "comparison.goals.title", _goals, 55),
        ("visible", "comparison.visible.title", _visible, 60),
        ("groups", "comparison.groups.title", _groups, 70),
    ]
    return [ctx.section(f"{COMPARISON}.{name}", ctx.t(title), functools.partial(build, ctx=ctx, compared=compared),
                        order)
            for name, title, build, order in builders]


# Vad jämförs --------------------------------------------------------------------------------


def _what(section: Section, ctx: AnalysisConfig, compared: list[Compared]) -> None:
    section.intro = ctx.t("comparison.what.intro", n=len(compared))
    section.items.append(KeyFigures([
        KeyFigure(f"{c.name}.n", ctx.t("comparison.what.n_label", dataset=c.title, units=c.attrs["units"]), c.total,
                  c.attrs["target_group"], shown=False) for c in compared]))
    section.items.append(Table(
        id=f"{COMPARISON}.datasets", title=ctx.t("comparison.what.datasets_title"),
        columns=[Column("dataset", ctx.t("comparison.what.dataset")), Column("model", ctx.t("comparison.what.model")),
                 Column("unit", ctx.t("comparison.what.unit")), Column("period", ctx.t("comparison.what.period")),
                 Column("n", ctx.t("comparison.what.n"), "count")],
        rows=[[text(c.title), text(c.model.title(ctx.language)), text(c.attrs["unit_of_analysis"]),
               text(c.ctx.period.label()), c.total] for c in compared]))
    for c in compared:
        dataset = c.report.dataset if c.report is not None else None
        if dataset is not None and dataset.rows_quarantined:
            section.items.append(Paragraph.plain(ctx.t("comparison.what.quarantine", dataset=c.title,
                                                        n=dataset.rows_quarantined)))
    rows = []
    for aspect in ASPECTS:
        _, reason = comparability(ctx, aspect, compared)
        rows.append([text(ctx.t(f"comparison.what.aspects.{aspect}")),
                     *(text(definition_text(ctx, c, aspect)) for c in compared), text(reason)])
    section.items.append(Table(
        id=f"{COMPARISON}.comparability", title=ctx.t("comparison.what.table_title"),
        columns=[Column("aspect", ctx.t("comparison.what.aspect")),
                 *(Column(c.name, c.title) for c in compared),
                 Column("comparable", ctx.t("comparison.what.comparable"))],
        rows=rows, note=ctx.t("comparison.what.read_me"), long=True))


# Vilka når de? -------------------------------------------------------------------------------


def _category_table(ctx: AnalysisConfig, compared: list[Compared], *, table_id: str, title: str,
                    counted: dict[str, tuple[dict[Any, Cell], Cell]], categories: list[tuple[Any, str]],
                    note: str | None = None, total_label: str | None = None) -> Table:
    """Rows = categories, columns = count and share per dataset; a category no dataset has is left out.
    With `total_label`, a last row gives each dataset's total."""
    shown = [(value, label) for value, label in categories
             if any(counted[c.name][0].get(value) is not None and counted[c.name][0][value].value for c in compared)]
    rows = []
    for value, label in shown:
        row = [text(label)]
        for c in compared:
            cells, total = counted[c.name]
            cell = cells.get(value, Cell(None, "count"))
            row.extend([cell, share(c, cell, total) if cell.figure is not None else Cell(None, "pct")])
        rows.append(row)
    if total_label is not None:
        row = [text(total_label)]
        for c in compared:
            whole = counted[c.name][1]
            row.extend([whole, share(c, whole, whole)])
        rows.append(row)
    columns = [Column("category", ctx.t("comparison.reached.category"))]
    for c in compared:
        columns.extend([Column(f"{c.name}.n", ctx.t("comparison.reached.count", dataset=c.title), "count"),
                        Column(f"{c.name}.pct", ctx.t("comparison.reached.share", dataset=c.title), "pct")])
    return Table(id=table_id, title=title, columns=columns, rows=rows, note=note)


def _stacked(ctx: AnalysisConfig, compared: list[Compared], *, chart_id: str, title: str, description: str,
             counted: dict[str, tuple[dict[Any, Cell], Cell]], categories: list[tuple[Any, str]]) -> Chart | None:
    """One bar per dataset split into the categories (shares of the dataset's own units)."""
    shown = [(value, label) for value, label in categories
             if any(counted[c.name][0].get(value) is not None and counted[c.name][0][value].value for c in compared)]
    if len(shown) > MAX_SEGMENTS or not shown:
        return None
    rows = [(c.title, [Bar(label, share(c, counted[c.name][0][value], counted[c.name][1]))
                       for value, label in shown if value in counted[c.name][0]]) for c in compared]
    return Chart(id=chart_id, kind="stacked", title=title, description=description,
                 axis_label=ctx.t("common.share_axis"), segment_names=[label for _, label in shown],
                 stacked_rows=rows, max_value=100.0)


def _distribution(c: Compared, variable: str, values: pd.Series, categories: list[tuple[Any, str]],
                  missing_label: str) -> tuple[dict[Any, Cell], Cell]:
    """A distribution among all of the dataset's units."""
    rows, total = c.tally.distribution(c.population, variable, values, categories, missing_label)
    counted = {row.value: row.count for row in rows}
    if None not in counted:
        counted[None] = c.tally.count(c.population, values.index[:0], [(variable, None)])
    return counted, total


def _reached(section: Section, ctx: AnalysisConfig, compared: list[Compared]) -> None:
    which = [ctx.t("comparison.what.reason.counts", dataset=c.title, units=c.attrs["units"]) for c in compared]
    section.intro = ctx.t("comparison.reached.intro", what=joined(ctx, sorted({c.attrs["units"] for c in compared})))
    note = ctx.t("comparison.reached.units_note", which=joined(ctx, which))
    missing = ctx.t("common.missing")
    for variable, title_key, labels_of, order in (
            (GENDER, "comparison.reached.gender_title", lambda c: two_way_gender(c.frame["gender"], c.ctx),
             two_way_gender_order(ctx)),     # categories no dataset has are left out of the table
            (AGE, "comparison.reached.age_title", lambda c: c.ctx.age_bands(c.frame["age"]), ctx.age_band_labels())):
        categories = [(label, label) for label in order]
        counted = {c.name: _distribution(c, variable, labels_of(c).astype(object), categories, missing)
                   for c in compared}
        everything = [*categories, (None, missing)]
        title = ctx.t(title_key)
        section.items.append(_category_table(ctx, compared, table_id=f"{COMPARISON}.{variable}", title=title,
                                             counted=counted, categories=everything, note=note))
        chart = _stacked(ctx, compared, chart_id=f"{COMPARISON}.{variable}.chart", title=title,
                         description=ctx.t("comparison.reached.chart_description", what=title.lower()),
                         counted=counted, categories=everything)
        if chart is not None:
            section.items.append(chart)


# Hur mycket ges? -----------------------------------------------------------------------------


def _volume(section: Section, ctx: AnalysisConfig, compared: list[Compared]) -> None:
    section.intro = ctx.t("comparison.volume.intro")
    rows = []
    for c in compared:
        tally = c.tally
        units, population = (c.ended, c.ended_population) if c.records_endings else (c.frame, c.population)
        scope = ctx.t("comparison.volume.ended_scope" if c.records_endings else "comparison.volume.all_scope",
                      units=c.attrs["units"])
        for aspect, column, label, decimals in (("contacts", "contacts", "comparison.volume.contacts", 1),
                                                ("duration", "duration_days", "comparison.volume.duration", 0)):
            definition = c.definition(aspect)
            if definition is None:
                rows.append([text(c.title), text(ctx.t(label)), text(ctx.t("comparison.volume.not_recorded")),
                             text("–"), Cell(None, "count"), Cell(None, "number"), Cell(None, "number"),
                             Cell(None, "number")])
                continue
            values = units[column].dropna().astype(float)
            n = tally.count(population, values.index, [(column, "present")])
            rows.append([text(c.title), text(ctx.t(label)), text(definition), text(scope), n,
                         *(tally.quantile(values, n, q, decimals, variable=column) for q in (0.5, 0.25, 0.75))])
    section.items.append(Table(
        id=f"{COMPARISON}.volume", title=ctx.t("comparison.volume.table_title"),
        columns=[Column("dataset", ctx.t("comparison.what.dataset")),
                 Column("measure", ctx.t("comparison.volume.measure")),
                 Column("definition", ctx.t("comparison.volume.definition")),
                 Column("scope", ctx.t("comparison.volume.scope")), Column("n", "n", "count"),
                 Column("median", ctx.t("common.median"), "number"), Column("q1", ctx.t("common.q1"), "number"),
                 Column("q3", ctx.t("common.q3"), "number")],
        rows=rows, note=" ".join([ctx.t("comparison.volume.note"), verdict_note(ctx, "contacts", compared),
                                  verdict_note(ctx, "duration", compared)])))


# Hur avslutas de? ----------------------------------------------------------------------------


def _status(c: Compared) -> tuple[dict[str, Cell], Cell]:
    """Every unit as ended or open, and the ended units as a population of their own (the same count)."""
    status = pd.Series(np.where(c.frame["end"].notna(), ENDED, OPEN), index=c.frame.index, dtype=object)
    counted, _ = _distribution(c, "status", status, [(ENDED, ENDED), (OPEN, OPEN)], OPEN)
    return counted, c.tally.total(c.ended_population, c.ended.index)


def _ending_cells(c: Compared) -> tuple[dict[str, Cell], Cell]:
    """Counts of planned / not planned / reason missing among the ended units and of the open units,
    and the share planned of the ended units."""
    tally = c.tally
    status, _ = _status(c)
    flags = c.ended["ended_planned"]
    yes, _, pct = tally.indicator(c.ended_population, "ended_planned", flags)
    answered = flags.astype("boolean")
    cells = {
        "planned": yes,
        "not_planned": tally.count(c.ended_population,
                                   flags.index[(answered == False).fillna(False).to_numpy()],  # noqa: E712
                                   [("ended_planned", False)]),
        "unknown": tally.count(c.ended_population, flags.index[answered.isna().to_numpy()], [("ended_planned", None)]),
        "open": status[OPEN],
    }
    return cells, pct


def _ending(section: Section, ctx: AnalysisConfig, compared: list[Compared]) -> None:
    section.intro = ctx.t("comparison.ending.intro")
    recording = [c for c in compared if c.records_endings]
    others = [c.title for c in compared if not c.records_endings]
    if others:
        section.items.append(Paragraph.plain(ctx.t("comparison.ending.not_recorded", datasets=joined(ctx, others))))
    if not recording:
        return
    counted, figures = {}, []
    for c in recording:
        cells, pct = _ending_cells(c)
        counted[c.name] = (cells, c.total)
        figures.append(KeyFigure(f"{c.name}.ended_planned_pct", ctx.t("comparison.ending.figure", dataset=c.title),
                                 pct, c.definition("ending")))
    section.items.append(KeyFigures(figures))
    categories = [(key, ctx.t(f"comparison.ending.{key}")) for key in ("planned", "not_planned", "unknown", "open")]
    note = verdict_note(ctx, "ending", compared)
    if not comparable_among(ctx, "ending", compared):
        note += " " + ctx.t("comparison.ending.different")
    section.items.append(_category_table(ctx, recording, table_id=f"{COMPARISON}.ending",
                                         title=ctx.t("comparison.ending.table_title"), counted=counted,
                                         categories=categories, note=note,
                                         total_label=ctx.t("comparison.ending.total")))
    chart = _stacked(ctx, recording, chart_id=f"{COMPARISON}.ending.chart",
                     title=ctx.t("comparison.ending.chart_title"),
                     description=ctx.t("comparison.ending.chart_description"), counted=counted, categories=categories)
    if chart is not None:
        section.items.append(chart)


# Andel som förbättras ------------------------------------------------------------------------


def _outcome_cells(c: Compared) -> tuple[dict[str, Cell], Cell, Cell]:
    """Counts of each outcome among all units, the measured units and the share improved of them."""
    labels = [(value, value) for value in OUTCOMES]
    counted, _ = _distribution(c, "outcome", c.frame["outcome"], labels, NOT_MEASURED)
    measured = c.tally.subset(c.population, "outcome", c.frame["outcome"], (IMPROVED, UNCHANGED, DETERIORATED),
                              "measured")
    return counted, measured, c.tally.pct(counted[IMPROVED], measured)


def _improvement(section: Section, ctx: AnalysisConfig, compared: list[Compared]) -> None:
    section.intro = ctx.t("comparison.improvement.intro")
    present = measuring("outcome", compared)
    if not present:
        section.items.append(Paragraph.plain(ctx.t("comparison.improvement.none")))
        return
    figures, rows, bars = [], [], []
    for c in compared:
        if c.definition("outcome") is None:
            figures.append(KeyFigure(f"{c.name}.improved_pct", ctx.t("comparison.improvement.figure", dataset=c.title),
                                     Cell(None, "pct"), ctx.t("comparison.not_measured")))
            continue
        counted, measured, pct = _outcome_cells(c)
        figures.append(KeyFigure(f"{c.name}.improved_pct", ctx.t("comparison.improvement.figure", dataset=c.title),
                                 pct, definition_text(ctx, c, "outcome")))
        rows.append([text(c.title), text(c.attrs["outcome_measure"] or ""), measured,
                     *(share(c, counted[value], measured) for value in (IMPROVED, UNCHANGED, DETERIORATED)),
                     counted[NOT_MEASURED]])
        bars.append(Bar(c.title, pct))
    section.items.append(KeyFigures(figures))
    same = comparable_among(ctx, "outcome", compared)
    if len(present) > 1 and not same:
        which = "; ".join(f"{c.title}: {c.attrs['outcome_measure']}" for c in present)
        section.items.append(Paragraph.plain(ctx.t("comparison.improvement.different", which=which)))
    t = ctx.t
    section.items.append(Table(
        id=f"{COMPARISON}.outcome", title=t("comparison.improvement.table_title"),
        columns=[Column("dataset", t("comparison.what.dataset")),
                 Column("measure", t("comparison.improvement.measure")),
                 Column("measured", t("comparison.improvement.measured"), "count"),
                 Column("improved", t("comparison.improvement.improved"), "pct"),
                 Column("unchanged", t("comparison.improvement.unchanged"), "pct"),
                 Column("deteriorated", t("comparison.improvement.deteriorated"), "pct"),
                 Column("not_measured", t("comparison.improvement.not_measured"), "count")],
        rows=rows, note=verdict_note(ctx, "outcome", compared)))
    if len(present) > 1 and same:
        section.items.append(Chart(
            id=f"{COMPARISON}.outcome.chart", kind="bar",
            title=t("comparison.improvement.chart_title", measure=present[0].attrs["outcome_measure"] or ""),
            description=t("comparison.improvement.chart_description"), axis_label=t("common.share_axis"),
            bars=bars, max_value=100.0))


# Måluppfyllelse och återkoppling --------------------------------------------------------------


def _goals(section: Section, ctx: AnalysisConfig, compared: list[Compared]) -> None:
    t = ctx.t
    section.intro = t("comparison.goals.intro")
    goal_rows, feedback_rows, figures = [], [], []
    for c in compared:
        goal = c.definition("goal")
        who = respondent(ctx, c.attrs["respondents"].get("goal"))
        if goal is None:
            goal_rows.append([text(c.title), text(t("comparison.not_measured")), text("–"), Cell(None, "count"),
                              Cell(None, "pct")])
        else:
            _, assessed, pct = c.tally.indicator(c.population, "goal_attained", c.frame["goal_attained"])
            goal_rows.append([text(c.title), text(goal), text(who), assessed, pct])
            figures.append(KeyFigure(f"{c.name}.goal_attained_pct", t("comparison.goals.figure", dataset=c.title), pct,
                                     goal, shown=False))
        who = respondent(ctx, c.attrs["respondents"].get("feedback"))
        if c.definition("feedback") is None:
            feedback_rows.append([text(c.title), text(t("comparison.not_measured")), text("–"), Cell(None, "mean")])
            continue
        feedback_rows.append([text(c.title), text(c.definition("feedback")), text(who), _mean_of_many(c, "feedback")])
    if figures:
        section.items.append(KeyFigures(figures))
    goal_note = verdict_note(ctx, "goal", compared)
    if len(measuring("goal", compared)) > 1 and not comparable_among(ctx, "goal", compared):
        goal_note += " " + t("comparison.goals.goal_different")
    section.items.append(Table(
        id=f"{COMPARISON}.goal", title=t("comparison.goals.goal_title"),
        columns=[Column("dataset", t("comparison.what.dataset")), Column("measure", t("comparison.goals.measure")),
                 Column("who", t("comparison.goals.answered_by")), Column("n", t("comparison.goals.assessed"), "count"),
                 Column("pct", t("comparison.goals.share"), "pct")],
        rows=goal_rows, note=goal_note))
    feedback_note = verdict_note(ctx, "feedback", compared)
    if len({c.attrs["feedback_scale"] for c in measuring("feedback", compared)}) > 1:
        feedback_note += " " + t("comparison.goals.feedback_different")
    section.items.append(Table(
        id=f"{COMPARISON}.feedback", title=t("comparison.goals.feedback_title"),
        columns=[Column("dataset", t("comparison.what.dataset")), Column("measure", t("comparison.goals.scale")),
                 Column("who", t("comparison.goals.answered_by")), Column("mean", t("comparison.goals.mean"), "mean")],
        rows=feedback_rows, note=feedback_note))


def _mean_of_many(c: Compared, column: str) -> Cell:
    """The mean of a column among the units that have a value (shown when they are enough)."""
    values = c.frame[column]
    n = c.tally.count(c.population, values.dropna().index, [(column, "present")])
    return c.tally.mean(values, n, decimals=1, variable=column)


# Vad varje modell synliggör ------------------------------------------------------------------


def _visible(section: Section, ctx: AnalysisConfig, compared: list[Compared]) -> None:
    t = ctx.t
    models = list(dict.fromkeys(c.model.name for c in compared))
    section.intro = t("comparison.visible.intro" if len(models) > 1 else "comparison.visible.intro_same")
    for model_name in models:
        members = [c for c in compared if c.model.name == model_name]
        model_title = members[0].model.title(ctx.language)
        section.items.append(Paragraph.plain(t("comparison.visible.model", model=model_title,
                                               text=members[0].attrs["measures_only"])))
        figure_ids = list(members[0].model.parameters.get("compare_figures") or [])
        if not figure_ids:
            section.items.append(Paragraph.plain(t("comparison.visible.none", model=model_title)))
            continue
        for c in members:
            figures = c.report.figures() if c.report is not None else {}
            rows = []
            for figure_id in figure_ids:
                figure = figures.get(figure_id)
                if figure is None:
                    rows.append([text(figure_id), Cell(None, "number"), text(t("comparison.visible.missing"))])
                else:
                    rows.append([text(figure.label), figure.cell, text(figure.definition or "")])
            section.items.append(Table(
                id=f"{COMPARISON}.visible.{c.name}",
                title=t("comparison.visible.table_title", model=model_title, dataset=c.title),
                columns=[Column("figure", t("comparison.visible.figure")),
                         Column("value", t("comparison.visible.value"), "number"),
                         Column("meaning", t("comparison.visible.meaning"))],
                rows=rows))


# Skillnader mellan grupper -------------------------------------------------------------------


def _groups(section: Section, ctx: AnalysisConfig, compared: list[Compared]) -> None:
    section.intro = ctx.t("comparison.groups.intro")
    found = False
    for c in compared:
        indicators = []
        if c.records_endings:
            indicators.append(Indicator("ended_planned", c.ended_population, c.ended, c.ended["ended_planned"]))
        if c.definition("outcome") is not None:
            units = c.frame[c.frame["outcome"] != NOT_MEASURED]
            indicators.append(Indicator("improved", c.measured_population, units,
                                        (units["outcome"] == IMPROVED).astype("boolean")))
        comparisons = group_differences(ctx, c, indicators)
        section.items.extend(comparisons)
        found = found or bool(comparisons)
    if not found:
        section.items.append(Paragraph.plain(ctx.t("comparison.groups.none")))


# comparison.json ------------------------------------------------------------------------------


def comparison_json(result: ComparativeReport, config: Config, plugin_versions: dict[str, str]) -> dict:
    """comparison.json: report.json's shape with the comparison under datasets.comparison, and the
    harmonized n per dataset (null when disclosure control hides it)."""
    document = run_json([result.report], config, plugin_versions,
                        entries={COMPARISON: report_entry(result.report, result.datasets)})
    document["harmonized"] = {
        c.name: {"model": c.model.name, "title": c.title, "unit_of_analysis": c.attrs["unit_of_analysis"],
                 "period": {"start": c.ctx.period.start.isoformat(), "end": c.ctx.period.end.isoformat()},
                 "n": cell_json(c.total)} for c in result.compared}
    return document
