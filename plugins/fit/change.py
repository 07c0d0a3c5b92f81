"""ORS change of a period's paired episodes: Jacobson–Truax where a cutoff exists, and its counts."""

from __future__ import annotations

import dataclasses

from isu_engine.api import (AnalysisConfig, Cell, ChangeResult, Population, Scale, analyse_change, change_categories,
                            improved_flags, settings_for)

from .episodes import PeriodEpisodes


def jt_change(episodes: PeriodEpisodes, ors: Scale) -> ChangeResult:
    """Jacobson–Truax categories of the paired episodes with a cutoff, each with its own cutoff."""
    jt = episodes.jt
    return analyse_change(jt["pre"], jt["post"], settings_for(ors), cutoffs=jt["cutoff"])


def reliable_change(episodes: PeriodEpisodes, ors: Scale) -> ChangeResult:
    """Reliable change only (no cutoff, so not Jacobson–Truax) of the paired episodes without a cutoff."""
    rest = episodes.no_cutoff
    return analyse_change(rest["pre"], rest["post"], dataclasses.replace(settings_for(ors), cutoff=None))


def category_counts(ctx: AnalysisConfig, population: Population, variable: str, result: ChangeResult):
    """The change categories as a distribution: (rows, total cell)."""
    values, categories = change_categories(ctx, result)
    return ctx.tally.distribution(population, variable, values, categories, ctx.t("change.not_classified"))


def improvement_cells(ctx: AnalysisConfig, population: Population, ors: Scale, result: ChangeResult) -> dict[str, Cell]:
    """Episodes reliably improved (recovered included) and recovered, as counts and shares of the JT total
    (the same counts as `change_items` makes)."""
    tally = ctx.tally
    rows, total = category_counts(ctx, population, f"{ors.name}.change", result)
    by_value = {row.value: row.count for row in rows}
    improved, _, improved_pct = tally.indicator(population, f"{ors.name}.improved", improved_flags(result))
    recovered = by_value.get("recovered", Cell(None, "count"))
    recovered_pct = tally.pct(recovered, total) if recovered.figure is not None else Cell(None, "pct")
    return {"total": total, "improved": improved, "improved_pct": improved_pct,
            "recovered": recovered, "recovered_pct": recovered_pct}
