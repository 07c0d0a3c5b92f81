"""The section "Skillnader mellan grupper": the result indicators by gender, age group and
intervention (each group against the rest; the report adjusts, flags and asks), and the end
reasons per group. A grouping field without declared categories (such as an intervention
written as free text) is not used."""

from __future__ import annotations

import pandas as pd

from isu_engine.api import (Bar, Chart, Column, Paragraph, Section, Table, categories_of, compare_groups, group_columns,
                            improved_flags, text)

from .compilation import Compilation
from .figures import RATING

END_REASON = "end_reason"
END_REASON_GROUPINGS = ("gender", "intervention")


def build_differences(section: Section, comp: Compilation) -> None:
    ctx, now = comp.ctx, comp.current
    section.intro = ctx.t("loke.differences.intro")
    ended = now.cases.ended
    rating_flags = improved_flags(now.rating)
    ended_groups = group_columns(comp.data, ended, ctx)
    measures = [
        ("ended_as_planned", ctx.t("loke.figure.ended_as_planned_pct"), now.populations.ended, ended_groups,
         now.ended_as_planned_flags),
        ("goal_attained", ctx.t("loke.figure.goal_attained_pct"), now.populations.ended, ended_groups,
         now.goal_attained_flags),
        (f"{RATING}.improved", ctx.t("loke.figure.rating_improved_pct"), now.populations.rated,
         group_columns(comp.data, ended.loc[rating_flags.index], ctx), rating_flags),
    ]
    found = False
    for indicator, label, population, groupings, flags in measures:
        for grouping, grouping_label, groups, order in groupings:
            comparison = compare_groups(
                ctx, comparison_id=f"{comp.name}.compare.{indicator}.{grouping}", population=population,
                indicator=indicator, indicator_label=label, flags=flags, grouping=grouping,
                grouping_label=grouping_label, groups=groups, order=order)
            if comparison is not None:
                section.items.append(comparison)
                found = True
    for grouping, grouping_label, groups, order in ended_groups:
        if grouping in END_REASON_GROUPINGS:
            section.items.extend(_end_reasons_by_group(comp, grouping, grouping_label, groups, order))
    if not found:
        section.items.insert(0, Paragraph.plain(ctx.t("loke.differences.none")))


def _end_reasons_by_group(comp: Compilation, grouping: str, grouping_label: str, groups: pd.Series,
                          order: list[str] | None) -> list:
    """End reasons per group as a table of shares and a stacked chart (every row has every end
    reason, and the missing one when any ended case lacks it, at 0 % where the group has none)."""
    ctx, tally, now = comp.ctx, comp.ctx.tally, comp.current
    population = now.populations.ended
    values = now.cases.ended[END_REASON]
    present = list(pd.unique(groups.dropna()))
    order = [g for g in (order or sorted(present, key=str)) if g in present]
    categories = categories_of(comp.model.fields[END_REASON], ctx.language)
    if len(order) < 2 or categories is None:
        return []
    missing_label = ctx.t("common.missing")
    any_missing = bool(values.isna().any())
    shown = [*categories, *([(None, missing_label)] if any_missing else [])]
    stacked, table_rows = [], []
    for group in order:
        group_values = values[(groups == group).to_numpy(dtype=bool)]
        rows, total = tally.distribution(population, END_REASON, group_values, categories, missing_label,
                                         conditions=[(grouping, group)])
        shares = {row.value: row.pct for row in rows}
        if any_missing and None not in shares:
            nobody = tally.count(population, group_values.index[:0], [(grouping, group), (END_REASON, None)])
            shares[None] = tally.pct(nobody, total)
        stacked.append((group, [Bar(label, shares[value]) for value, label in shown]))
        table_rows.append([text(group), total, *(shares[value] for value, _ in shown)])
    title = ctx.t("loke.differences.end_reasons_title", grouping=grouping_label.lower())
    table = Table(
        id=f"{comp.name}.end_reason.by_{grouping}", title=title,
        columns=[Column("group", grouping_label), Column("n", ctx.t("common.count"), "count"),
                 *(Column(f"pct_{index}", label, "pct") for index, (_, label) in enumerate(shown))],
        rows=table_rows, n=now.n_ended,
    )
    chart = Chart(
        id=f"{table.id}.chart", kind="stacked", title=title,
        description=ctx.t("loke.differences.end_reasons_description", grouping=grouping_label.lower()),
        axis_label=ctx.t("common.share_axis"), segment_names=[label for _, label in shown], stacked_rows=stacked,
        max_value=100.0, n=now.n_ended,
    )
    return [table, chart]
