"""The steps of the continuous compilation: calendar months or quarters within the period."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from isu_engine.api import Period

FREQUENCIES = {"month": "M", "quarter": "Q"}


@dataclass(frozen=True)
class Step:
    label: str          # "2025-01" for a month, "2025-Q1" for a quarter
    period: Period      # the calendar step cut to the report period


def steps(period: Period, step: str) -> list[Step]:
    """The months or quarters that overlap `period`, each cut to it; none for step 'none'."""
    if step not in FREQUENCIES:
        return []
    calendar = pd.period_range(pd.Timestamp(period.start), pd.Timestamp(period.end), freq=FREQUENCIES[step])
    result = []
    for part in calendar:
        label = f"{part.year}-Q{part.quarter}" if step == "quarter" else f"{part.year}-{part.month:02d}"
        start = max(part.start_time.date(), period.start)
        end = min(part.end_time.date(), period.end)
        result.append(Step(label, Period(start, end)))
    return result


def step_index(dates: pd.Series, parts: list[Step]) -> np.ndarray:
    """The position in `parts` (steps in date order, as `steps` gives them) of the step each date
    falls in; -1 outside every step."""
    values = dates.to_numpy(dtype="datetime64[ns]")
    if not parts:
        return np.full(len(values), -1)
    starts = np.array([np.datetime64(part.period.start, "ns") for part in parts], dtype="datetime64[ns]")
    ends = np.array([np.datetime64(part.period.end, "ns") for part in parts], dtype="datetime64[ns]")
    position = np.searchsorted(starts, values, side="right") - 1
    inside = (position >= 0) & (values <= ends[np.maximum(position, 0)])
    return np.where(inside, position, -1)
