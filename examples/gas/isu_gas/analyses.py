"""The GAS report: the cases and their goals, the T-score at goal setting and at follow-up,
the attainment of each goal, and differences between groups.

Every section is built through `ctx.section` and every count goes through `ctx.tally`.
"""

from __future__ import annotations

from isu_engine.api import (LANGUAGES, AnalysisConfig, Dataset, KeyFigure, KeyFigures, Paragraph, Scale, Section,
                            change_items, compare_groups, frequency_items, group_columns, t)

from .cases import PeriodCases, period_cases

SCALE_NAME = "gas"
MAX_GOALS_SHOWN = 5


def sections(data: Dataset, ctx: AnalysisConfig) -> list[Section]:
    """Every section of the GAS report for one dataset."""
    cases = period_cases(data.frame, data.model, ctx.period)
    builds = (
        ("gas.overview", "gas.overview.title", _overview, 10),
        ("gas.tscore", "gas.tscore.title", _tscore, 20),
        ("gas.goals", "gas.goals.title", _goals, 30),
        ("gas.differences", "gas.differences.title", _differences, 40),
    )
    return [ctx.section(section_id, ctx.t(title), lambda section, build=build: build(section, data, ctx, cases),
                        order=order) for section_id, title, build, order in builds]


def t_scale(ctx: AnalysisConfig) -> Scale:
    """The T-score as a scale for the core's change analysis (no reliability: better / same / worse)."""
    return Scale(name=SCALE_NAME, titles={language: t("gas.scale", language) for language in LANGUAGES},
                 direction="higher_is_better")


def _overview(section: Section, data: Dataset, ctx: AnalysisConfig, cases: PeriodCases) -> None:
    tally, pop = ctx.tally, cases.populations
    section.intro = ctx.t("gas.overview.intro")
    n_cases = tally.total(pop.cases, cases.frame.index)
    n_followed = tally.total(pop.followed, cases.frame.index[cases.followed.to_numpy()])
    per_case = cases.goals.n_goals
    n_goals = tally.total(pop.goals, cases.goals.every_goal(cases.goals.baseline).index)
    section.items.append(KeyFigures([
        KeyFigure("n_cases", ctx.t("gas.figure.n_cases"), n_cases, ctx.t("gas.definition.n_cases")),
        KeyFigure("n_followed_up", ctx.t("gas.figure.n_followed_up"), n_followed,
                  ctx.t("gas.definition.n_followed_up")),
        KeyFigure("n_goals", ctx.t("gas.figure.n_goals"), n_goals, ctx.t("gas.definition.n_goals")),
        KeyFigure("gas.goals_per_case", ctx.t("gas.figure.goals_per_case"),
                  tally.statistic(per_case.mean() if len(per_case) else None, n_cases, decimals=1,
                                  name="goals_per_case"),
                  ctx.t("gas.definition.goals_per_case")),
    ]))
    section.items.append(Paragraph.plain(ctx.t("gas.overview.period_rule")))
    section.items.extend(frequency_items(
        ctx, table_id=f"{data.name}.goals_per_case", title=ctx.t("gas.overview.goals_per_case_title"),
        population=pop.cases, variable="n_goals", values=per_case,
        categories=[(k, str(k)) for k in range(1, MAX_GOALS_SHOWN + 1)], chart=False))
    for name, label, labels, order in group_columns(data, cases.frame, ctx):
        categories = [(value, value) for value in order]
        section.items.extend(frequency_items(ctx, table_id=f"{data.name}.{name}", title=label, population=pop.cases,
                                             variable=name, values=labels, categories=categories, chart=False))


def _tscore(section: Section, data: Dataset, ctx: AnalysisConfig, cases: PeriodCases) -> None:
    tally, pop = ctx.tally, cases.populations
    rho = cases.goals.rho
    section.intro = ctx.t("gas.tscore.intro", expected=ctx.number(cases.expected_t))
    pairs = cases.t_pairs
    scored = tally.total(pop.paired, pairs.index)
    ctx.exclude(ctx.t("gas.scale"), ctx.t("gas.tscore.excluded_incomplete"), pop.followed,
                cases.frame.index[cases.incomplete.to_numpy()])
    items, _ = change_items(ctx, scale=t_scale(ctx), paired=pairs, population=pop.paired,
                            unit_label=ctx.t("gas.units"))
    for figure in items[0].figures:
        if figure.id in (f"{SCALE_NAME}.effect_size", f"{SCALE_NAME}.effect_size_dz"):  # baselines at −1/−2 by design
            figure.shown = False
    yes, _, share = tally.indicator(pop.paired, "t50", cases.reached)
    change = (pairs["post"] - pairs["pre"]).mean() if len(pairs) else None
    section.items.append(KeyFigures([
        KeyFigure("gas.t50_pct", ctx.t("gas.figure.t50_pct", expected=ctx.number(cases.expected_t)), share,
                  ctx.t("gas.definition.t50_pct", expected=ctx.number(cases.expected_t))),
        KeyFigure("gas.t50_n", ctx.t("gas.figure.t50_n", expected=ctx.number(cases.expected_t)), yes, shown=False),
        KeyFigure("gas.mean_change", ctx.t("gas.figure.mean_change"),
                  tally.statistic(change, scored, decimals=1, name="mean_change"),
                  ctx.t("gas.definition.mean_change")),
    ]))
    section.items.extend(items)
    rho_text = ctx.number(rho)
    section.items.append(Paragraph.plain(ctx.t("gas.tscore.formula", rho=rho_text,
                                               expected=ctx.number(cases.expected_t))))


def _goals(section: Section, data: Dataset, ctx: AnalysisConfig, cases: PeriodCases) -> None:
    tally, pop = ctx.tally, cases.populations
    section.intro = ctx.t("gas.goals.intro")
    levels = [(c.value, c.label(ctx.language)) for c in data.model.fields["goal_1_followup"].categories]
    goals = cases.goals
    followup = goals.every_goal(goals.followup, cases.paired)
    baseline_scored = goals.every_goal(goals.baseline, cases.paired)
    _, _, met_share = tally.indicator(pop.goals_followed, "met", (followup >= 0).astype("boolean"))
    _, _, better_share = tally.indicator(pop.goals_followed, "above_baseline",
                                         (followup > baseline_scored).astype("boolean"))
    section.items.append(KeyFigures([
        KeyFigure("gas.goals_met_pct", ctx.t("gas.figure.goals_met_pct"), met_share,
                  ctx.t("gas.definition.goals_met_pct")),
        KeyFigure("gas.goals_above_baseline_pct", ctx.t("gas.figure.goals_above_baseline_pct"), better_share,
                  ctx.t("gas.definition.goals_above_baseline_pct")),
    ]))
    section.items.extend(frequency_items(
        ctx, table_id=f"{data.name}.goal_followup", title=ctx.t("gas.goals.followup_title"),
        population=pop.goals_followed, variable="followup", values=followup, categories=levels))
    section.items.extend(frequency_items(
        ctx, table_id=f"{data.name}.goal_baseline", title=ctx.t("gas.goals.baseline_title"),
        population=pop.goals, variable="baseline", values=goals.every_goal(goals.baseline), categories=levels,
        chart=False))


def _differences(section: Section, data: Dataset, ctx: AnalysisConfig, cases: PeriodCases) -> None:
    section.intro = ctx.t("gas.differences.intro", expected=ctx.number(cases.expected_t))
    flags = cases.reached
    paired = cases.frame[cases.paired]
    found = False
    for grouping, label, groups, order in group_columns(data, paired, ctx):
        comparison = compare_groups(
            ctx, comparison_id=f"{data.name}.compare.t50.{grouping}", population=cases.populations.paired,
            indicator="t50", indicator_label=ctx.t("gas.figure.t50_pct", expected=ctx.number(cases.expected_t)),
            flags=flags, grouping=grouping, grouping_label=label, groups=groups, order=order)
        if comparison is not None:
            section.items.append(comparison)
            found = True
    if not found:
        section.items.append(Paragraph.plain(ctx.t("gas.differences.none")))
