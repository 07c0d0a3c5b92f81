"""Jämfört med föregående år: the headline figures of this period beside those of the same period a year earlier."""

from __future__ import annotations

from isu_engine.api import Paragraph, Section, YearRow, in_period, period_name, previous_year_table

from .headline import Headline, headline
from .inputs import FitInputs


def build_previous_year(section: Section, fit: FitInputs) -> None:
    ctx = fit.ctx
    previous = ctx.previous_period()
    names = (period_name(ctx.period), period_name(previous))
    section.intro = ctx.t("fit.previous_year.intro", current=names[0], previous=names[1])
    if not in_period(fit.sessions["session_date"], previous).any():
        section.items.append(Paragraph.plain(ctx.t("fit.previous_year.no_data", previous=names[1])))
        return
    now: list[Headline] = headline(fit, fit.current)
    before: list[Headline] = headline(fit, fit.episodes(previous))
    rows = [YearRow(ctx.t(f"fit.headline.{a.key}"), a.cell, b.cell, a.decimals)
            for a, b in zip(now, before, strict=True)]
    section.items.append(previous_year_table(
        ctx, table_id=f"{fit.table_prefix}.fit.previous_year", rows=rows,
        title=ctx.t("fit.previous_year.table_title", previous=names[1]),
        figure_heading=ctx.t("fit.previous_year.figure"), change_id="difference",
        change_heading=ctx.t("fit.previous_year.difference"),
        definition=ctx.t("fit.previous_year.definition") + " " + ctx.t("year_on_year.definition"),
    ))
