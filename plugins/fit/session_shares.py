"""Shares of sessions (SRS below the cutoff, SRS drops, completed forms) with intervals that count
clients, not sessions: one client fills in many sessions, so the Wilson interval is taken over the
effective sample size, the sessions divided by their design effect within clients."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from isu_engine.api import Cell, Population, design_effect, wilson_interval_design

from .inputs import FitInputs


@dataclass(frozen=True)
class SessionShare:
    """A yes/no indicator over sessions: yes, assessed, the share with its interval, and the design effect."""

    yes: Cell
    assessed: Cell
    pct: Cell
    design_effect: Cell


def session_share(fit: FitInputs, population: Population, name: str, flags: pd.Series,
                  clients: pd.Series) -> SessionShare:
    """`flags` (one per session, NA = not assessed) counted as `tally.indicator` does; the share's interval is
    the design-effect-adjusted Wilson interval (Kish, clustered by `clients`, the client code of each session)."""
    yes, assessed, pct = fit.tally.indicator(population, name, flags)
    deff = design_effect(flags, clients)
    if assessed.value:
        low, high = wilson_interval_design(yes.value, assessed.value, deff)
        pct = Cell(pct.value, pct.kind, decimals=pct.decimals, low=100.0 * float(low), high=100.0 * float(high),
                   figure=pct.figure)
    deff_cell = fit.tally.statistic(deff, assessed, decimals=2, name="design_effect", variable=name)
    return SessionShare(yes, assessed, pct, deff_cell)
