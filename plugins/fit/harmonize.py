"""The harmonized frame of a FIT dataset: one row per client episode with a session in the period.

The episodes, their intake, end and ORS change are those of the FIT report (`episodes.py`,
`change.py`): contacts are the episode's sessions in the period, the outcome is its
Jacobson–Truax category (episodes without a clinical cutoff, such as YCORS, and episodes
with fewer than two ORS are not measured), feedback is its mean SRS total over the
sessions in the period. FIT has no goal attainment.
"""

from __future__ import annotations

import pandas as pd

from isu_engine.api import AnalysisConfig, Dataset, describe, harmonized_frame, outcome_from

from .change import jt_change
from .episodes import EPISODE_CODE
from .inputs import FitInputs
from .populations import EPISODES


def harmonized(data: Dataset, ctx: AnalysisConfig) -> pd.DataFrame:
    """One row per episode of the period, described for a comparison."""
    fit = FitInputs(ctx=ctx, dataset=data)
    current = fit.current
    episodes = current.episodes
    result = jt_change(current, fit.ors)
    per_episode = current.sessions.groupby(EPISODE_CODE)
    codes = episodes.index
    frame = harmonized_frame(
        dataset=data.name, model=data.model.name, subject=episodes["client_id"].astype(str),
        unit=episodes["unit"], gender=episodes["gender"], age=episodes["age"],
        start=episodes["session_date"], end=episodes["end_date"],
        contacts=pd.Series(per_episode.size().reindex(codes, fill_value=0).to_numpy(), index=episodes.index),
        ended_planned=episodes["end"].map({"planned": True, "unplanned": False}).astype("boolean"),
        outcome=outcome_from(result.categories, episodes.index),
        feedback=pd.Series(per_episode["srs_total"].mean().reindex(codes).to_numpy(), index=episodes.index),
    )
    return describe(frame, **_description(fit))


def _description(fit: FitInputs) -> dict:
    ctx, model = fit.ctx, fit.dataset.model
    unit, units = ctx.t("comparison.unit.episode"), ctx.t("comparison.unit.episodes")
    ors, srs = fit.ors, model.scales["srs"]
    points = "–" if fit.ors.reliable_change is None else ctx.number(fit.ors.reliable_change)
    end_field = model.fields["episode_end"]
    low, high = srs.range or (0, 40)
    return {
        "unit_of_analysis": unit, "units": units,
        "target_group": ctx.t("comparison.target.with_session", units=units),
        "definitions": {
            "contacts": ctx.t("comparison.contacts.sessions", unit=unit),
            "duration": ctx.t("comparison.duration.sessions", units=units),
            "ending": ctx.t("comparison.planned_rule.field", field=end_field.title(ctx.language),
                            planned=end_field.label_of("planned", ctx.language),
                            how=end_field.description.get(ctx.language, "")),
            "outcome": ctx.t("comparison.outcome.jacobson_truax", scale=ors.title(ctx.language), points=points,
                             who=ctx.t("comparison.who.paired_cutoff", units=units)),
            "feedback": ctx.t("comparison.feedback.mean_per_unit", scale=srs.title(ctx.language),
                              low=ctx.number(low), high=ctx.number(high), unit=unit),
        },
        "outcome_measure": ctx.t("comparison.outcome_short.jacobson_truax", scale=ors.title(ctx.language),
                                 points=points),
        "feedback_scale": ctx.t("comparison.feedback_short", scale=srs.title(ctx.language), low=ctx.number(low),
                                high=ctx.number(high)),
        "respondents": {"outcome": "client", "feedback": "client"},
        "measures_only": ctx.t("comparison.measures.session_feedback", outcome=ors.title(ctx.language),
                               alliance=srs.title(ctx.language)),
        "unit_kind": EPISODES,
    }

