"""The headline figures of one period, computed the same way for any period (for year-on-year tables)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from isu_engine.api import Cell, effect_size_interval, settings_for

from .alliance import below_cutoff
from .change import improvement_cells, jt_change
from .episodes import CLIENT_CODE, PeriodEpisodes
from .inputs import FitInputs
from .populations import Populations
from .session_shares import session_share


@dataclass(frozen=True)
class Headline:
    key: str            # message key of the figure's label under fit.headline
    cell: Cell
    decimals: int       # for the difference between two periods


def headline(fit: FitInputs, episodes: PeriodEpisodes) -> list[Headline]:
    """Clients, sessions, ORS effect size, reliably improved and recovered, and SRS below the cutoff."""
    ctx, tally = fit.ctx, fit.tally
    pop = Populations.of(episodes.period)
    result = jt_change(episodes, fit.ors)
    cells = improvement_cells(ctx, pop.jt, fit.ors, result)
    sessions = episodes.sessions
    below = session_share(fit, pop.sessions, "srs_below_cutoff",
                          below_cutoff(sessions["srs_total"], float(fit.parameters["srs_cutoff"])),
                          sessions[CLIENT_CODE])
    return [
        Headline("n_clients", tally.total(pop.clients, episodes.client_codes()), 0),
        Headline("n_sessions", tally.total(pop.sessions, sessions.index), 0),
        Headline("n_paired", cells["total"], 0),
        Headline("effect_size", _effect_size(result.effect_size, episodes.jt, fit, cells["total"]), 2),
        Headline("improved_pct", cells["improved_pct"], 1),
        Headline("recovered_pct", cells["recovered_pct"], 1),
        Headline("srs_sessions", below.assessed, 0),
        Headline("srs_below_pct", below.pct, 1),
    ]


def _effect_size(value: float | None, paired: pd.DataFrame, fit: FitInputs, n: Cell) -> Cell:
    """The ORS effect size of the Jacobson–Truax episodes, with its interval (for the year-on-year difference)."""
    low, high = effect_size_interval(paired["pre"], paired["post"], settings_for(fit.ors))
    cell = fit.tally.statistic(value, n, decimals=2, kind="effect", name="effect_size")
    if cell.value is None:
        return cell
    return Cell(cell.value, cell.kind, decimals=cell.decimals, low=low, high=high, figure=cell.figure)
