"""Jämfört med föregående år: the headline figures of this period beside those of the same period a year earlier."""

from __future__ import annotations

from isu_engine.configure.config import Period
from isu_engine.analyse.context import in_period
from isu_engine.analyse.results import Column, Paragraph, Section, Table, text
from isu_engine.analyse.year_on_year import difference, noise

from .headline import Headline, headline
from .inputs import FitInputs


def period_name(period: Period) -> str:
    """"2025" for a calendar year, else the period's dates."""
    whole_year = (period.start.month, period.start.day, period.end.month, period.end.day) == (1, 1, 12, 31)
    return str(period.start.year) if whole_year and period.start.year == period.end.year else period.label()


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
    rows = []
    for a, b in zip(now, before):
        change = difference(a.cell, b.cell, a.decimals)
        rows.append([text(ctx.t(f"fit.headline.{a.key}")), a.cell, b.cell, change, noise(change, ctx.t)])
    section.items.append(Table(
        id=f"{fit.table_prefix}.fit.previous_year", title=ctx.t("fit.previous_year.table_title", previous=names[1]),
        columns=[Column("figure", ctx.t("fit.previous_year.figure")), Column("current", names[0], "number"),
                 Column("previous", names[1], "number"), Column("difference", ctx.t("fit.previous_year.difference"), "number"),
                 Column("noise", ctx.t("year_on_year.column"))],
        rows=rows, definition=ctx.t("fit.previous_year.definition") + " " + ctx.t("year_on_year.definition"),
    ))
