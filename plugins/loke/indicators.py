"""The LOKE result indicators as yes/no per ended case (NA = not assessed).

Which values count is set in model.yaml `parameters:` (and may be overridden in the config):
`planned_values` (end reasons that count as ended as planned), `goal_attained_values`,
`goal_partly_values` and `goal_assessed_values`.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd


def ended_as_planned(end_reason: pd.Series, planned_values: Iterable) -> pd.Series:
    """True when the end reason is a planned one; every ended case is assessed (no reason = not planned)."""
    return end_reason.isin(list(planned_values)).fillna(False).astype("boolean")


def goal_share(goal: pd.Series, counted: Iterable, assessed: Iterable) -> pd.Series:
    """True when the goal attainment is one of `counted`, False when otherwise assessed, NA when not assessed."""
    is_assessed = goal.isin(list(assessed)).fillna(False).astype(bool)
    flags = goal.isin(list(counted)).fillna(False).astype("boolean")
    return flags.mask(~is_assessed)
