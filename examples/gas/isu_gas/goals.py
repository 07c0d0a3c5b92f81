"""The goals of each case: weights, baseline and follow-up scores as case × goal tables, and T-scores.

A goal is set when its baseline is scored (goal k's fields are goal_k_weight,
goal_k_baseline and goal_k_followup). A case's follow-up is complete when every goal it
has set is scored at follow-up; only then does it get a follow-up T-score. A goal
without a weight counts with the model's `default_weight`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from isu_engine.api import Model

from .tscore import t_scores


def goal_field(number: int, part: str) -> str:
    return f"goal_{number}_{part}"


@dataclass(frozen=True)
class Goals:
    """The goals of a set of cases (rows aligned with the case frame, one column per goal number)."""

    weights: pd.DataFrame
    baseline: pd.DataFrame
    followup: pd.DataFrame
    rho: float

    @classmethod
    def of(cls, frame: pd.DataFrame, model: Model) -> Goals:
        numbers = range(1, int(model.parameters.get("goals", 5)) + 1)

        def table(part: str) -> pd.DataFrame:
            return pd.DataFrame({k: frame[goal_field(k, part)].astype("Float64") for k in numbers}, index=frame.index)

        baseline = table("baseline")
        weights = table("weight").fillna(float(model.parameters.get("default_weight", 1))).where(baseline.notna())
        return cls(weights=weights, baseline=baseline, followup=table("followup").where(baseline.notna()),
                   rho=float(model.parameters.get("rho", 0.3)))

    @property
    def is_set(self) -> pd.DataFrame:
        return self.baseline.notna()

    @property
    def n_goals(self) -> pd.Series:
        """How many goals each case has set."""
        return self.is_set.sum(axis=1)

    @property
    def complete(self) -> pd.Series:
        """True where every goal the case has set is scored at follow-up."""
        return (self.followup.notna() == self.is_set).all(axis=1) & (self.n_goals > 0)

    @cached_property
    def t_baseline(self) -> pd.Series:
        return t_scores(self.baseline, self.weights, self.rho)

    @cached_property
    def t_followup(self) -> pd.Series:
        """The follow-up T-score where the follow-up is complete, else NaN."""
        return t_scores(self.followup, self.weights, self.rho).where(self.complete)

    def every_goal(self, table: pd.DataFrame, cases: pd.Series | None = None) -> pd.Series:
        """The values in `table` (baseline or followup) of every set goal, of all cases or of `cases` (a mask),
        as one series, goal after goal; each goal is known by (goal number, the case's row)."""
        chosen = self.is_set if cases is None else self.is_set.apply(lambda goal: goal & cases)
        return pd.concat({k: table[k][chosen[k]] for k in table.columns}, names=["goal", "row"]).astype("Int64")
