"""Group differences (DESIGN §2): each group against the rest, adjusted across a report, flagged, asked about.

`compare_groups` builds a Comparison with registered counts and a p-value per
group; `finalize` adjusts the report's distinct contrasts together (Benjamini–Hochberg,
see `isu_engine.stats.groups`), flags the differences that are both large and clear, and
turns each flag into an observation and a reflection question in the section that holds it.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from isu_engine.analyse.context import AnalysisConfig
from isu_engine.analyse.distinct import map_distinct
from isu_engine.analyse.tabulate import Population, shown_test
from isu_engine.analyse.results import Cell, Column, Comparison, Paragraph, Question, Section, Table, text
from isu_engine.stats.groups import FlagRule, contrast_key, each_group_against_rest, family_q_values, flag_differences

FEMALE = ("flicka", "kvinna")
MALE = ("pojke", "man")


OTHER = ("annat", "okänt")


def other_and_unknown_together(gender: pd.Series, min_cell: int) -> bool:
    """Whether `annat` or `okänt` holds 1 … min_cell − 1 units: then they are shown as one group.

    They are merged with each other, never into a named gender (DESIGN §2): hiding one small
    group beside large ones would cost a large group too, while together they may be shown.
    """
    counts = gender.value_counts()
    return any(1 <= int(counts.get(value, 0)) < min_cell for value in OTHER)


def two_way_gender(gender: pd.Series, ctx: AnalysisConfig) -> pd.Series:
    """Girls with women and boys with men; `annat` and `okänt` groups of their own, or one group
    together when either is small."""
    together = other_and_unknown_together(gender, ctx.min_cell)
    labels = {
        **{value: ctx.t("common.female") for value in FEMALE},
        **{value: ctx.t("common.male") for value in MALE},
        "annat": ctx.t("common.gender_other_or_unknown" if together else "common.gender_other"),
        "okänt": ctx.t("common.gender_other_or_unknown" if together else "common.gender_unknown"),
    }
    return map_distinct(gender, labels.get)


def two_way_gender_order(ctx: AnalysisConfig, labels: pd.Series | None = None) -> list[str]:
    """The labels of `two_way_gender` in reading order: girls and women, boys and men, and of the
    other groups those in `labels` (all when no labels are given)."""
    named = [ctx.t("common.female"), ctx.t("common.male")]
    others = [ctx.t("common.gender_other"), ctx.t("common.gender_unknown"), ctx.t("common.gender_other_or_unknown")]
    present = set(labels.dropna().unique()) if labels is not None else set(others)
    return named + [label for label in others if label in present]


def compare_groups(ctx: AnalysisConfig, *, comparison_id: str, population: Population, indicator: str,
                   indicator_label: str, flags: pd.Series, grouping: str, grouping_label: str,
                   groups: pd.Series, order: Iterable[str] | None = None) -> Comparison | None:
    """One indicator (yes/no/NA per unit) compared across groups; None when fewer than two groups."""
    tally = ctx.tally
    if not flags.index.equals(groups.index):
        raise ValueError("flags and groups must share one index")
    flags = flags.astype("boolean")
    codes, uniques = pd.factorize(groups)
    known = codes >= 0
    assessed = flags.notna().to_numpy() & known
    present = list(uniques[np.unique(codes[assessed])])
    order = [g for g in (order or sorted(present, key=str)) if g in present]
    if len(order) < 2:
        return None
    chosen = groups[assessed]
    stats = each_group_against_rest(flags[assessed],
                                    pd.Series(pd.Categorical(chosen, categories=order), index=chosen.index))
    stats = stats.set_index("group").reindex(order)
    _, overall_assessed, _ = tally.indicator(population, indicator, flags[known], [(grouping, ("any",))])
    code_of = {value: code for code, value in enumerate(uniques)}
    rows, pct, pct_rest = [], [], []
    for group in order:
        inside = codes == code_of[group]
        _, base, share = tally.indicator(population, indicator, flags[inside], [(grouping, group)])
        _, _, rest_share = tally.indicator(population, indicator, flags[known & ~inside], [(grouping, ("not", group))])
        pct.append(share)
        pct_rest.append(rest_share)
        rows.append([text(group), base, share, rest_share, tally.difference(share, rest_share, stats["diff"][group]),
                     Cell(value=None, kind="number", decimals=3), text("")])
    columns = [
        Column("group", grouping_label), Column("n", ctx.t("compare.n_assessed"), "count"),
        Column("pct", indicator_label, "pct"), Column("pct_rest", ctx.t("compare.rest"), "pct"),
        Column("diff", ctx.t("compare.diff"), "number"), Column("q", ctx.t("compare.q"), "number"),
        Column("flag", ctx.t("compare.flag")),
    ]
    table = Table(id=comparison_id, title=ctx.t("compare.title", indicator=indicator_label, grouping=grouping_label),
                  columns=columns, rows=rows, n=overall_assessed, definition=ctx.t("compare.definition"))
    return Comparison(
        id=comparison_id, indicator=indicator_label, grouping=grouping_label, table=table, groups=order,
        pct=pct, pct_rest=pct_rest, n=[int(v) for v in stats["n"]],   # stats are in the order of `order`
        n_rest=[int(v) for v in stats["n_rest"]], diff=[float(v) for v in stats["diff"]],
        p_values=[float(v) for v in stats["p_value"]],
    )


def finalize(sections: list[Section], rule: FlagRule, language_t, known: dict | None = None) -> int:
    """Adjust the report's contrasts together, flag, and add observations and questions; returns flags.

    Must run after disclosure control has marked hidden cells. The family is the report's distinct
    contrasts (`contrast_key`) whose two sides both hold at least `rule.min_group` units and are
    shown (in every row that reads it); each is tested once. A contrast already in `known`
    (contrast -> q, from a report adjusted earlier in the run) keeps that q and stays out of this
    family; this report's own q-values are added to `known`. Rows outside every family get no q and are never flagged.
    """
    known = {} if known is None else known
    earlier = dict(known)
    comparisons = [(section, c) for section in sections for c in section.comparisons()]
    contrasts = [[(_contrast(c, i), _in_family(c, i, rule)) for i in range(len(c.groups))] for _, c in comparisons]
    eligible: dict = {}  # a contrast read from several rows is adjusted only when every one of them shows it
    for rows in contrasts:
        for key, member in rows:
            eligible[key] = eligible.get(key, True) and member
    contrasts = [[(key, eligible[key]) for key, _ in rows] for rows in contrasts]
    family = family_q_values({key: c.p_values[i] for (_, c), rows in zip(comparisons, contrasts, strict=True)
                              for i, (key, member) in enumerate(rows) if member and key not in earlier})
    known.update(family)
    flags = 0
    for (section, comparison), rows in zip(comparisons, contrasts, strict=True):
        q_values = [earlier.get(key, family.get(key)) if member else None for key, member in rows]
        comparison.q_values = [float("nan") if q is None else q for q in q_values]
        frame = pd.DataFrame({"diff": comparison.diff, "n": comparison.n, "n_rest": comparison.n_rest})
        comparison.flagged = [bool(f) for f in flag_differences(frame, comparison.q_values, rule)]
        shared = any(member and key in earlier for key, member in rows)
        comparison.table.note = language_t("compare.family_shared" if shared else "compare.family", n=len(family))
        for row, q, flagged, group, share, rest in zip(comparison.table.rows, comparison.q_values, comparison.flagged,
                                                       comparison.groups, comparison.pct, comparison.pct_rest,
                                                       strict=True):
            row[5] = shown_test(None if np.isnan(q) else q, [row[4]], decimals=3)
            row[6] = text(language_t("compare.flagged") if flagged else "")
            if flagged:
                flags += 1
                section.questions.append(_question(comparison, group, share, rest, language_t))
    return flags


def _contrast(comparison: Comparison, index: int) -> tuple:
    """The contrast of one row: its dataset (the first part of its count keys) and its two sides."""
    share, rest = comparison.pct[index], comparison.pct_rest[index]
    n, n_rest = comparison.n[index], comparison.n_rest[index]
    k = round((share.value or 0.0) * n / 100.0)
    k_rest = round((rest.value or 0.0) * n_rest / 100.0)
    dataset = share.figure.dataset if share.figure is not None else comparison.id
    return contrast_key(dataset, comparison.groups, comparison.groups[index], k, n, k_rest, n_rest)


def _in_family(comparison: Comparison, index: int, rule: FlagRule) -> bool:
    """Whether a row's contrast is adjusted: a p-value, both sides at least min_group, and both shares shown."""
    return (not np.isnan(comparison.p_values[index])
            and comparison.n[index] >= rule.min_group and comparison.n_rest[index] >= rule.min_group
            and not comparison.pct[index].hidden and not comparison.pct_rest[index].hidden)


def _question(comparison: Comparison, group: str, share: Cell, rest: Cell, language_t) -> Question:
    higher = (share.value or 0) > (rest.value or 0)
    observation = Paragraph(
        template=language_t("compare.observation_higher" if higher else "compare.observation_lower",
                            group="{group}", indicator=comparison.indicator, grouping=comparison.grouping,
                            pct="{pct}", pct_rest="{pct_rest}"),
        values={"group": text(group), "pct": share, "pct_rest": rest},
        fallback=language_t("compare.observation_hidden", group=group, indicator=comparison.indicator,
                            grouping=comparison.grouping),
    )
    return Question(text=language_t("compare.question"), observation=observation)
