"""The section "Skillnader mellan grupper": the result indicators by gender, age group and
intervention (each group against the rest; the report adjusts, flags and asks), and the end
reasons per group."""

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
    measures = [
        ("ended_as_planned", ctx.t("loke.figure.ended_as_planned_pct"), now.populations.ended, ended,
         now.ended_as_planned_flags),
        ("goal_attained", ctx.t("loke.figure.goal_attained_pct"), now.populations.ended, ended,
         now.goal_attained_flags),
        (f"{RATING}.improved", ctx.t("loke.figure.rating_improved_pct"), now.populations.rated,
         ended.loc[rating_flags.index], rating_flags),
    ]
    found = False
    for indicator, label, population, frame, flags in measures:
        for grouping, grouping_label, groups, order in group_columns(comp.data, frame, ctx):
            comparison = compare_groups(
                ctx, comparison_id=f"{comp.name}.compare.{indicator}.{grouping}", population=population,
                indicator=indicator, indicator_label=label, flags=flags, grouping=grouping,
                grouping_label=grouping_label, groups=groups, order=order)
            if comparison is not None:
                section.items.append(comparison)
                found = True
    for grouping, grouping_label, groups, order in group_columns(comp.data, ended, ctx):
        if grouping in END_REASON_GROUPINGS:
            section.items.extend(_end_reasons_by_group(comp, grouping, grouping_label, groups, order))
    if not found:
        section.items.insert(0, Paragraph.plain(ctx.t("loke.differences.none")))


def _end_reasons_by_group(comp: Compilation, grouping: str, grouping_label: str, groups: pd.Series,
                          order: list[str] | None) -> list:
    """End reasons per group as a table of shares and a stacked chart.

    The group counts add up to the overall end-reason counts (cases without a group make an
    unpublished group of their own), and those sums are registered for disclosure control.
    """
    ctx, tally, now = comp.ctx, comp.ctx.tally, comp.current
    population = now.populations.ended
    values = now.cases.ended[END_REASON]
    present = list(pd.unique(groups.dropna()))
    order = [g for g in (order or sorted(present, key=str)) if g in present]
    if len(order) < 2:
        return []
    categories = categories_of(comp.model.fields[END_REASON], values, ctx.language)
    missing_label = ctx.t("common.missing")
    _, overall_total = tally.distribution(population, END_REASON, values, categories, missing_label)
    members = [(group, groups == group, True) for group in order]
    if groups.isna().any():
        members.append((None, groups.isna(), False))
    totals = {}
    for group, inside, published in members:
        _, totals[group] = tally.distribution(population, END_REASON, values[inside], categories, missing_label,
                                              conditions=[(grouping, group)], published=published)
    for value in [v for v, _ in categories] + [None]:
        tally.ledger.equation(tally.key(population, [(END_REASON, value)]),
                              [tally.key(population, [(grouping, g), (END_REASON, value)]) for g, _, _ in members])
    tally.ledger.equation(overall_total.count_key, [totals[g].count_key for g, _, _ in members])
    shown = [*categories, *([(None, missing_label)] if values.isna().any() else [])]
    stacked, table_rows = [], []
    for group, inside, _ in members[:len(order)]:
        group_values = values[inside]
        counts = group_values.value_counts()
        shares = []
        for value, _ in shown:
            n = int(group_values.isna().sum()) if value is None else int(counts.get(value, 0))
            shares.append(tally.pct(tally.count(population, n, [(grouping, group), (END_REASON, value)]), totals[group]))
        stacked.append((group, [Bar(label, share) for (_, label), share in zip(shown, shares)]))
        table_rows.append([text(group), totals[group], *shares])
    title = ctx.t("loke.differences.end_reasons_title", grouping=grouping_label.lower())
    table = Table(
        id=f"{comp.name}.end_reason.by_{grouping}", title=title,
        columns=[Column("group", grouping_label), Column("n", ctx.t("common.count"), "count"),
                 *(Column(f"pct_{index}", label, "pct") for index, (_, label) in enumerate(shown))],
        rows=table_rows, n=overall_total,
    )
    chart = Chart(
        id=f"{table.id}.chart", kind="stacked", title=title,
        description=ctx.t("loke.differences.end_reasons_description", grouping=grouping_label.lower()),
        axis_label=ctx.t("common.share_axis"), segment_names=[label for _, label in shown], stacked_rows=stacked,
        max_value=100.0, n=overall_total,
    )
    return [table, chart]
