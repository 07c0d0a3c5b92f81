"""Allians: the SRS per session in the period, drops from the previous session, and SRS at intake vs outcome."""

from __future__ import annotations

import pandas as pd

from isu_engine.api import (Column, KeyFigure, KeyFigures, Paragraph, Section, Table, compare_groups, improved_flags,
                            text)

from .change import jt_change
from .episodes import PREVIOUS_SRS
from .inputs import FitInputs

TOLERANCE = 1e-9


def below_cutoff(srs: pd.Series, cutoff: float) -> pd.Series:
    """True where the SRS total is below the cutoff; NA where there is no SRS total."""
    return (srs < cutoff - TOLERANCE).astype("boolean").where(srs.notna())


def dropped(srs: pd.Series, previous: pd.Series) -> pd.Series:
    """True where the SRS total is lower than at the previous session; NA where either is missing."""
    return (srs < previous - TOLERANCE).astype("boolean").where(srs.notna() & previous.notna())


def build_alliance(section: Section, fit: FitInputs) -> None:
    ctx, tally, pop = fit.ctx, fit.tally, fit.populations
    sessions = fit.current.sessions
    cutoff = float(fit.parameters["srs_cutoff"])
    cutoff_text = ctx.number(cutoff)
    section.intro = ctx.t("fit.alliance.intro", cutoff=cutoff_text)
    below, with_srs, below_pct = tally.indicator(pop.sessions, "srs_below_cutoff",
                                                 below_cutoff(sessions["srs_total"], cutoff))
    drops, with_previous, drop_pct = tally.indicator(pop.sessions, "srs_drop",
                                                     dropped(sessions["srs_total"], sessions[PREVIOUS_SRS]))
    mean = tally.mean(sessions["srs_total"], with_srs)
    section.items.append(KeyFigures([
        KeyFigure("fit.srs_mean", ctx.t("fit.alliance.mean"), mean, ctx.t("fit.alliance.mean_definition")),
        KeyFigure("srs.below_cutoff_pct", ctx.t("fit.alliance.below_pct", cutoff=cutoff_text), below_pct,
                  ctx.t("fit.alliance.below_pct_definition", cutoff=cutoff_text)),
        KeyFigure("fit.srs_drop_pct", ctx.t("fit.alliance.drop_pct"), drop_pct,
                  ctx.t("fit.alliance.drop_pct_definition")),
    ]))
    section.items.append(Table(
        id=f"{fit.table_prefix}.fit.srs_signals", title=ctx.t("fit.alliance.table_title"),
        columns=[Column("signal", ctx.t("fit.alliance.signal")), Column("base", ctx.t("fit.alliance.base"), "count"),
                 Column("n", ctx.t("common.count"), "count"), Column("pct", ctx.t("common.share"), "pct")],
        rows=[[text(ctx.t("fit.alliance.below_row", cutoff=cutoff_text)), with_srs, below, below_pct],
              [text(ctx.t("fit.alliance.drop_row")), with_previous, drops, drop_pct]],
        definition=ctx.t("fit.alliance.table_definition", cutoff=cutoff_text),
    ))
    _first_srs_comparison(section, fit, cutoff, cutoff_text)


def _first_srs_comparison(section: Section, fit: FitInputs, cutoff: float, cutoff_text: str) -> None:
    """Reliable improvement among episodes whose first-session SRS was below the cutoff vs at or above it."""
    ctx, pop, ors = fit.ctx, fit.populations, fit.ors
    current = fit.current
    result = jt_change(current.paired, ors)
    first_srs = current.episodes.loc[result.categories.index, "srs_total"]
    below = below_cutoff(first_srs, cutoff)
    labels = below.map({True: ctx.t("fit.alliance.first_below", cutoff=cutoff_text),
                        False: ctx.t("fit.alliance.first_not_below", cutoff=cutoff_text)}).astype(object)
    labels = labels.where(below.notna())
    order = [ctx.t("fit.alliance.first_below", cutoff=cutoff_text), ctx.t("fit.alliance.first_not_below", cutoff=cutoff_text)]
    comparison = compare_groups(ctx, comparison_id=f"{fit.table_prefix}.ors.improved.first_srs", population=pop.jt,
                                indicator=f"{ors.name}.improved", indicator_label=ctx.t("fit.outcome.improved_share"),
                                flags=improved_flags(result), grouping="first_srs",
                                grouping_label=ctx.t("fit.alliance.first_srs_grouping"), groups=labels, order=order)
    if comparison is not None:
        section.items.append(Paragraph.plain(ctx.t("fit.alliance.first_srs_intro", cutoff=cutoff_text)))
        section.items.append(comparison)
    else:
        section.items.append(Paragraph.plain(ctx.t("fit.alliance.first_srs_none")))
