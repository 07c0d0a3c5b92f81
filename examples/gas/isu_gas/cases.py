"""The cases of one report period, their goals, and the names of the sets that are counted.

A case belongs to a period when it was active during it: its goals were set on or before
the period's last day, and it has no follow-up yet or was followed up on or after the
period's first day. Outcome figures use the cases followed up in the period whose
follow-up is complete (every goal scored): they have a T-score both at goal setting and
at follow-up.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from isu_engine.api import Model, Period, Population, active_in_period, in_period

from .goals import Goals

START = "start_date"
FOLLOWUP = "followup_date"


@dataclass(frozen=True)
class Populations:
    """The sets of one period that are counted: cases (the dataset's rows) and their goals."""

    cases: Population            # cases active in the period
    followed: Population         # cases followed up in the period
    paired: Population           # followed-up cases with every goal scored: T at goal setting and at follow-up
    goals: Population            # the goals of the cases active in the period
    goals_followed: Population   # the goals of the paired cases

    @classmethod
    def of(cls, period: Period) -> Populations:
        tag = f"{period.start.isoformat()}–{period.end.isoformat()}"
        return cls(cases=Population("rows", f"cases@{tag}"), followed=Population("rows", f"cases_followed_up@{tag}"),
                   paired=Population("rows", f"cases_scored@{tag}"), goals=Population("goals", f"goals@{tag}"),
                   goals_followed=Population("goals", f"goals_scored@{tag}"))


@dataclass(frozen=True)
class PeriodCases:
    """The cases active in a period with their goals; `followed` and `paired` are masks on `frame`."""

    frame: pd.DataFrame
    goals: Goals
    followed: pd.Series
    paired: pd.Series
    populations: Populations
    expected_t: float

    @property
    def t_pairs(self) -> pd.DataFrame:
        """T-scores at goal setting (pre) and at follow-up (post) of the paired cases."""
        return pd.DataFrame({"pre": self.goals.t_baseline[self.paired], "post": self.goals.t_followup[self.paired]})

    @property
    def reached(self) -> pd.Series:
        """Per paired case: the follow-up T-score is at least the expected level (50)."""
        return (self.t_pairs["post"] >= self.expected_t - 1e-9).astype("boolean")

    @property
    def incomplete(self) -> pd.Series:
        """Cases followed up in the period with a goal left unscored."""
        return self.followed & ~self.paired


def period_cases(frame: pd.DataFrame, model: Model, period: Period) -> PeriodCases:
    """The cases of `frame` active in `period`, with their goals and follow-up status."""
    cases = frame.loc[active_in_period(frame[START], frame[FOLLOWUP], period)]
    goals = Goals.of(cases, model)
    followed = in_period(cases[FOLLOWUP], period).fillna(False).astype(bool)
    return PeriodCases(frame=cases, goals=goals, followed=followed, paired=followed & goals.complete,
                       populations=Populations.of(period),
                       expected_t=float(model.parameters.get("expected_t", 50)))
