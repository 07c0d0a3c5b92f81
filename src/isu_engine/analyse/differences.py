"""Group differences (DESIGN §2): each group against the rest, adjusted across a report, flagged, asked about.

`compare_groups` builds a Comparison with registered counts and a p-value per
group; `finalize` adjusts the report's distinct contrasts together (Benjamini–Hochberg,
see `isu_engine.stats.groups`), flags the differences that are both large and clear, and
gives each comparison, once, its table with q-values and flags and an observation and a
reflection question for each flag (the section that holds it asks them).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from isu_engine.analyse.context import AnalysisConfig
from isu_engine.analyse.distinct import map_distinct
from isu_engine.analyse.tabulate import Population, shown_test, yes_and_assessed
from isu_engine.analyse.results import Adjusted, Column, Comparison, Contrast, Paragraph, Question, Section, Table, text
from isu_engine.stats.groups import FlagRule, against_rest, contrast_key, family_q_values, flag_differences

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
    present = set(labels.unique()) if labels is not None else set(others)
    return named + [label for label in others if label in present]


def compare_groups(ctx: AnalysisConfig, *, comparison_id: str, population: Population, indicator: str,
                   indicator_label: str, flags: pd.Series, grouping: str, grouping_label: str,
                   groups: pd.Series, order: Iterable[str] | None = None) -> Comparison | None:
    """One indicator (yes/no/NA per unit) compared across groups; None when fewer than two groups."""
    if not flags.index.equals(groups.index):
        raise ValueError("flags and groups must share one index")
    yes, assessed = yes_and_assessed(flags)
    codes, uniques = pd.factorize(groups)
    known = codes >= 0
    present = list(uniques[np.unique(codes[assessed & known])])
    order = [g for g in (order or sorted(present, key=str)) if g in present]
    if len(order) < 2:
        return None
    code_of = {value: code for code, value in enumerate(uniques)}
    inside = [codes == code_of[group] for group in order]
    # each group against the others of `order`, as `each_group_against_rest` sets them
    stats = against_rest(np.array([np.count_nonzero(assessed & one) for one in inside], dtype="int64"),
                         np.array([np.count_nonzero(yes & one) for one in inside], dtype="int64"))
    parts: list[tuple[np.ndarray, np.ndarray, list[tuple[str, Any]]]] = [
        (yes & known, assessed & known, [(grouping, ("any",))])]
    for group, one in zip(order, inside, strict=True):
        rest = known & ~one
        parts += [(yes & one, assessed & one, [(grouping, group)]),
                  (yes & rest, assessed & rest, [(grouping, ("not", group))])]
    (_, overall_assessed, _), *sides = ctx.tally.indicators(population, indicator, flags.index, parts)
    contrasts = []
    for number, group in enumerate(order):
        (_, base, share), (_, _, rest_share) = sides[2 * number], sides[2 * number + 1]
        contrasts.append(Contrast(group=group, assessed=base, pct=share, pct_rest=rest_share,
                                  diff=ctx.tally.difference(share, rest_share, float(stats["diff"][number])),
                                  n=int(stats["n"][number]), n_rest=int(stats["n_rest"][number]),
                                  p_value=float(stats["p_value"][number])))
    return Comparison(id=comparison_id, indicator=indicator_label, grouping=grouping_label, contrasts=contrasts,
                      assessed=overall_assessed)


def finalize(sections: list[Section], rule: FlagRule, language_t, known: dict | None = None) -> int:
    """Adjust the report's contrasts together, flag, and give each comparison its table and questions; returns flags.

    Must run after disclosure control has marked hidden cells. The family is the report's distinct
    contrasts (`contrast_key`) whose two sides both hold at least `rule.min_group` units and are
    shown (in every row that reads it); each is tested once. A contrast already in `known`
    (contrast -> q, from a report adjusted earlier in the run) keeps that q and stays out of this
    family; this report's own q-values are added to `known`. Rows outside every family get no q and are never
    flagged.
    """
    known = {} if known is None else known
    earlier = dict(known)
    comparisons = [c for section in sections for c in section.comparisons()]
    contrasts = [[(_contrast(c, contrast), _in_family(contrast, rule)) for contrast in c.contrasts]
                 for c in comparisons]
    eligible: dict = {}  # a contrast read from several rows is adjusted only when every one of them shows it
    for rows in contrasts:
        for key, member in rows:
            eligible[key] = eligible.get(key, True) and member
    contrasts = [[(key, eligible[key]) for key, _ in rows] for rows in contrasts]
    family = family_q_values({key: contrast.p_value for c, rows in zip(comparisons, contrasts, strict=True)
                              for contrast, (key, member) in zip(c.contrasts, rows, strict=True)
                              if member and key not in earlier})
    known.update(family)
    flags = 0
    for comparison, rows in zip(comparisons, contrasts, strict=True):
        q_values = [float("nan") if q is None else q
                    for q in (earlier.get(key, family.get(key)) if member else None for key, member in rows)]
        frame = pd.DataFrame({"diff": [c.diff.value for c in comparison.contrasts],
                              "n": [c.n for c in comparison.contrasts],
                              "n_rest": [c.n_rest for c in comparison.contrasts]}, dtype="float64")
        flagged = [bool(f) for f in flag_differences(frame, q_values, rule)]
        shared = any(member and key in earlier for key, member in rows)
        note = language_t("compare.family_shared" if shared else "compare.family", n=len(family))
        questions = [_question(comparison, contrast, language_t)
                     for contrast, is_flagged in zip(comparison.contrasts, flagged, strict=True) if is_flagged]
        table = _table(comparison, q_values, flagged, note, language_t)
        comparison.adjust(Adjusted(q_values, flagged, table, questions))
        flags += len(questions)
    return flags


def _table(comparison: Comparison, q_values: list[float], flagged: list[bool], note: str, language_t) -> Table:
    """The comparison as the report shows it: each group with its share, the rest's, the difference, q and flag."""
    columns = [
        Column("group", comparison.grouping), Column("n", language_t("compare.n_assessed"), "count"),
        Column("pct", comparison.indicator, "pct"), Column("pct_rest", language_t("compare.rest"), "pct"),
        Column("diff", language_t("compare.diff"), "number"), Column("q", language_t("compare.q"), "number"),
        Column("flag", language_t("compare.flag")),
    ]
    rows = [{"group": text(c.group), "n": c.assessed, "pct": c.pct, "pct_rest": c.pct_rest, "diff": c.diff,
             "q": shown_test(None if np.isnan(q) else q, [c.diff], decimals=3),
             "flag": text(language_t("compare.flagged") if is_flagged else "")}
            for c, q, is_flagged in zip(comparison.contrasts, q_values, flagged, strict=True)]
    return Table(id=comparison.id, title=language_t("compare.title", indicator=comparison.indicator,
                                                     grouping=comparison.grouping),
                 columns=columns, rows=rows, n=comparison.assessed, note=note,
                 definition=language_t("compare.definition"))


def _contrast(comparison: Comparison, contrast: Contrast) -> tuple:
    """The contrast of one row: its dataset (the first part of its count keys) and its two sides."""
    k = round((contrast.pct.value or 0.0) * contrast.n / 100.0)
    k_rest = round((contrast.pct_rest.value or 0.0) * contrast.n_rest / 100.0)
    dataset = contrast.pct.figure.dataset if contrast.pct.figure is not None else comparison.id
    return contrast_key(dataset, comparison.groups, contrast.group, k, contrast.n, k_rest, contrast.n_rest)


def _in_family(contrast: Contrast, rule: FlagRule) -> bool:
    """Whether a row's contrast is adjusted: a p-value, both sides at least min_group, and both shares shown."""
    return (not np.isnan(contrast.p_value) and contrast.n >= rule.min_group and contrast.n_rest >= rule.min_group
            and not contrast.pct.hidden and not contrast.pct_rest.hidden)


def _question(comparison: Comparison, contrast: Contrast, language_t) -> Question:
    share, rest, group = contrast.pct, contrast.pct_rest, contrast.group
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
