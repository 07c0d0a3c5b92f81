"""Allians: the SRS per session in the period, drops of at least `srs_drop_points` from the previous session
(per session and per episode), and SRS at intake vs outcome."""

from __future__ import annotations

import numpy as np
import pandas as pd

from isu_engine.api import (Column, KeyFigure, KeyFigures, Paragraph, Section, Table, compare_groups, improved_flags,
                            text, yes_no)

from .change import jt_change
from .episodes import CLIENT_CODE, EPISODE_CODE, PREVIOUS_SRS
from .inputs import FitInputs
from .session_shares import session_share

TOLERANCE = 1e-9
DROP_POINTS = 1.0   # the default of the model setting srs_drop_points


def below_cutoff(srs: pd.Series, cutoff: float) -> pd.Series:
    """True where the SRS total is below the cutoff; NA where there is no SRS total."""
    values = _floats(srs)
    return yes_no(values < cutoff - TOLERANCE, ~np.isnan(values), srs.index)


def dropped(srs: pd.Series, previous: pd.Series, points: float) -> pd.Series:
    """True where the SRS total is at least `points` lower than at the previous session (within 1e-9, so a
    drop of exactly `points` counts); NA where either is missing."""
    values, before = _floats(srs), _floats(previous)
    return yes_no(values <= before - points + TOLERANCE, ~np.isnan(values) & ~np.isnan(before), srs.index)


def _floats(values: pd.Series) -> np.ndarray:
    return values.to_numpy(dtype="float64", na_value=np.nan)


def any_per_episode(flags: pd.Series, sessions: pd.DataFrame, episodes: pd.DataFrame) -> pd.Series:
    """Per episode: True when any of its sessions is True, False when some are assessed and none is True,
    NA when none of its sessions in `sessions` can be assessed."""
    codes = sessions[EPISODE_CODE].to_numpy()
    yes = flags.to_numpy(dtype=bool, na_value=False)
    assessed = flags.notna().to_numpy()
    wanted = episodes.index.to_numpy()
    size = max(int(codes.max()) if len(codes) else -1, int(wanted.max()) if len(wanted) else -1) + 1
    any_yes = np.bincount(codes[yes], minlength=size) > 0
    any_assessed = np.bincount(codes[assessed], minlength=size) > 0
    return yes_no(any_yes[wanted], any_assessed[wanted], episodes.index)


def build_alliance(section: Section, fit: FitInputs) -> None:
    ctx, tally, pop = fit.ctx, fit.tally, fit.populations
    sessions = fit.current.sessions
    cutoff = float(fit.parameters["srs_cutoff"])
    cutoff_text = ctx.number(cutoff)
    section.intro = ctx.t("fit.alliance.intro", cutoff=cutoff_text,
                          points=ctx.number(float(fit.parameters.get('srs_drop_points', DROP_POINTS))))
    clients = sessions[CLIENT_CODE]
    below = session_share(fit, pop.sessions, "srs_below_cutoff", below_cutoff(sessions["srs_total"], cutoff), clients)
    points = float(fit.parameters.get("srs_drop_points", DROP_POINTS))
    points_text = ctx.number(points)
    drop_flags = dropped(sessions["srs_total"], sessions[PREVIOUS_SRS], points)
    drops = session_share(fit, pop.sessions, "srs_drop", drop_flags, clients)
    _, _, drop_episodes_pct = tally.indicator(pop.episodes, "srs_drop_any",
                                              any_per_episode(drop_flags, sessions, fit.current.episodes))
    mean = tally.mean(sessions["srs_total"], below.assessed)
    section.items.append(KeyFigures([
        KeyFigure("fit.srs_mean", ctx.t("fit.alliance.mean"), mean, ctx.t("fit.alliance.mean_definition")),
        KeyFigure("srs.below_cutoff_pct", ctx.t("fit.alliance.below_pct", cutoff=cutoff_text), below.pct,
                  ctx.t("fit.alliance.below_pct_definition", cutoff=cutoff_text)),
        KeyFigure("fit.srs_drop_pct", ctx.t("fit.alliance.drop_pct", points=points_text), drops.pct,
                  ctx.t("fit.alliance.drop_pct_definition", points=points_text)),
        KeyFigure("fit.srs_drop_episodes_pct", ctx.t("fit.alliance.drop_episodes_pct", points=points_text),
                  drop_episodes_pct, ctx.t("fit.alliance.drop_episodes_pct_definition", points=points_text)),
    ]))
    section.items.append(Table(
        id=f"{fit.table_prefix}.fit.srs_signals", title=ctx.t("fit.alliance.table_title"),
        columns=[Column("signal", ctx.t("fit.alliance.signal")), Column("base", ctx.t("fit.alliance.base"), "count"),
                 Column("n", ctx.t("common.count"), "count"), Column("pct", ctx.t("common.share"), "pct"),
                 Column("design_effect", ctx.t("fit.design_effect"), "number")],
        rows=[[text(ctx.t("fit.alliance.below_row", cutoff=cutoff_text)), below.assessed, below.yes, below.pct,
               below.design_effect],
              [text(ctx.t("fit.alliance.drop_row", points=points_text)), drops.assessed, drops.yes, drops.pct,
               drops.design_effect]],
        definition=ctx.t("fit.alliance.table_definition", cutoff=cutoff_text, points=points_text),
    ))
    _first_srs_comparison(section, fit, cutoff, cutoff_text)


def _first_srs_comparison(section: Section, fit: FitInputs, cutoff: float, cutoff_text: str) -> None:
    """Reliable improvement among episodes whose first-session SRS was below the cutoff vs at or above it."""
    ctx, pop, ors = fit.ctx, fit.populations, fit.ors
    current = fit.current
    result = jt_change(current, ors)
    first_srs = current.episodes.loc[result.categories.index, "srs_total"]
    below = below_cutoff(first_srs, cutoff)
    order = [ctx.t("fit.alliance.first_below", cutoff=cutoff_text),
             ctx.t("fit.alliance.first_not_below", cutoff=cutoff_text)]
    labels = pd.Series(np.where(below.to_numpy(dtype=bool, na_value=False), *order), index=below.index,
                       dtype=object).where(below.notna())
    comparison = compare_groups(ctx, comparison_id=f"{fit.table_prefix}.ors.improved.first_srs", population=pop.jt,
                                indicator=f"{ors.name}.improved", indicator_label=ctx.t("fit.outcome.improved_share"),
                                flags=improved_flags(result), grouping="first_srs",
                                grouping_label=ctx.t("fit.alliance.first_srs_grouping"), groups=labels, order=order)
    if comparison is not None:
        section.items.append(Paragraph.plain(ctx.t("fit.alliance.first_srs_intro", cutoff=cutoff_text)))
        section.items.append(comparison)
    else:
        section.items.append(Paragraph.plain(ctx.t("fit.alliance.first_srs_none")))
