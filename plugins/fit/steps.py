"""The steps of the continuous compilation: calendar months or quarters within the period."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from isu_engine.config import Period

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


def step_of(dates: pd.Series, parts: list[Step]) -> pd.Series:
    """The label of the step each date falls in; an empty text outside every step."""
    labels = pd.Series("", index=dates.index, dtype=object)
    for part in parts:
        inside = (dates >= pd.Timestamp(part.period.start)) & (dates <= pd.Timestamp(part.period.end))
        labels[inside.fillna(False).astype(bool)] = part.label
    return labels
