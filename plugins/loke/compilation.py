"""The annual compilation of one dataset: its data, the idea, and the figures of this and last year."""

from __future__ import annotations

from functools import cached_property

from isu_engine.api import AnalysisConfig, Dataset

from .cases import has_cases, period_cases
from .figures import PeriodFigures
from .idea import Idea


class Compilation:
    """What every LOKE section works from; figures are computed once and shared."""

    def __init__(self, data: Dataset, ctx: AnalysisConfig):
        self.data = data
        self.ctx = ctx
        self.model = data.model

    @property
    def name(self) -> str:
        return self.data.name

    @property
    def written_idea(self) -> Idea:
        """The idea as the config writes it (read and checked when the dataset was loaded); empty without one."""
        return self.model.settings.get("idea") or Idea()

    @cached_property
    def idea(self) -> Idea | None:
        """The idea, or None when the config has none."""
        idea = self.written_idea
        return None if idea.empty else idea

    @cached_property
    def current(self) -> PeriodFigures:
        return PeriodFigures(self.ctx, self.model, period_cases(self.data.frame, self.ctx.period), self.idea,
                             self.data.absent_fields)

    @cached_property
    def previous(self) -> PeriodFigures | None:
        """The figures of the same period a year earlier, or None when no case was active then."""
        period = self.ctx.previous_period()
        if not has_cases(self.data.frame, period):
            return None
        return PeriodFigures(self.ctx, self.model, period_cases(self.data.frame, period), self.idea,
                             self.data.absent_fields)

    def present(self, field: str) -> bool:
        """Whether the field was in the source data."""
        return field not in self.data.absent_fields
