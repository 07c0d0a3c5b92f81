"""The harmonized frame of a GAS dataset (for `isu compare`): one row per case active in the period.

end is the follow-up date of the cases followed up in the period (open cases: none).
outcome, from the T-score of cases followed up with every goal scored:
improved when the follow-up T-score is at least the expected level (50: the goals reached
or exceeded on average); deteriorated when it is below the T-score at goal setting;
otherwise unchanged (this includes progress that stays below the expected level).
goal_attained is the same criterion as improved (GAS measures goal attainment itself).
GAS records neither contacts, how a case ends, nor the client's feedback.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from isu_engine.api import (DETERIORATED, IMPROVED, NOT_MEASURED, UNCHANGED, AnalysisConfig, Dataset, describe,
                            harmonized_frame)

from .cases import FOLLOWUP, START, PeriodCases, period_cases


def outcomes(cases: PeriodCases) -> pd.Series:
    """improved / deteriorated / unchanged for the paired cases, not_measured for the others."""
    pairs = cases.t_pairs
    reached = pairs["post"] >= cases.expected_t - 1e-9
    fell = pairs["post"] < pairs["pre"] - 1e-9
    chosen = pd.Series(np.select([reached, fell], [IMPROVED, DETERIORATED], UNCHANGED), index=pairs.index, dtype=object)
    return chosen.reindex(cases.frame.index).where(lambda s: s.notna(), NOT_MEASURED)


def harmonized(data: Dataset, ctx: AnalysisConfig) -> pd.DataFrame:
    cases = period_cases(data.frame, data.model, ctx.period)
    frame = cases.frame
    fields = data.model.fields
    unit, units = ctx.t("comparison.unit.case"), ctx.t("comparison.unit.cases")
    expected = ctx.number(cases.expected_t)
    result = harmonized_frame(
        dataset=data.name, model=data.model.name, subject=frame["case_id"].astype(str), unit=frame["unit"],
        gender=frame["gender"], age=frame["age"], start=frame[START], end=frame[FOLLOWUP].where(cases.followed),
        outcome=outcomes(cases), goal_attained=cases.reached.reindex(frame.index),
    )
    return describe(
        result, unit_of_analysis=unit, units=units, target_group=ctx.t("comparison.target.active", units=units),
        definitions={
            "contacts": None, "ending": None, "feedback": None,
            "duration": ctx.t("gas.compare.duration", start=fields[START].title(ctx.language),
                              end=fields[FOLLOWUP].title(ctx.language), units=units),
            "outcome": ctx.t("gas.compare.outcome", expected=expected, units=units),
            "goal": ctx.t("gas.compare.goal", expected=expected, units=units),
        },
        outcome_measure=ctx.t("gas.compare.outcome_short", expected=expected),
        respondents={"outcome": "staff", "goal": "staff"},
        measures_only=ctx.t("gas.compare.measures"),
        unit_kind="rows",
    )
