"""Över tid: the continuous compilation, month by month or quarter by quarter within the period."""

from __future__ import annotations

import numpy as np
import pandas as pd

from isu_engine.api import Chart, Column, Section, Table, text

from .alliance import below_cutoff
from .episodes import CLIENT_CODE, OPEN
from .inputs import FitInputs
from .session_shares import session_share
from .populations import StepPopulations
from .steps import step_index, steps

SRS_FLAG = "srs_below_cutoff"
PLANNED_FLAG = "planned"


def build_over_time(section: Section, fit: FitInputs) -> None:
    ctx, tally, pop = fit.ctx, fit.tally, fit.populations
    step = ctx.config.period_step
    parts = steps(ctx.period, step)
    cutoff = float(fit.parameters["srs_cutoff"])
    section.intro = ctx.t(f"fit.over_time.intro_{step}", cutoff=ctx.number(cutoff))
    current = fit.current
    sessions, episodes = current.sessions, current.episodes
    session_step = step_index(sessions["session_date"], parts)
    start_step = step_index(episodes["session_date"], parts)
    ended = episodes[episodes["end"] != OPEN]
    end_step = step_index(ended["end_date"], parts)
    clients = sessions[CLIENT_CODE]
    below = below_cutoff(sessions["srs_total"], cutoff)
    intake_ors = episodes["ors_total"]
    planned = ended["end"] == "planned"
    rows, srs_cells, planned_cells = [], [], []
    for index, part in enumerate(parts):
        names = StepPopulations.of(part.label)
        in_step = session_step == index
        n_sessions = tally.total(names.sessions, sessions.index[in_step])
        n_clients = tally.total(names.clients, pd.Index(np.unique(clients.to_numpy()[in_step])))
        intake = intake_ors[start_step == index].dropna()
        with_intake = tally.count(names.started, intake.index, [("intake_ors", "present")])
        mean_intake = tally.mean(intake, with_intake)
        srs = session_share(fit, names.sessions, SRS_FLAG, below[in_step], clients[in_step])
        with_srs, below_pct = srs.assessed, srs.pct
        _, n_ended, planned_pct = tally.indicator(names.ended, PLANNED_FLAG, planned[end_step == index])
        rows.append([text(part.label), n_clients, n_sessions, with_intake, mean_intake, with_srs, below_pct,
                     n_ended, planned_pct])
        srs_cells.append(below_pct)
        planned_cells.append(planned_pct)
    n_sessions = tally.total(pop.sessions, sessions.index)
    section.items.append(Table(
        id=f"{fit.table_prefix}.fit.over_time", title=ctx.t(f"fit.over_time.table_title_{step}"),
        columns=[Column("step", ctx.t(f"fit.over_time.step_{step}")),
                 Column("clients", ctx.t("fit.over_time.clients"), "count"),
                 Column("sessions", ctx.t("fit.over_time.sessions"), "count"),
                 Column("started", ctx.t("fit.over_time.started"), "count"),
                 Column("intake_ors", ctx.t("fit.over_time.intake_ors"), "mean"),
                 Column("with_srs", ctx.t("fit.over_time.with_srs"), "count"),
                 Column("srs_below_pct", ctx.t("fit.over_time.srs_below_pct", cutoff=ctx.number(cutoff)), "pct"),
                 Column("ended", ctx.t("fit.over_time.ended"), "count"),
                 Column("planned_pct", ctx.t("fit.over_time.planned_pct"), "pct")],
        rows=rows, n=n_sessions,
        definition=ctx.t("fit.over_time.definition", cutoff=ctx.number(cutoff)),
    ))
    section.items.append(Chart(
        id=f"{fit.table_prefix}.fit.over_time.chart", kind="line", title=ctx.t("fit.over_time.chart_title"),
        description=ctx.t(f"fit.over_time.chart_description_{step}"), axis_label=ctx.t("common.share_axis"),
        x_labels=[part.label for part in parts],
        series=[(ctx.t("fit.over_time.series_srs_below", cutoff=ctx.number(cutoff)), srs_cells, None, None),
                (ctx.t("fit.over_time.series_planned"), planned_cells, None, None)],
        y_range=(0.0, 100.0), note=ctx.t("fit.over_time.chart_note"), n=n_sessions,
    ))

