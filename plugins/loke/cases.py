"""The cases of one report period and the populations (sets of cases) that are counted.

A case belongs to a period when it was active during it (start on or before the period's
last day, and no end or an end on or after its first day). A case ended in the period when
its end date lies within it; every other case of the period is open at the period's end.
The duration of an ended case is its end date minus its start date, in days.

Cases are counted as units of kind "rows", keyed by the row labels of the dataset's frame
(as the data-quality section and the harmonized frame count them), so disclosure control
sees how every count of the report relates to every other.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from isu_engine.api import Period, Population, active_in_period, in_period

CASES = "rows"          # the kind of unit a case is counted as: a row of the dataset's frame
START = "start_date"
END = "end_date"
STATUS = "status"
DURATION = "duration_days"
ENDED = "ended"
OPEN = "open"


def period_tag(period: Period) -> str:
    return f"{period.start.isoformat()}–{period.end.isoformat()}"


@dataclass(frozen=True)
class Populations:
    """The populations of one period: which cases are counted, named with the period."""

    cases: Population      # cases active in the period
    ended: Population      # cases that ended in the period
    rated: Population      # ended cases with the client's own rating at start and at end

    @classmethod
    def of(cls, period: Period) -> Populations:
        tag = period_tag(period)
        return cls(cases=Population(CASES, f"cases@{tag}"), ended=Population(CASES, f"cases_ended@{tag}"),
                   rated=Population(CASES, f"cases_rated@{tag}"))


@dataclass(frozen=True)
class Cases:
    """The cases active in a period, with their status (ended/open) and duration."""

    period: Period
    frame: pd.DataFrame
    populations: Populations

    @cached_property
    def ended(self) -> pd.DataFrame:
        """The cases that ended in the period."""
        return self.frame[(self.frame[STATUS] == ENDED).to_numpy()]


def period_cases(frame: pd.DataFrame, period: Period) -> Cases:
    """The cases of `frame` active in `period`, with the columns status and duration_days added."""
    active = active_in_period(frame[START], frame[END], period).to_numpy()
    cases = frame[active].copy(deep=False)   # the selected rows are a frame of their own: no need to copy them again
    ended = in_period(cases[END], period).to_numpy(dtype=bool, na_value=False)
    cases[STATUS] = np.where(ended, ENDED, OPEN).astype(object)
    days = (cases[END] - cases[START]).dt.days.astype("float64")
    cases[DURATION] = days.where(ended)
    return Cases(period=period, frame=cases, populations=Populations.of(period))


def has_cases(frame: pd.DataFrame, period: Period) -> bool:
    """Whether any case of `frame` was active during `period`."""
    return bool(active_in_period(frame[START], frame[END], period).any())
