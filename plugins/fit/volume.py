"""Omfattning: clients, sessions and episodes of the period, how episodes ended, measure completion."""

from __future__ import annotations

import numpy as np
import pandas as pd

from isu_engine.api import Column, KeyFigure, KeyFigures, Section, Table, frequency_items, text

from .episodes import CLIENT_CODE, END_VALUES
from .inputs import FitInputs
from .session_shares import SessionShare, session_share

# Sessions per client: (upper bound of the band, code); the bands are 1, 2, 3–5, 6–10, 11–20, 21+.
SESSION_BANDS = ((1, "1"), (2, "2"), (5, "3–5"), (10, "6–10"), (20, "11–20"), (np.inf, "21+"))


def sessions_band(counts: pd.Series) -> pd.Series:
    """Each count of sessions as its band code (1, 2, 3–5, 6–10, 11–20, 21+)."""
    bins = [0, *(upper for upper, _ in SESSION_BANDS)]
    return pd.cut(counts, bins=bins, labels=[code for _, code in SESSION_BANDS]).astype(object)


def build_volume(section: Section, fit: FitInputs) -> None:
    ctx, tally, pop = fit.ctx, fit.tally, fit.populations
    current = fit.current
    sessions, episodes = current.sessions, current.episodes
    section.intro = ctx.t("fit.volume.intro", period=ctx.period.label())
    per_client = current.sessions_per_client()
    clients = per_client.index
    n_clients = tally.total(pop.clients, clients)
    n_sessions = tally.total(pop.sessions, sessions.index)
    n_episodes = tally.total(pop.episodes, episodes.index)
    paired_clients = episodes.loc[current.paired.index, CLIENT_CODE].to_numpy()
    two_plus, _, two_plus_pct = tally.indicator(pop.clients, "ors_two_plus",
                                                pd.Series(clients.isin(paired_clients), index=clients))
    median = tally.quantile(per_client, n_clients, 0.5, variable="sessions_per_client")
    completion = {name: session_share(fit, pop.sessions, name, sessions[column].notna(), sessions[CLIENT_CODE])
                  for name, column in (("has_ors", "ors_total"), ("has_srs", "srs_total"))}
    ors_pct, srs_pct = completion["has_ors"].pct, completion["has_srs"].pct
    section.items.append(KeyFigures([
        KeyFigure("n_clients", ctx.t("fit.volume.n_clients"), n_clients, ctx.t("fit.volume.n_clients_definition")),
        KeyFigure("n_sessions", ctx.t("fit.volume.n_sessions"), n_sessions, ctx.t("fit.volume.n_sessions_definition")),
        KeyFigure("fit.n_episodes", ctx.t("fit.volume.n_episodes"), n_episodes,
                  ctx.t("fit.volume.n_episodes_definition")),
        KeyFigure("n_clients_2plus", ctx.t("fit.volume.n_clients_2plus"), two_plus,
                  ctx.t("fit.volume.n_clients_2plus_definition")),
        KeyFigure("fit.clients_2plus_pct", ctx.t("fit.volume.clients_2plus_pct"), two_plus_pct,
                  ctx.t("fit.volume.clients_2plus_pct_definition"), shown=False),
        KeyFigure("fit.sessions_per_client_median", ctx.t("fit.volume.median_sessions"), median,
                  ctx.t("fit.volume.median_sessions_definition")),
        KeyFigure("fit.ors_completion_pct", ctx.t("fit.volume.ors_completion"), ors_pct,
                  ctx.t("fit.volume.ors_completion_definition"), shown=False),
        KeyFigure("fit.srs_completion_pct", ctx.t("fit.volume.srs_completion"), srs_pct,
                  ctx.t("fit.volume.srs_completion_definition"), shown=False),
    ]))
    section.items.append(_completion_table(fit, completion, n_sessions))
    prefix = fit.table_prefix
    section.items.extend(frequency_items(
        ctx, table_id=f"{prefix}.fit.episode_end", title=ctx.t("fit.volume.episode_end_title"),
        population=pop.episodes, variable="episode_end", values=episodes["end"],
        categories=[(value, ctx.t(f"fit.episode_end.{value}")) for value in END_VALUES],
        definition=ctx.t("fit.volume.episode_end_definition")))
    section.items.extend(frequency_items(
        ctx, table_id=f"{prefix}.fit.sessions_per_client", title=ctx.t("fit.volume.sessions_per_client_title"),
        population=pop.clients, variable="sessions_band", values=sessions_band(per_client),
        categories=[(code, code) for _, code in SESSION_BANDS],
        definition=ctx.t("fit.volume.sessions_per_client_definition")))


def _completion_table(fit: FitInputs, completion: dict[str, SessionShare], n_sessions) -> Table:
    """Sessions with an ORS and with an SRS total (the same cells as the completion figures)."""
    ctx = fit.ctx
    rows = [[text(ctx.t(f"fit.volume.{name}")), share.yes, share.pct, share.design_effect]
            for name, share in completion.items()]
    return Table(
        id=f"{fit.table_prefix}.fit.completion", title=ctx.t("fit.volume.completion_title"),
        columns=[Column("measure", ctx.t("common.measure")), Column("n", ctx.t("fit.volume.sessions_with"), "count"),
                 Column("pct", ctx.t("fit.volume.share_of_sessions"), "pct"),
                 Column("design_effect", ctx.t("fit.design_effect"), "number")],
        rows=rows, n=n_sessions, definition=ctx.t("fit.volume.completion_definition"),
    )
