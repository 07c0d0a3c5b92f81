"""The section "Jämfört med föregående år": the headline figures of this period beside the same
period one year earlier, when the data has cases active then."""

from __future__ import annotations

import pandas as pd

from isu_engine.api import Paragraph, Section, YearRow, period_name, previous_year_table

from .cases import START
from .compilation import Compilation
from .figures import PeriodFigures

HEADLINE = ("n_cases", "n_cases_ended", "ended_as_planned_pct", "goal_attained_pct",
            "idea.target_group_pct", "idea.intervention_pct")


def build_previous_year(section: Section, comp: Compilation) -> None:
    ctx = comp.ctx
    previous_period = ctx.previous_period()
    section.intro = ctx.t("loke.previous.intro")
    before = comp.previous
    if before is None:
        section.items.append(Paragraph.plain(ctx.t("loke.previous.not_covered", period=period_name(previous_period))))
        return
    now = comp.current
    section.items.append(previous_year_table(
        ctx, table_id=f"{comp.name}.previous_year", title=ctx.t("loke.previous.table_title"),
        rows=[_row(comp, figure, now, before) for figure in HEADLINE], figure_heading=ctx.t("loke.previous.figure"),
        change_heading=ctx.t("loke.previous.change"), n_heading=lambda period: ctx.t("loke.previous.n", period=period),
        note=ctx.t("loke.previous.note") + " " + ctx.t("year_on_year.definition"),
    ))
    first_start = comp.data.frame[START].min()
    if first_start > pd.Timestamp(previous_period.start):
        section.items.append(Paragraph.plain(ctx.t("loke.previous.partial", date=first_start.date().isoformat())))


def _row(comp: Compilation, figure: str, now: PeriodFigures, before: PeriodFigures) -> YearRow:
    label = comp.ctx.t(f"loke.figure.{figure.replace('.', '_')}")
    if figure.startswith("idea.") and comp.idea is None:
        return YearRow(label, None, None)
    (current, current_n), (previous, previous_n) = now.figure(figure), before.figure(figure)
    return YearRow(label, current, previous, 1 if current.kind == "pct" else 0, current_n, previous_n)
