"""The section "Jämfört med föregående år": the headline figures of this period beside the same
period one year earlier, when the data has cases active then."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from isu_engine.configure.config import Period
from isu_engine.analyse.results import Cell, Column, Paragraph, Section, Table, text
from isu_engine.analyse.year_on_year import difference, noise

from .cases import START
from .compilation import Compilation
from .figures import PeriodFigures

HEADLINE = ("n_cases", "n_cases_ended", "ended_as_planned_pct", "goal_attained_pct",
            "idea.target_group_pct", "idea.intervention_pct")


def period_label(period: Period) -> str:
    """"2025" for a calendar year, else the dates."""
    whole_year = period.start == dt.date(period.start.year, 1, 1) and period.end == dt.date(period.start.year, 12, 31)
    return str(period.start.year) if whole_year else period.label()


def build_previous_year(section: Section, comp: Compilation) -> None:
    ctx = comp.ctx
    previous_period = ctx.previous_period()
    section.intro = ctx.t("loke.previous.intro")
    before = comp.previous
    if before is None:
        section.items.append(Paragraph.plain(ctx.t("loke.previous.not_covered", period=period_label(previous_period))))
        return
    now = comp.current
    rows = [_row(comp, figure, now, before) for figure in HEADLINE]
    section.items.append(Table(
        id=f"{comp.name}.previous_year", title=ctx.t("loke.previous.table_title"),
        columns=[Column("figure", ctx.t("loke.previous.figure")),
                 Column("current", period_label(ctx.period), "number"),
                 Column("current_n", ctx.t("loke.previous.n", period=period_label(ctx.period)), "count"),
                 Column("previous", period_label(previous_period), "number"),
                 Column("previous_n", ctx.t("loke.previous.n", period=period_label(previous_period)), "count"),
                 Column("change", ctx.t("loke.previous.change"), "number"),
                 Column("noise", ctx.t("year_on_year.column"))],
        rows=rows, note=ctx.t("loke.previous.note") + " " + ctx.t("year_on_year.definition"),
    ))
    first_start = comp.data.frame[START].min()
    if first_start > pd.Timestamp(previous_period.start):
        section.items.append(Paragraph.plain(ctx.t("loke.previous.partial", date=first_start.date().isoformat())))


def _row(comp: Compilation, figure: str, now: PeriodFigures, before: PeriodFigures) -> list[Cell]:
    ctx = comp.ctx
    label = text(ctx.t(f"loke.figure.{figure.replace('.', '_')}"))
    if figure.startswith("idea.") and comp.idea is None:
        return [label, *(text("–") for _ in range(6))]
    (current, current_n), (previous, previous_n) = now.figure(figure), before.figure(figure)
    change = difference(current, previous, 1 if current.kind == "pct" else 0)
    blank = text("")
    return [label, current, current_n if current_n is not None else blank,
            previous, previous_n if previous_n is not None else blank, change, noise(change, ctx.t)]
