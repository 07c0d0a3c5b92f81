"""Analyses every model gets from its YAML alone, and the building blocks plugins reuse.

Building blocks: `frequency_items` (a distribution as table and chart, also for
fields with several values per case), `summary_items` (mean, median and quartiles
of a number) and `change_items` (change on a scale with Jacobson–Truax or
better/same/worse). `generic_sections` runs the analyses a model names in `analyses:`
(overview, frequencies, change); by default who is in the data, change on every scale
and group differences in improvement.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from isu_engine.analyse.differences import compare_groups, two_way_gender, two_way_gender_order
from isu_engine.analyse.context import AnalysisConfig, in_period
from isu_engine.check.dataset import ROW, Dataset
from isu_engine.analyse.distinct import list_item_rows, map_distinct
from isu_engine.configure.model import DEFAULT_ANALYSES, Cutoff, Field, Scale
from isu_engine.analyse.results import Bar, Cell, Chart, Column, KeyFigure, KeyFigures, Paragraph, Section, Table, text
from isu_engine.analyse.tabulate import Population, yes_no
from isu_engine.stats.change import ChangeResult, ChangeSettings, analyse_change
from isu_engine.stats.pairing import pair_scale

IMPROVED = ("recovered", "improved", "better")
WORSE = ("deteriorated", "harmed")


def categories_of(field: Field | None, language: str) -> list[tuple[object, str]] | None:
    """The declared categories to show (in order), or None: a field without declared categories
    (or an `enum`) is never tabulated by its observed values, which could be any text a person wrote."""
    if field is not None and field.categories:
        return [(c.value, c.label(language)) for c in field.categories]
    if field is not None and field.enum:
        return [(v, str(v)) for v in field.enum]
    return None


def frequency_items(ctx: AnalysisConfig, *, table_id: str, title: str, population: Population, variable: str,
                    values: pd.Series, categories: Sequence[tuple[object, str]], chart: bool = True,
                    definition: str | None = None) -> list:
    """A distribution (one value per unit) as a table with counts and shares, and a bar chart."""
    rows, total = ctx.tally.distribution(population, variable, values, categories, ctx.t("common.missing"))
    table = Table(
        id=table_id, title=title,
        columns=[Column("category", ctx.t("common.category")), Column("n", ctx.t("common.count"), "count"),
                 Column("pct", ctx.t("common.share"), "pct")],
        rows=[[text(r.label), r.count, r.pct] for r in rows], n=total, definition=definition,
    )
    items: list = [table]
    if chart and len(rows) > 1:
        items.append(Chart(
            id=f"{table_id}.chart", kind="bar", title=title,
            description=ctx.t("common.chart_share_description", title=title),
            axis_label=ctx.t("common.share_axis"), bars=[Bar(r.label, r.pct) for r in rows],
            max_value=100.0, n=total,
        ))
    return items


def multi_frequency_items(ctx: AnalysisConfig, *, table_id: str, title: str, population: Population, variable: str,
                          values: pd.Series, delimiter: str, categories: Sequence[tuple[object, str]],
                          chart: bool = True) -> list:
    """A field with several values per unit: the share of units having each value (shares add to over 100 %)."""
    tally = ctx.tally
    holders = list_item_rows(values, delimiter)
    has_any = (values.notna() & (values != "")).to_numpy()
    total = tally.total(population, values.index)
    unanswered = tally.count(population, values.index[~has_any], [(variable, None)])
    rows = []
    bars = []
    nobody = np.zeros(len(values), dtype=bool)
    for value, label in categories:
        # the items are text as written, checked against the categories' text (a list of whole numbers too)
        held = holders.get(str(value), nobody)
        cell = tally.count(population, values.index[held], [(variable, ("has", value))])
        share = tally.pct(cell, total)
        rows.append([text(label), cell, share])
        bars.append(Bar(label, share))
    rows.append([text(ctx.t("common.missing")), unanswered, tally.pct(unanswered, total)])
    table = Table(
        id=table_id, title=title,
        columns=[Column("category", ctx.t("common.category")), Column("n", ctx.t("common.count"), "count"),
                 Column("pct", ctx.t("common.share_of_units"), "pct")],
        rows=rows, n=total, note=ctx.t("common.multi_note"),
    )
    items: list = [table]
    if chart and bars:
        items.append(Chart(id=f"{table_id}.chart", kind="bar", title=title,
                           description=ctx.t("common.chart_share_description", title=title),
                           axis_label=ctx.t("common.share_axis"), bars=bars, max_value=100.0, n=total))
    return items


def summary_items(ctx: AnalysisConfig, *, table_id: str, title: str, population: Population,
                  rows: list[tuple[str, str, pd.Series]],
                  decimals: int = 1) -> Table:
    """Mean, median and quartiles of numbers (no minimum or maximum: they would show single cases)."""
    body = []
    tally = ctx.tally
    for key, label, values in rows:
        values = values.dropna().astype(float)
        n = tally.count(population, values.index, [(key, "present")])
        body.append([text(label), n, tally.mean(values, n, decimals, variable=key),
                     *(tally.quantile(values, n, q, decimals, variable=key) for q in (0.5, 0.25, 0.75))])
    return Table(
        id=table_id, title=title,
        columns=[Column("measure", ctx.t("common.measure")), Column("n", "n", "count"),
                 Column("mean", ctx.t("common.mean"), "mean"), Column("median", ctx.t("common.median"), "number"),
                 Column("q1", ctx.t("common.q1"), "number"), Column("q3", ctx.t("common.q3"), "number")],
        rows=body,
    )


def settings_for(scale: Scale) -> ChangeSettings:
    cutoff: float | dict | None = None
    if scale.cutoff is not None and scale.cutoff.kind == "number":
        cutoff = scale.cutoff.value
    elif scale.cutoff is not None and scale.cutoff.kind == "a":
        cutoff = {"type": "a"}
    elif scale.cutoff is not None and scale.cutoff.kind == "c":
        cutoff = {"type": "c", "functional_mean": scale.cutoff.functional_mean,
                  "functional_sd": scale.cutoff.functional_sd}
    return ChangeSettings(direction=scale.direction, reliability=scale.reliability,
                          reliable_change=scale.reliable_change, sd_ref=scale.sd_ref, cutoff=cutoff)


def cutoffs_by_rules(cutoff: Cutoff, frame: pd.DataFrame) -> pd.Series:
    """Per-row cutoffs from `when` rules (first match wins); NaN where no rule matches or the rule gives none."""
    result = np.full(len(frame), np.nan)
    decided = np.zeros(len(frame), dtype=bool)
    numbers: dict[str, np.ndarray] = {}  # each column read as numbers once, for the rules with a range
    for rule in cutoff.rules:
        match = ~decided
        for name, condition in rule.when.items():
            if (isinstance(condition, list) and len(condition) == 2
                    and all(isinstance(v, (int, float)) for v in condition)):
                if name not in numbers:
                    numbers[name] = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype="float64",
                                                                                         na_value=np.nan)
                values = numbers[name]  # a missing number is in no range (NaN compares False)
                match &= (values >= condition[0]) & (values <= condition[1])
            else:
                accepted = condition if isinstance(condition, list) else [condition]
                match &= frame[name].isin(accepted).to_numpy(dtype=bool, na_value=False)
        result[match] = np.nan if rule.value is None else float(rule.value)
        decided |= match
    return pd.Series(result, index=frame.index)


def change_items(ctx: AnalysisConfig, *, scale: Scale, paired: pd.DataFrame, population: Population,
                 cutoffs: pd.Series | None = None, unit_label: str | None = None) -> tuple[list, ChangeResult]:
    """Change on one scale for paired units (columns pre, post): key figures, category table and chart.

    Key figure ids follow DESIGN §5 (`<scale>.n_paired`, `<scale>.jt_improved` …).
    """
    tally = ctx.tally
    name = scale.name
    label = scale.title(ctx.language)
    result = analyse_change(paired["pre"], paired["post"], settings_for(scale), cutoffs=cutoffs)
    ctx.exclude(label, ctx.t("change.excluded_no_cutoff"), population,
                paired.index[~paired.index.isin(result.categories.index)])
    values, categories = change_categories(ctx, result)
    merged = len(categories) < len(result.categories.cat.categories)
    rows, n_cell = tally.distribution(population, f"{name}.change", values, categories, ctx.t("change.not_classified"))
    included = paired.loc[result.categories.index]
    mean_pre = tally.mean(included["pre"], n_cell)
    mean_post = tally.mean(included["post"], n_cell)
    figures = [
        KeyFigure(f"{name}.n_paired", ctx.t("change.n_paired", unit=unit_label or ctx.t("common.units")), n_cell,
                  ctx.t("change.n_paired_definition")),
        KeyFigure(f"{name}.mean_pre", ctx.t("change.mean_pre"), mean_pre, ctx.t("change.mean_pre_definition")),
        KeyFigure(f"{name}.mean_post", ctx.t("change.mean_post"), mean_post, ctx.t("change.mean_post_definition")),
        KeyFigure(f"{name}.sd_pre", ctx.t("change.sd_pre"), tally.statistic(result.sd_pre, n_cell), shown=False),
        KeyFigure(f"{name}.effect_size", ctx.t("change.effect_size"),
                  tally.statistic(result.effect_size, n_cell, decimals=2, kind="effect"),
                  ctx.t("change.effect_size_definition")),
        KeyFigure(f"{name}.effect_size_dz", ctx.t("change.effect_size_dz"),
                  tally.statistic(result.effect_size_dz, n_cell, decimals=2, kind="effect"),
                  ctx.t("change.effect_size_dz_definition")),
        KeyFigure(f"{name}.reliable_change_points", ctx.t("change.reliable_change_points"),
                  _from_data_unless(scale.reliable_change is not None, tally, result.reliable_change_points, n_cell,
                                    1, "reliable_change_points"), ctx.t("change.rc_definition"), shown=False),
        KeyFigure(f"{name}.cutoff", ctx.t("change.cutoff"),
                  _from_data_unless(scale.cutoff is None or scale.cutoff.kind in ("number", "rules"), tally,
                                    result.cutoff, n_cell, 2, "cutoff"), shown=False),
    ]
    by_category = {r.value: r for r in rows}
    for category in ("recovered", "improved", "unchanged", "deteriorated", "harmed"):
        row = by_category.get(category)
        cell = row.count if row is not None and result.method != "direction" else Cell(None, "count")
        if merged and category in WORSE:
            cell = Cell(None, "count")
        figures.append(KeyFigure(f"{name}.jt_{category}", ctx.t(f"change.category.{category}"), cell, shown=False))
    if merged:
        figures.append(KeyFigure(f"{name}.jt_deteriorated_or_harmed", ctx.t("change.category.deteriorated_or_harmed"),
                                 by_category["deteriorated"].count, shown=False))
    if result.method == "direction":
        for category in ("better", "same", "worse"):
            figures.append(KeyFigure(f"{name}.{category}", ctx.t(f"change.category.{category}"),
                                     by_category[category].count, shown=False))
    method_note = ctx.t(f"change.method.{result.method}")
    table = Table(
        id=f"{ctx.dataset.name}.{name}.change", title=ctx.t("change.table_title", scale=label),
        columns=[Column("category", ctx.t("change.category_column")), Column("n", ctx.t("common.count"), "count"),
                 Column("pct", ctx.t("common.share"), "pct")],
        rows=[[text(r.label), r.count, r.pct] for r in rows], n=n_cell, note=method_note,
        definition=ctx.t(f"change.definition.{result.method}"),
    )
    chart = Chart(
        id=f"{ctx.dataset.name}.{name}.change.chart", kind="bar", title=ctx.t("change.table_title", scale=label),
        description=ctx.t("change.chart_description", scale=label), axis_label=ctx.t("common.share_axis"),
        bars=[Bar(r.label, r.pct) for r in rows if r.value is not None], max_value=100.0, n=n_cell,
    )
    return [KeyFigures(figures), table, chart], result


def _from_data_unless(setting: bool, tally, value, n_cell: Cell, decimals: int, name: str) -> Cell:
    """A threshold: a plain setting when the model gives it, else a statistic of the paired units
    (e.g. a reliable change from their SD, a type-a cutoff from their mean), shown only when they are."""
    if setting:
        return Cell(value, "number", decimals=decimals)
    return tally.statistic(value, n_cell, decimals=decimals, name=name)


def change_categories(ctx: AnalysisConfig, result: ChangeResult) -> tuple[pd.Series, list[tuple[str, str]]]:
    """Each unit's change category and the categories to show.

    "Harmed" joins its named neighbour "deteriorated" when it holds 1 … min_cell − 1 units
    (DESIGN §2), so that the table can still show how many got worse instead of hiding a large
    row to protect a small one. The decision rests on the whole set of units, so every table
    and chart of these units shows the same categories.
    """
    values = result.categories.astype(object)
    order = list(result.categories.cat.categories)
    harmed = result.counts.get("harmed", 0)
    labels = {c: ctx.t(f"change.category.{c}") for c in order}
    if "harmed" in order and 1 <= harmed < ctx.min_cell:
        values = values.where(values != "harmed", "deteriorated")
        order.remove("harmed")
        labels["deteriorated"] = ctx.t("change.category.deteriorated_or_harmed")
    return values, [(c, labels[c]) for c in order]


def improved_flags(result: ChangeResult) -> pd.Series:
    """True for reliable improvement (recovered included) or 'better'; False otherwise; per paired unit."""
    codes = result.categories.cat.codes.to_numpy()
    improved = [number for number, category in enumerate(result.categories.cat.categories) if category in IMPROVED]
    return yes_no(np.isin(codes, improved), codes >= 0, result.categories.index)


def group_columns(dataset: Dataset, frame: pd.DataFrame,
                  ctx: AnalysisConfig) -> list[tuple[str, str, pd.Series, list[str]]]:
    """The groupings a model offers: (name, label, labels per row, order) — gender two ways, age bands, groups."""
    model = dataset.model
    groupings = []
    for field in model.fields.values():
        if field.internal and not ctx.internal:
            continue
        if field.role == "age":
            groupings.append((field.name, ctx.t("common.age_group"), ctx.age_bands(frame[field.name]),
                              ctx.age_band_labels()))
        elif field.role == "group" and field.name == "gender":
            labels = two_way_gender(frame[field.name], ctx)
            groupings.append((field.name, field.title(ctx.language), labels, two_way_gender_order(ctx, labels)))
        elif field.role == "group":
            categories = categories_of(field, ctx.language)
            if categories is None:
                continue
            labels = map_distinct(frame[field.name], dict(categories).get)
            groupings.append((field.name, field.title(ctx.language), labels, [label for _, label in categories]))
    return groupings


def generic_sections(dataset: Dataset, ctx: AnalysisConfig) -> list[Section]:
    """The analyses the model's `analyses:` names (by default: who is in the data, and change on every
    scale with group differences in improvement)."""
    model = dataset.model
    frame, population, unit_frame = _units(dataset, ctx)
    sections = []
    for number, analysis in enumerate(model.analyses if model.analyses is not None else DEFAULT_ANALYSES):
        if analysis.kind == "overview":
            sections.append(ctx.section("generic.overview", ctx.t("generic.overview_title"),
                                        functools.partial(_overview, dataset=dataset, ctx=ctx, units=unit_frame,
                                                          population=population), order=10))
        elif analysis.kind == "frequencies":
            sections.append(ctx.section(f"generic.frequencies.{number}", ctx.t("generic.frequencies_title"),
                                        functools.partial(_frequencies, dataset=dataset, ctx=ctx, names=analysis.fields,
                                                          units=unit_frame, population=population), order=15))
        elif analysis.kind == "change":
            for index, name in enumerate(analysis.scales or model.scales):
                scale = model.scales[name]
                sections.append(ctx.section(f"generic.change.{scale.name}",
                                            ctx.t("change.section_title", scale=scale.title(ctx.language)),
                                            functools.partial(_change_section, dataset=dataset, ctx=ctx, scale=scale,
                                                              frame=frame),
                                            order=20 + index))
    return sections


def _frequencies(section: Section, dataset: Dataset, ctx: AnalysisConfig, names: tuple[str, ...],
                 units: pd.DataFrame, population: Population) -> None:
    """A table (and chart) of each named field; numbers together in one table of mean, median and quartiles."""
    numbers = []
    for name in names:
        field = dataset.model.fields[name]
        label = field.title(ctx.language)
        values = units[name]
        if field.type in ("integer", "number", "year"):
            numbers.append((name, label, values))
            continue
        categories = ([(True, ctx.t("common.yes")), (False, ctx.t("common.no"))] if field.type == "boolean"
                      else categories_of(field, ctx.language))
        if categories is None:
            section.items.append(Paragraph.plain(ctx.t("generic.not_tabulated", field=label)))
        elif field.type == "list":
            section.items.extend(multi_frequency_items(
                ctx, table_id=f"{dataset.name}.frequencies.{name}", title=label, population=population,
                variable=name, values=values, delimiter=field.delimiter, categories=categories))
        else:
            section.items.extend(frequency_items(
                ctx, table_id=f"{dataset.name}.frequencies.{name}", title=label, population=population,
                variable=name, values=values, categories=categories))
    if numbers:
        section.items.append(summary_items(ctx, table_id=f"{dataset.name}.frequencies.numbers",
                                           title=ctx.t("generic.numbers_title"), population=population, rows=numbers))


def _units(dataset: Dataset, ctx: AnalysisConfig) -> tuple[pd.DataFrame, Population, pd.DataFrame]:
    """Rows in the period (long data with dates), and one row per subject for descriptions."""
    frame = dataset.frame
    model = dataset.model
    occasion = model.field_with_role("occasion")
    subject = model.field_with_role("subject")
    if occasion is not None and occasion.type in ("date", "datetime"):
        inside = in_period(frame[occasion.name], ctx.period)
        frame = frame[inside.groupby(frame[subject.name]).transform("any")] if subject is not None else frame[inside]
    if subject is not None and model.format == "long":
        units = frame.sort_values(ROW).drop_duplicates(subject.name, keep="first").set_index(subject.name, drop=False)
        return frame, Population("subjects", "subjects"), units
    return frame, Population("rows", "rows"), frame


def _overview(section: Section, dataset: Dataset, ctx: AnalysisConfig, units: pd.DataFrame,
              population: Population) -> None:
    n = ctx.tally.total(population, units.index)
    section.items.append(KeyFigures([KeyFigure("n_subjects", ctx.t("generic.n_subjects"), n,
                                               ctx.t("generic.n_subjects_definition"))]))
    for name, label, labels, order in group_columns(dataset, units, ctx):
        categories = [(v, v) for v in order]
        section.items.extend(frequency_items(ctx, table_id=f"{dataset.name}.{name}", title=label, population=population,
                                             variable=name, values=labels, categories=categories))


def _change_section(section: Section, dataset: Dataset, ctx: AnalysisConfig, scale: Scale, frame: pd.DataFrame) -> None:
    model = dataset.model
    subject = model.field_with_role("subject")
    key = subject.name if subject is not None else ROW
    paired = pair_scale(frame, subject=key, scale=scale, occasion=model.field_with_role("occasion"),
                        order_column=ROW, until=ctx.period.end)
    if scale.pre and scale.post:
        units = frame.loc[paired.index]
    else:
        units = frame.sort_values(ROW).drop_duplicates(key).set_index(key).loc[paired["subject"]].reset_index()
        units.index = pd.Index(paired["subject"].to_numpy())
        paired = paired.set_axis(units.index)
    population = Population("rows" if scale.pre and scale.post else "subjects", f"{scale.name}.paired")
    cutoff = scale.cutoff
    cutoffs = cutoffs_by_rules(cutoff, units) if cutoff is not None and cutoff.kind == "rules" else None
    items, result = change_items(ctx, scale=scale, paired=paired, population=population, cutoffs=cutoffs)
    section.items.extend(items)
    flags = improved_flags(result)
    for name, label, labels, order in group_columns(dataset, units.loc[flags.index], ctx):
        comparison = compare_groups(ctx, comparison_id=f"{dataset.name}.{scale.name}.improved.{name}",
                                    population=population, indicator=f"{scale.name}.improved",
                                    indicator_label=ctx.t("change.improved_share"), flags=flags,
                                    grouping=name, grouping_label=label, groups=labels, order=order)
        if comparison is not None:
            section.items.append(comparison)
