"""The LOKE result indicators as yes/no per ended case (NA = not assessed).

Which values count is set in model.yaml `parameters:` (and may be overridden in the config):
`planned_values` (end reasons that count as ended as planned), `goal_attained_values`,
`goal_partly_values` and `goal_assessed_values`.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from isu_engine.api import yes_no


def ended_as_planned(end_reason: pd.Series, planned_values: Iterable) -> pd.Series:
    """True when the end reason is a planned one; every ended case is assessed (no reason = not planned)."""
    return yes_no(_is_one_of(end_reason, planned_values), np.ones(len(end_reason), dtype=bool), end_reason.index)


def goal_share(goal: pd.Series, counted: Iterable, assessed: Iterable) -> pd.Series:
    """True when the goal attainment is one of `counted`, False when otherwise assessed, NA when not assessed."""
    return yes_no(_is_one_of(goal, counted), _is_one_of(goal, assessed), goal.index)


def _is_one_of(values: pd.Series, accepted: Iterable) -> np.ndarray:
    return values.isin(list(accepted)).to_numpy(dtype=bool, na_value=False)
