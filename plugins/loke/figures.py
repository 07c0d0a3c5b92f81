"""The headline figures of one period, counted through the run's tally.

Each figure is computed (and its counts made from their cases) only when first asked for, so
the previous period makes just the figures its comparison shows. Populations come from
`Cases.populations`, so the same set of cases has the same name everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from collections.abc import Iterable

import pandas as pd

from isu_engine.api import (AnalysisConfig, Category, Cell, ChangeResult, Model, Population, Tally, analyse_change,
                            improved_flags, mean_interval, pair_wide, settings_for)

from . import indicators
from .cases import DURATION, ENDED, OPEN, START, STATUS, Cases
from .idea import Criterion, Idea, block_flags

SUBJECT = "case_id"
RATING = "rating"

# Figures a result criterion of the idea may name (report.json ids).
RESULT_FIGURES = (
    "n_cases", "n_cases_ended", "n_cases_open", "ended_as_planned_pct", "goal_attained_pct", "goal_partly_pct",
    "rating_improved_pct", "satisfaction_mean", "idea.target_group_pct", "idea.intervention_pct",
)


@dataclass(frozen=True)
class Share:
    """A yes/no indicator: the yes count, the assessed count and the share of yes."""

    yes: Cell
    assessed: Cell
    pct: Cell


@dataclass(frozen=True)
class CaseCounts:
    """The cases of a period, those that ended in it, and the status rows (ended, open) with shares."""

    total: Cell
    ended: Cell
    status: dict[str, Category]


@dataclass(frozen=True)
class IdeaShare:
    """How many cases meet one block of the idea: every criterion together, and each on its own."""

    block: str
    population: Population
    name: str
    flags: pd.Series
    every: Share
    each: list[tuple[Criterion, pd.Series, Share]]


class PeriodFigures:
    """The LOKE figures of one period's cases."""

    def __init__(self, ctx: AnalysisConfig, model: Model, cases: Cases, idea: Idea | None, absent: Iterable[str] = ()):
        self.ctx = ctx
        self.model = model
        self.cases = cases
        self.idea = idea
        self.absent = frozenset(absent)
        self.populations = cases.populations
        self.parameters = model.parameters

    @property
    def tally(self) -> Tally:
        return self.ctx.tally

    @cached_property
    def case_counts(self) -> CaseCounts:
        """The period's cases, ended and open, and the ended cases as a population of their own."""
        categories = [(ENDED, self.ctx.t("loke.status.ended")), (OPEN, self.ctx.t("loke.status.open"))]
        rows, total = self.tally.distribution(self.populations.cases, STATUS, self.cases.frame[STATUS], categories,
                                              self.ctx.t("common.missing"))
        n_ended = self.tally.total(self.populations.ended, self.cases.ended.index)
        return CaseCounts(total=total, ended=n_ended, status={row.value: row for row in rows})

    @property
    def n_cases(self) -> Cell:
        return self.case_counts.total

    @property
    def n_ended(self) -> Cell:
        return self.case_counts.ended

    @property
    def n_open(self) -> Cell:
        return self.case_counts.status[OPEN].count

    @cached_property
    def ended_as_planned_flags(self) -> pd.Series:
        """Per ended case; all NA when the data has no end reasons at all (the share cannot be computed)."""
        end_reason = self.cases.ended["end_reason"]
        if "end_reason" in self.absent:
            return pd.Series(pd.NA, index=end_reason.index, dtype="boolean")
        return indicators.ended_as_planned(end_reason, self.parameters.get("planned_values", []))

    @cached_property
    def goal_attained_flags(self) -> pd.Series:
        return indicators.goal_share(self.cases.ended["goal_attainment"],
                                     self.parameters.get("goal_attained_values", []),
                                     self.parameters.get("goal_assessed_values", []))

    @cached_property
    def ended_as_planned(self) -> Share:
        return self._share(self.populations.ended, "ended_as_planned", self.ended_as_planned_flags)

    @cached_property
    def goal_attained(self) -> Share:
        return self._share(self.populations.ended, "goal_attained", self.goal_attained_flags)

    @cached_property
    def goal_partly(self) -> Share:
        flags = indicators.goal_share(self.cases.ended["goal_attainment"],
                                      self.parameters.get("goal_partly_values", []),
                                      self.parameters.get("goal_assessed_values", []))
        return self._share(self.populations.ended, "goal_partly", flags)

    @cached_property
    def satisfaction(self) -> tuple[Cell, Cell]:
        """The number of ended cases that answered, and their mean satisfaction with its t interval."""
        values = self.cases.ended["satisfaction"].dropna()
        n = self.tally.count(self.populations.ended, values.index, [("satisfaction", "present")])
        mean = self.tally.mean(values, n, decimals=1, variable="satisfaction")
        low, high = mean_interval(values)
        return n, Cell(mean.value, mean.kind, decimals=mean.decimals, low=low, high=high, figure=mean.figure)

    @cached_property
    def rating_pairs(self) -> pd.DataFrame:
        """Ended cases with the client's own rating at start and at end (columns subject, pre, post)."""
        scale = self.model.scales[RATING]
        return pair_wide(self.cases.ended, SUBJECT, scale.pre, scale.post)

    @cached_property
    def rating(self) -> ChangeResult:
        pairs = self.rating_pairs
        return analyse_change(pairs["pre"], pairs["post"], settings_for(self.model.scales[RATING]))

    @cached_property
    def rating_improved(self) -> Share:
        """Improved (better, or reliably improved when the unit set a reliability) among the paired cases."""
        return self._share(self.populations.rated, "rating.improved", improved_flags(self.rating))

    @cached_property
    def target_group(self) -> IdeaShare | None:
        return self._idea_share("target_group", self.populations.cases, self.cases.frame)

    @cached_property
    def intervention(self) -> IdeaShare | None:
        return self._idea_share("intervention", self.populations.ended, self.cases.ended)

    @cached_property
    def open_past_duration(self) -> Cell | None:
        """Open cases that at the period's end have lasted longer than the intended duration's upper bound
        (`idea.intervention.duration_days`); None when the idea names no such bound. `idea.intervention_pct`
        counts ended cases only, so these are the cases it cannot yet see."""
        criterion = next((c for c in (self.idea.intervention if self.idea is not None else ())
                          if c.field == DURATION and c.high is not None), None)
        if criterion is None:
            return None
        open_cases = self.cases.frame[self.cases.frame[STATUS] == OPEN]
        days = (pd.Timestamp(self.cases.period.end) - open_cases[START]).dt.days
        past = open_cases.index[(days > criterion.high).to_numpy(dtype=bool)]
        return self.tally.count(self.populations.cases, past, [(STATUS, OPEN), ("past_intended_duration", True)])

    def figure(self, figure_id: str) -> tuple[Cell, Cell | None]:
        """A headline figure by its report.json id (one of RESULT_FIGURES), and the n it rests on
        (None for a count)."""
        if figure_id in ("idea.target_group_pct", "idea.intervention_pct"):
            idea_share = self.target_group if figure_id == "idea.target_group_pct" else self.intervention
            if idea_share is None:
                return Cell(None, "pct", decimals=1), None
            return idea_share.every.pct, idea_share.every.assessed
        counts = {"n_cases": lambda: self.n_cases, "n_cases_ended": lambda: self.n_ended,
                  "n_cases_open": lambda: self.n_open}
        if figure_id in counts:
            return counts[figure_id](), None
        if figure_id == "satisfaction_mean":
            n, mean = self.satisfaction
            return mean, n
        shares = {"ended_as_planned_pct": lambda: self.ended_as_planned,
                  "goal_attained_pct": lambda: self.goal_attained,
                  "goal_partly_pct": lambda: self.goal_partly, "rating_improved_pct": lambda: self.rating_improved}
        share = shares[figure_id]()
        return share.pct, share.assessed

    def _share(self, population: Population, name: str, flags: pd.Series) -> Share:
        return Share(*self.tally.indicator(population, name, flags))

    def _idea_share(self, block: str, population: Population, frame: pd.DataFrame) -> IdeaShare | None:
        criteria = self.idea.criteria(block) if self.idea is not None else ()
        if not criteria:
            return None
        each, every = block_flags(criteria, frame)
        name = f"idea.{block}"
        return IdeaShare(
            block=block, population=population, name=name, flags=every,
            every=self._share(population, name, every),
            each=[(c, flags, self._share(population, f"{name}.{c.field}", flags))
                  for c, flags in zip(criteria, each, strict=True)],
        )
