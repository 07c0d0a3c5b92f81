"""The annual compilation of one dataset: its data, the idea, and the figures of this and last year."""

from __future__ import annotations

from functools import cached_property

from isu_engine.api import AnalysisConfig, Dataset, UserError

from .cases import has_cases, period_cases
from .figures import RESULT_FIGURES, PeriodFigures
from .idea import Idea, parse_idea


class Compilation:
    """What every LOKE section works from; figures are computed once and shared."""

    def __init__(self, data: Dataset, ctx: AnalysisConfig):
        self.data = data
        self.ctx = ctx
        self.model = data.model

    @property
    def name(self) -> str:
        return self.data.name

    def parse_idea(self) -> Idea:
        """The idea from the config; a UserError (file and line) when it names something unknown."""
        return parse_idea(self.ctx.idea, self.model, self.ctx.config.doc, RESULT_FIGURES, self.ctx.t, self.ctx.language)

    @cached_property
    def idea(self) -> Idea | None:
        """The idea, or None when the config has none or it cannot be read (the idea section says why)."""
        try:
            idea = self.parse_idea()
        except UserError:
            return None
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
