"""The harmonized frame of a LOKE dataset: one row per case active in the period.

The cases, their status and the result indicators are those of the LOKE report
(`cases.py`, `indicators.py`, `figures.py`): a case ended when its end date lies in the
period; ended as planned, goal attainment, the change in the client's own rating and
satisfaction are taken for the cases that ended in the period, as in the annual
compilation (open cases: not yet assessed). The frame keeps the cases' row labels as its
index, the keys by which the LOKE report counts them, so the comparison counts the same units.
"""

from __future__ import annotations

import pandas as pd

from isu_engine.api import AnalysisConfig, ChangeResult, Dataset, describe, harmonized_frame, outcome_from

from .cases import CASES, END, ENDED, START, STATUS, period_cases
from .figures import RATING, SUBJECT, PeriodFigures


def harmonized(data: Dataset, ctx: AnalysisConfig) -> pd.DataFrame:
    """One row per case of the period, described for a comparison."""
    cases = period_cases(data.frame, ctx.period)
    figures = PeriodFigures(ctx, data.model, cases, None, data.absent_fields)
    frame = cases.frame
    ended = frame[STATUS] == ENDED
    frame_out = harmonized_frame(
        dataset=data.name, model=data.model.name, subject=frame[SUBJECT].astype(str),
        gender=frame["gender"], age=frame["age"], start=frame[START], end=frame[END].where(ended),
        contacts=frame["n_contacts"], ended_planned=figures.ended_as_planned_flags,
        outcome=outcome_from(figures.rating.categories, frame.index),
        goal_attained=figures.goal_attained_flags, feedback=frame["satisfaction"].where(ended),
    )
    return describe(frame_out, **_description(data, ctx, figures.rating))


def _description(data: Dataset, ctx: AnalysisConfig, rating: ChangeResult) -> dict:
    model, language = data.model, ctx.language
    unit, units = ctx.t("comparison.unit.case"), ctx.t("comparison.unit.cases")
    parameters = model.parameters

    def title(name: str) -> str:
        return model.fields[name].title(language)

    def labels(name: str, values) -> str:
        return ", ".join(model.fields[name].label_of(v, language) for v in values)

    scale = model.scales[RATING]
    points = "–" if rating.reliable_change_points is None else f"{rating.reliable_change_points:.3g}"
    satisfaction = [c.value for c in model.fields["satisfaction"].categories]
    return {
        "unit_of_analysis": unit, "units": units,
        "target_group": ctx.t("comparison.target.active", units=units),
        "definitions": {
            "contacts": ctx.t("comparison.contacts.recorded", field=title("n_contacts"), unit=unit, units=units),
            "duration": ctx.t("comparison.duration.ended_dates", start=title(START), end=title(END), units=units),
            "ending": ctx.t("comparison.planned_rule.field", field=title("end_reason"),
                            planned=labels("end_reason", parameters.get("planned_values", [])),
                            how=ctx.t("comparison.planned_rule.end_date")),
            "outcome": ctx.t(f"comparison.outcome.{rating.method}", scale=scale.title(language), points=points,
                             who=ctx.t("comparison.who.ended_paired", units=units)),
            "goal": ctx.t("comparison.goal.values", field=title("goal_attainment"),
                          attained=labels("goal_attainment", parameters.get("goal_attained_values", [])),
                          assessed=labels("goal_attainment", parameters.get("goal_assessed_values", [])),
                          units=units),
            "feedback": ctx.t("comparison.feedback.once", field=title("satisfaction"), low=min(satisfaction),
                              high=max(satisfaction), unit=unit),
        },
        "outcome_measure": ctx.t(f"comparison.outcome_short.{rating.method}", scale=scale.title(language),
                                 points=points),
        "feedback_scale": ctx.t("comparison.feedback_short", scale=title("satisfaction"), low=min(satisfaction),
                                high=max(satisfaction)),
        "respondents": {"outcome": "client", "goal": "staff", "feedback": "client"},
        "measures_only": ctx.t("comparison.measures.idea"),
        "unit_kind": CASES,
    }

