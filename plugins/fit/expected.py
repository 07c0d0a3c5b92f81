"""Lokal förväntad utveckling: the unit's own expected ORS trajectory per instrument and intake level, and
who is on track. How each instrument's trajectory was made (earlier ended episodes, or leave-one-episode-out)
is shown beside it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from isu_engine.api import (Cell, Chart, Column, KeyFigure, KeyFigures, Population, Scale, Section, Table, Tally,
                            cutoffs_by_rules, text)

from .episodes import up_to
from .inputs import FitInputs
from .trajectory import CELL, HISTORY, Trajectory, expected_trajectory, on_track

ADULT_AGE = 18                 # the age the ORS reference line's cutoff is taken for
MIN_PER_CELL = 20              # the default of the model setting trajectory_min_per_cell


def band_label(ctx, bands: list[list[float]], index: int) -> str:
    low, high = bands[index]
    key = "fit.trajectory.band_last" if index == len(bands) - 1 else "fit.trajectory.band"
    return ctx.t(key, low=ctx.number(low), high=ctx.number(high))


def reference_cutoff(ors: Scale, instrument: str) -> float | None:
    """The clinical cutoff of an instrument (for the ORS: an adult's), the chart's reference line; None when
    the scale gives none (YCORS)."""
    cutoff = ors.cutoff
    if cutoff is None or cutoff.kind not in ("rules", "number"):
        return None
    if cutoff.kind == "number":
        return float(cutoff.value)
    names = {name for rule in cutoff.rules for name in rule.when}
    intake = {"instrument": instrument, "age": ADULT_AGE if instrument == "ORS" else None}
    value = cutoffs_by_rules(cutoff, pd.DataFrame({name: [intake.get(name)] for name in names}, dtype=object)).iloc[0]
    return None if pd.isna(value) else float(value)


def build_trajectory(section: Section, fit: FitInputs) -> None:
    ctx, tally, pop = fit.ctx, fit.tally, fit.populations
    bands = [list(map(float, band)) for band in fit.parameters["intake_bands"]]
    sessions_count = int(fit.parameters["trajectory_sessions"])
    min_n = int(fit.parameters.get("trajectory_min_per_cell", MIN_PER_CELL))
    section.intro = ctx.t("fit.trajectory.intro", start=ctx.period.start.isoformat(), end=ctx.period.end.isoformat(),
                          min_n=min_n)
    trajectory = expected_trajectory(up_to(fit.sessions, ctx.period.end), bands, sessions_count, min_n,
                                     ctx.period.start)
    ctx.exclude(ctx.t("fit.trajectory.title"), ctx.t("fit.trajectory.excluded_outside"), pop.trajectory,
                trajectory.outside)
    labels = [band_label(ctx, bands, i) for i in range(len(bands))]
    points = _point_cells(fit, trajectory, labels)
    totals = _reference_totals(fit, trajectory)
    for instrument in trajectory.method:
        chart = _chart(fit, trajectory, instrument, labels, points, totals[instrument])
        if chart is not None:
            section.items.append(chart)
    section.items.append(_table(fit, trajectory, labels, points))
    section.items.append(_reference_table(fit, trajectory, totals, min_n))
    current = fit.current
    flags = on_track(trajectory, current.paired, current.episodes.loc[current.paired.index, "instrument"]).dropna()
    yes, assessed, pct = tally.indicator(pop.on_track, "on_track", flags)
    definition = ctx.t("fit.trajectory.on_track_definition", sessions=sessions_count)
    section.items.append(KeyFigures([KeyFigure("fit.on_track_pct", ctx.t("fit.trajectory.on_track_pct"), pct,
                                               definition)]))
    section.items.append(Table(
        id=f"{fit.table_prefix}.fit.on_track", title=ctx.t("fit.trajectory.on_track_title"),
        columns=[Column("measure", ctx.t("common.measure")), Column("n", ctx.t("common.count"), "count"),
                 Column("pct", ctx.t("common.share"), "pct")],
        rows=[[text(ctx.t("fit.trajectory.on_track_row")), yes, pct]], n=assessed, definition=definition,
    ))


def _population(fit: FitInputs, trajectory: Trajectory, instrument: str) -> Population:
    pop = fit.populations
    return pop.trajectory_history if trajectory.method[instrument] == HISTORY else pop.trajectory


def _point_cells(fit: FitInputs, trajectory: Trajectory, labels: list[str]) -> dict[tuple, dict[str, Cell]]:
    """Per (instrument, band, ORS number): the reference episodes with that ORS (n), and, where there are at
    least min_n, the median of their scores with the bounds of its interval (resting on the median, so
    hidden with it)."""
    rows = trajectory.rows
    scores = pd.Series(rows["score"].to_numpy(), index=pd.Index(rows["episode"].to_numpy()), name="ors_total")
    positions = scores.groupby([rows[c].to_numpy() for c in CELL]).indices
    empty = np.empty(0, dtype=np.int64)
    # the rows of the points frame (instrument, band, number, n, median, low, high): one per cell of the table
    points: list[Any] = list(trajectory.points.itertuples(index=False))
    at = [np.asarray(positions.get((point.instrument, point.band, point.number), empty)) for point in points]
    counts = fit.tally.counts([
        (_population(fit, trajectory, point.instrument), scores.index[rows_at],
         [("instrument", point.instrument), ("intake_band", labels[point.band]), ("ors_number", int(point.number))])
        for point, rows_at in zip(points, at, strict=True)])
    return {(point.instrument, point.band, point.number): {"n": n, **_median_cells(fit.tally, scores, cell, n, point)}
            for point, cell, n in zip(points, at, counts, strict=True)}


def _median_cells(tally: Tally, scores: pd.Series, at: np.ndarray, n: Cell, point) -> dict[str, Cell]:
    """The median of a trajectory point (its reference scores are `scores` at `at`) and the bounds of its 95 %
    interval; empty cells where the point has fewer than min_n episodes (the trajectory gives no median there)
    or no interval."""
    if pd.isna(point.median):
        return {key: Cell(None, "number", decimals=1) for key in ("median", "low", "high")}
    median = tally.quantile(scores.iloc[at], n, 0.5, variable="ors_total")
    bounds = {key: tally.statistic(getattr(point, key), median, name=f"median_{key}", variable="ors_total")
              if pd.notna(getattr(point, key)) else Cell(None, "number", decimals=1) for key in ("low", "high")}
    return {"median": median, **bounds}


def _reference_totals(fit: FitInputs, trajectory: Trajectory) -> dict[str, Cell]:
    """The reference episodes of each instrument (with an intake band)."""
    reference = trajectory.reference["instrument"]
    return {instrument: fit.tally.count(_population(fit, trajectory, instrument),
                                        reference.index[(reference == instrument).to_numpy()],
                                        [("instrument", instrument)])
            for instrument in trajectory.method}


def _chart(fit: FitInputs, trajectory: Trajectory, instrument: str, labels: list[str], points: dict,
           total: Cell) -> Chart | None:
    """One instrument's expected ORS per band: the median with its 95 % interval as the band; None when
    no point has enough episodes."""
    ctx = fit.ctx
    numbers = range(1, trajectory.max_number + 1)
    if all(points[(instrument, band, k)]["median"].value is None for band in range(len(labels)) for k in numbers):
        return None
    series = [(label, [points[(instrument, i, k)]["median"] for k in numbers],
               [points[(instrument, i, k)]["low"] for k in numbers],
               [points[(instrument, i, k)]["high"] for k in numbers]) for i, label in enumerate(labels)]
    cutoff = reference_cutoff(fit.ors, instrument)
    reference = [] if cutoff is None else [(cutoff, ctx.t(
        "fit.trajectory.reference_adult" if instrument == "ORS" else "fit.trajectory.reference",
        cutoff=ctx.number(cutoff), instrument=instrument))]
    return Chart(
        id=f"{fit.table_prefix}.fit.trajectory.{instrument}.chart", kind="line",
        title=ctx.t("fit.trajectory.chart_title", instrument=instrument),
        description=ctx.t("fit.trajectory.chart_description", instrument=instrument),
        axis_label=ctx.t("fit.trajectory.axis"), x_labels=[str(k) for k in numbers], series=series,
        reference_lines=reference, y_range=(0.0, 40.0),
        note=ctx.t("fit.trajectory.chart_note", min_n=trajectory.min_n), n=total,
    )


def _table(fit: FitInputs, trajectory: Trajectory, labels: list[str], points: dict) -> Table:
    """The points that have a median (at least min_n episodes). The number of episodes behind each point is
    not printed: the drop from one measurement to the next would count the few who stopped coming."""
    ctx = fit.ctx
    rows = [[text(instrument), text(labels[band]), Cell(int(number), "number", decimals=0),
             *(points[(instrument, band, number)][key] for key in ("median", "low", "high"))]
            for instrument, band, number, median in zip(trajectory.points["instrument"], trajectory.points["band"],
                                                        trajectory.points["number"], trajectory.points["median"],
                                                        strict=True)
            if pd.notna(median)]
    return Table(
        id=f"{fit.table_prefix}.fit.trajectory", title=ctx.t("fit.trajectory.table_title"),
        columns=[Column("instrument", ctx.t("fit.trajectory.instrument_column")),
                 Column("band", ctx.t("fit.trajectory.band_column")),
                 Column("number", ctx.t("fit.trajectory.number_column"), "number"),
                 Column("median", ctx.t("common.median"), "number"),
                 Column("low", ctx.t("fit.trajectory.low_column"), "number"),
                 Column("high", ctx.t("fit.trajectory.high_column"), "number")],
        rows=rows, long=True, definition=ctx.t("fit.trajectory.table_definition", min_n=trajectory.min_n),
    )


def _reference_table(fit: FitInputs, trajectory: Trajectory, totals: dict[str, Cell], min_n: int) -> Table:
    """How each instrument's trajectory was made, and from how many episodes."""
    ctx = fit.ctx
    start = ctx.period.start.isoformat()
    rows = [[text(instrument), text(ctx.t(f"fit.trajectory.method.{method}", start=start, min_n=min_n)),
             totals[instrument]] for instrument, method in trajectory.method.items()]
    return Table(
        id=f"{fit.table_prefix}.fit.trajectory.reference", title=ctx.t("fit.trajectory.reference_title"),
        columns=[Column("instrument", ctx.t("fit.trajectory.instrument_column")),
                 Column("method", ctx.t("fit.trajectory.method_column")),
                 Column("n", ctx.t("fit.trajectory.reference_n"), "count")],
        rows=rows, definition=ctx.t("fit.trajectory.reference_definition"),
    )
