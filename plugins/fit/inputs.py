"""What every FIT analysis works from: the settings, the prepared sessions and the period's episodes."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from isu_engine.api import AnalysisConfig, Dataset, Period, Scale, Tally

from .episodes import CLIENT_CODE, PeriodEpisodes, period_episodes, prepare_sessions
from .populations import SESSIONS, Populations


@dataclass
class FitInputs:
    """The run's settings and data for the FIT sections; sessions and episodes are computed once."""

    ctx: AnalysisConfig
    dataset: Dataset
    _episodes: dict[Period, PeriodEpisodes] = field(default_factory=dict, repr=False)

    @property
    def tally(self) -> Tally:
        return self.ctx.tally

    @property
    def parameters(self) -> dict:
        return self.dataset.model.parameters

    @property
    def ors(self) -> Scale:
        return self.dataset.model.scales["ors"]

    @property
    def table_prefix(self) -> str:
        return self.dataset.name

    @cached_property
    def sessions(self) -> pd.DataFrame:
        """Every valid session, prepared (see `prepare_sessions`), without the scales' item scores: no FIT
        analysis reads them, and the sessions are a copy of the valid rows in date order. The tally learns the
        client behind each session, so that a figure about sessions needs sessions of enough distinct clients."""
        items = {item for scale in self.dataset.model.scales.values() for item in scale.items}
        frame = self.dataset.frame
        sessions = prepare_sessions(frame.drop(columns=[c for c in frame.columns if c in items]),
                                    self.parameters["instrument_ages"])
        self.tally.persons(SESSIONS, sessions[CLIENT_CODE])
        return sessions

    @property
    def current(self) -> PeriodEpisodes:
        return self.episodes(self.ctx.period)

    @cached_property
    def populations(self) -> Populations:
        return Populations.of(self.ctx.period)

    def episodes(self, period: Period) -> PeriodEpisodes:
        """The sessions and episodes of `period` (computed once per period)."""
        if period not in self._episodes:
            self._episodes[period] = period_episodes(self.sessions, period, self.ors)
        return self._episodes[period]
