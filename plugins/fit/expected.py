"""Lokal förväntad utveckling: the unit's own expected ORS trajectory by intake level, and who is on track."""

from __future__ import annotations

import pandas as pd

from isu_engine.analyse.generic import cutoffs_by_rules
from isu_engine.configure.model import Scale
from isu_engine.analyse.results import Cell, Chart, Column, KeyFigure, KeyFigures, Section, Table, text

from .episodes import up_to
from .inputs import FitInputs
from .trajectory import Trajectory, expected_trajectory, on_track

ADULT = {"instrument": "ORS", "age": 18}   # the intake that the reference line's cutoff is taken for


def band_label(ctx, bands: list[list[float]], index: int) -> str:
    low, high = bands[index]
    key = "fit.trajectory.band_last" if index == len(bands) - 1 else "fit.trajectory.band"
    return ctx.t(key, low=f"{low:g}", high=f"{high:g}")


def adult_cutoff(ors: Scale) -> float | None:
    """The ORS cutoff for an adult on the ORS (the trajectory chart's reference line), if the scale has one."""
    cutoff = ors.cutoff
    if cutoff is None or cutoff.kind not in ("rules", "number"):
        return None
    if cutoff.kind == "number":
        return float(cutoff.value)
    names = {name for rule in cutoff.rules for name in rule.when}
    intake = pd.DataFrame({name: [ADULT.get(name)] for name in names}, dtype=object)
    value = cutoffs_by_rules(cutoff, intake).iloc[0]
    return None if pd.isna(value) else float(value)


def build_trajectory(section: Section, fit: FitInputs) -> None:
    ctx, tally, pop = fit.ctx, fit.tally, fit.populations
    bands = [list(map(float, band)) for band in fit.parameters["intake_bands"]]
    sessions_count = int(fit.parameters["trajectory_sessions"])
    section.intro = ctx.t("fit.trajectory.intro", end=ctx.period.end.isoformat())
    trajectory = expected_trajectory(up_to(fit.sessions, ctx.period.end), bands, sessions_count, ctx.min_cell)
    outside = trajectory.bands.isna().to_numpy()
    ctx.exclude(ctx.t("fit.trajectory.title"), ctx.t("fit.trajectory.excluded_outside"), pop.trajectory,
                trajectory.bands.index[outside])
    labels = [band_label(ctx, bands, i) for i in range(len(bands))]
    total = tally.total(pop.trajectory, trajectory.bands.index[~outside])
    points = _point_cells(fit, trajectory, labels)
    section.items.append(_chart(fit, trajectory, labels, points, total))
    section.items.append(_table(fit, trajectory, labels, points, total))
    flags = on_track(trajectory, fit.current.paired).dropna()
    yes, assessed, pct = tally.indicator(pop.on_track, "on_track", flags)
    section.items.append(KeyFigures([
        KeyFigure("fit.on_track_pct", ctx.t("fit.trajectory.on_track_pct"), pct,
                  ctx.t("fit.trajectory.on_track_definition", sessions=sessions_count)),
    ]))
    section.items.append(Table(
        id=f"{fit.table_prefix}.fit.on_track", title=ctx.t("fit.trajectory.on_track_title"),
        columns=[Column("measure", ctx.t("common.measure")), Column("n", ctx.t("common.count"), "count"),
                 Column("pct", ctx.t("common.share"), "pct")],
        rows=[[text(ctx.t("fit.trajectory.on_track_row")), yes, pct]], n=assessed,
        definition=ctx.t("fit.trajectory.on_track_definition", sessions=sessions_count),
    ))


def _point_cells(fit: FitInputs, trajectory: Trajectory, labels: list[str]) -> dict[tuple[int, int], dict[str, Cell]]:
    """Per (band, ORS number): the episodes with that ORS (n), and the median and quartiles of their scores."""
    tally, pop = fit.tally, fit.populations
    scores = trajectory.scores["score"]
    positions = scores.groupby([trajectory.scores["band"], trajectory.scores["number"]]).indices
    cells = {}
    for band, number in zip(trajectory.points["band"], trajectory.points["number"]):
        values = scores.iloc[positions.get((band, number), [])]
        n = tally.count(pop.trajectory, values.index, [("intake_band", labels[band]), ("ors_number", int(number))])
        cells[(band, number)] = {"n": n, **{key: tally.quantile(values, n, q, variable="ors_total")
                                            for key, q in (("median", 0.5), ("q1", 0.25), ("q3", 0.75))}}
    return cells


def _chart(fit: FitInputs, trajectory: Trajectory, labels: list[str], points: dict, total: Cell) -> Chart:
    ctx = fit.ctx
    numbers = range(1, trajectory.max_number + 1)
    series = [(label, [points[(i, k)]["median"] for k in numbers], [points[(i, k)]["q1"] for k in numbers],
               [points[(i, k)]["q3"] for k in numbers]) for i, label in enumerate(labels)]
    cutoff = adult_cutoff(fit.ors)
    reference = [(cutoff, ctx.t("fit.trajectory.reference", cutoff=f"{cutoff:g}"))] if cutoff is not None else []
    return Chart(
        id=f"{fit.table_prefix}.fit.trajectory.chart", kind="line", title=ctx.t("fit.trajectory.chart_title"),
        description=ctx.t("fit.trajectory.chart_description"), axis_label=ctx.t("fit.trajectory.axis"),
        x_labels=[str(k) for k in numbers], series=series, reference_lines=reference, y_range=(0.0, 40.0),
        note=ctx.t("fit.trajectory.chart_note", min_cell=fit.ctx.min_cell), n=total,
    )


def _table(fit: FitInputs, trajectory: Trajectory, labels: list[str], points: dict, total: Cell) -> Table:
    ctx = fit.ctx
    rows = [[text(labels[band]), Cell(int(number), "number", decimals=0), *(points[(band, number)][key]
             for key in ("n", "median", "q1", "q3"))]
            for band, number in zip(trajectory.points["band"], trajectory.points["number"])]
    return Table(
        id=f"{fit.table_prefix}.fit.trajectory", title=ctx.t("fit.trajectory.table_title"),
        columns=[Column("band", ctx.t("fit.trajectory.band_column")),
                 Column("number", ctx.t("fit.trajectory.number_column"), "number"),
                 Column("n", ctx.t("fit.trajectory.n_column"), "count"),
                 Column("median", ctx.t("common.median"), "number"), Column("q1", ctx.t("common.q1"), "number"),
                 Column("q3", ctx.t("common.q3"), "number")],
        rows=rows, n=total, long=True, definition=ctx.t("fit.trajectory.table_definition"),
    )
