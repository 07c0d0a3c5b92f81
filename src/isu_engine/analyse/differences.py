"""Group differences (DESIGN §2): each group against the rest, adjusted across a report, flagged, asked about.

`compare_groups` builds a Comparison with registered counts and a p-value per
group; `finalize` adjusts all p-values of a report together (Benjamini–Hochberg),
flags the differences that are both large and clear, and turns each flag into an
observation and a reflection question in the section that holds it.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from isu_engine.analyse.context import AnalysisConfig
from isu_engine.analyse.distinct import map_distinct
from isu_engine.analyse.tabulate import Population, shown_test
from isu_engine.analyse.results import Cell, Column, Comparison, Paragraph, Question, Section, Table, text
from isu_engine.stats.groups import FlagRule, each_group_against_rest, flag_differences
from isu_engine.stats.proportions import benjamini_hochberg

FEMALE = ("flicka", "kvinna")
MALE = ("pojke", "man")


def two_way_gender(gender: pd.Series, ctx: AnalysisConfig) -> pd.Series:
    """Girls with women and boys with men; `annat` and `okänt` stay groups of their own."""
    labels = {
        **{value: ctx.t("common.female") for value in FEMALE},
        **{value: ctx.t("common.male") for value in MALE},
        "annat": ctx.t("common.gender_other"),
        "okänt": ctx.t("common.gender_unknown"),
    }
    return map_distinct(gender, labels.get)


def two_way_gender_order(ctx: AnalysisConfig) -> list[str]:
    return [ctx.t("common.female"), ctx.t("common.male"), ctx.t("common.gender_other"), ctx.t("common.gender_unknown")]


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
    stats = each_group_against_rest(flags[assessed], pd.Series(pd.Categorical(chosen, categories=order), index=chosen.index))
    stats = stats.set_index("group").reindex(order)
    overall_yes, overall_assessed, overall_pct = tally.indicator(population, indicator, flags[known],
                                                                 [(grouping, ("any",))])
    code_of = {value: code for code, value in enumerate(uniques)}
    rows, pct, pct_rest = [], [], []
    for group in order:
        inside = codes == code_of[group]
        yes, base, share = tally.indicator(population, indicator, flags[inside], [(grouping, group)])
        _, rest_base, rest_share = tally.indicator(population, indicator, flags[known & ~inside],
                                                   [(grouping, ("not", group))])
        pct.append(share)
        pct_rest.append(rest_share)
        rows.append([text(group), base, share, rest_share, tally.difference(share, rest_share, stats.loc[group, "diff"]),
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
        pct=pct, pct_rest=pct_rest, n=[int(stats.loc[g, "n"]) for g in order],
        n_rest=[int(stats.loc[g, "n_rest"]) for g in order], diff=[float(stats.loc[g, "diff"]) for g in order],
        p_values=[float(stats.loc[g, "p_value"]) for g in order],
    )


def finalize(sections: list[Section], rule: FlagRule, language_t) -> int:
    """Adjust every comparison's p-values together, flag, and add observations and questions; returns flags."""
    comparisons = [(section, c) for section in sections for c in section.comparisons()]
    p_values = np.array([p for _, c in comparisons for p in c.p_values], dtype=float)
    q_values = benjamini_hochberg(p_values) if len(p_values) else np.array([])
    position = 0
    flags = 0
    for section, comparison in comparisons:
        count = len(comparison.p_values)
        comparison.q_values = [float(q) for q in q_values[position:position + count]]
        position += count
        frame = pd.DataFrame({"diff": comparison.diff, "n": comparison.n, "n_rest": comparison.n_rest})
        comparison.flagged = [bool(f) for f in flag_differences(frame, comparison.q_values, rule)]
        for row, q, flagged, group, share, rest in zip(comparison.table.rows, comparison.q_values, comparison.flagged,
                                                       comparison.groups, comparison.pct, comparison.pct_rest):
            row[5] = shown_test(None if np.isnan(q) else q, [row[4]], decimals=3)
            row[6] = text(language_t("compare.flagged") if flagged else "")
            if flagged:
                flags += 1
                section.questions.append(_question(comparison, group, share, rest, language_t))
    return flags


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
