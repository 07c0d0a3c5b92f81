"""Jämfört med föregående år: a model's headline figures this period beside the same period a year earlier."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from isu_engine.analyse.context import AnalysisConfig
from isu_engine.analyse.results import Cell, Column, Table, text
from isu_engine.configure.config import Period


@dataclass(frozen=True)
class YearRow:
    """One figure this period and a year earlier; `current` None means the figure does not apply ("–")."""

    label: str
    current: Cell | None
    previous: Cell | None
    decimals: int = 1
    current_n: Cell | None = None
    previous_n: Cell | None = None


def period_name(period: Period) -> str:
    """"2025" for a calendar year, else the period's dates."""
    whole_year = (period.start.month, period.start.day, period.end.month, period.end.day) == (1, 1, 12, 31)
    return str(period.start.year) if whole_year and period.start.year == period.end.year else period.label()


def year_change(current: Cell, previous: Cell, decimals: int) -> Cell:
    """Current minus previous, resting on both (so hidden with either)."""
    value = None if current.value is None or previous.value is None else current.value - previous.value
    return Cell(value, "number", depends=current.keys + previous.keys, decimals=decimals)


def previous_year_table(ctx: AnalysisConfig, *, table_id: str, title: str, rows: list[YearRow], figure_heading: str,
                        change_heading: str, change_id: str = "change", n_heading: Callable[[str], str] | None = None,
                        definition: str | None = None, note: str | None = None) -> Table:
    """The table: figure, this period, (its n,) the period a year earlier, (its n,) and the change.

    With `n_heading` (the heading of a period's n column, given the period's name) each period
    also shows the number its figure rests on.
    """
    names = period_name(ctx.period), period_name(ctx.previous_period())
    columns = [Column("figure", figure_heading)]
    for column_id, name in (("current", names[0]), ("previous", names[1])):
        columns.append(Column(column_id, name, "number"))
        if n_heading is not None:
            columns.append(Column(f"{column_id}_n", n_heading(name), "count"))
    columns.append(Column(change_id, change_heading, "number"))
    return Table(id=table_id, title=title, columns=columns, rows=[_cells(row, n_heading is not None) for row in rows],
                 definition=definition, note=note)


def _cells(row: YearRow, with_n: bool) -> list[Cell]:
    if row.current is None or row.previous is None:
        return [text(row.label), *(text("–") for _ in range(5 if with_n else 3))]
    current, previous = [row.current], [row.previous]
    if with_n:
        current.append(text("") if row.current_n is None else row.current_n)
        previous.append(text("") if row.previous_n is None else row.previous_n)
    return [text(row.label), *current, *previous, year_change(row.current, row.previous, row.decimals)]
