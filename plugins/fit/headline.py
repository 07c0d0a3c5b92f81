"""The headline figures of one period, computed the same way for any period (for year-on-year tables)."""

from __future__ import annotations

from dataclasses import dataclass

from isu_engine.analyse.results import Cell

from .alliance import below_cutoff
from .change import jt_change, improvement_cells
from .episodes import PeriodEpisodes
from .inputs import FitInputs
from .populations import Populations


@dataclass(frozen=True)
class Headline:
    key: str            # message key of the figure's label under fit.headline
    cell: Cell
    decimals: int       # for the difference between two periods


def headline(fit: FitInputs, episodes: PeriodEpisodes) -> list[Headline]:
    """Clients, sessions, ORS effect size, reliably improved and recovered, and SRS below the cutoff."""
    ctx, tally = fit.ctx, fit.tally
    pop = Populations.of(episodes.period)
    result = jt_change(episodes.paired, fit.ors)
    cells = improvement_cells(ctx, pop.jt, fit.ors, result)
    sessions = episodes.sessions
    _, with_srs, below_pct = tally.indicator(pop.sessions, "srs_below_cutoff",
                                      below_cutoff(sessions["srs_total"], float(fit.parameters["srs_cutoff"])))
    return [
        Headline("n_clients", tally.total(pop.clients, episodes.client_codes()), 0),
        Headline("n_sessions", tally.total(pop.sessions, sessions.index), 0),
        Headline("n_paired", cells["total"], 0),
        Headline("effect_size", tally.statistic(result.effect_size, cells["total"], decimals=2, kind="effect"), 2),
        Headline("improved_pct", cells["improved_pct"], 1),
        Headline("recovered_pct", cells["recovered_pct"], 1),
        Headline("srs_sessions", with_srs, 0),
        Headline("srs_below_pct", below_pct, 1),
    ]
