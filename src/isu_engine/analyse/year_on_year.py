"""This period beside the same period a year earlier: each difference with its 95 % interval.

A share's or an effect size's difference gets the interval of the difference of two estimates
from their own intervals (`stats.proportions.difference_interval`); shares of sessions bring
their design-effect-adjusted intervals, so the difference counts clients, not sessions. The
two periods share clients, which makes the interval err on the wide side. A count has no
interval: it is every case of the unit, not a sample. `previous_year_table` is the table
every model's "Jämfört med föregående år" shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from isu_engine.analyse.context import AnalysisConfig
from isu_engine.analyse.results import Cell, Column, Table, text
from isu_engine.analyse.tabulate import difference as tabulated_difference
from isu_engine.configure.config import Period
from isu_engine.stats.proportions import difference_interval


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


def _interval(cell: Cell) -> tuple[float, float] | None:
    """The cell's interval (low, high), when it has a value and both ends."""
    if cell.value is None or cell.low is None or cell.high is None:
        return None
    return cell.low, cell.high


def difference(current: Cell, previous: Cell, decimals: int) -> Cell:
    """Current minus previous, with an interval when both have one; hidden when either is."""
    value = None if current.value is None or previous.value is None else float(current.value) - float(previous.value)
    low = high = None
    now, before = _interval(current), _interval(previous)
    if value is not None and now is not None and before is not None:
        low, high = difference_interval(float(current.value), *now, float(previous.value), *before)
    return tabulated_difference(current, previous, value, decimals, low, high)


def noise(difference_cell: Cell, t) -> Cell:
    """Whether a difference is within chance variation (its interval holds 0) — as text, hidden with the
    difference; empty for a difference without an interval."""
    interval = _interval(difference_cell)
    if interval is None:
        word = ""
    else:
        within = interval[0] <= 0.0 <= interval[1]
        word = t("year_on_year.within_noise" if within else "year_on_year.beyond_noise")
    return Cell(value=word, kind="text", figure=difference_cell.figure)


def previous_year_table(ctx: AnalysisConfig, *, table_id: str, title: str, rows: list[YearRow], figure_heading: str,
                        change_heading: str, change_id: str = "change", n_heading: Callable[[str], str] | None = None,
                        definition: str | None = None, note: str | None = None) -> Table:
    """The table: figure, this period, (its n,) the period a year earlier, (its n,) the change and
    whether it is beyond chance variation.

    With `n_heading` (the heading of a period's n column, given the period's name) each period
    also shows the number its figure rests on.
    """
    names = period_name(ctx.period), period_name(ctx.previous_period())
    columns = [Column("figure", figure_heading)]
    for column_id, name in (("current", names[0]), ("previous", names[1])):
        columns.append(Column(column_id, name, "number"))
        if n_heading is not None:
            columns.append(Column(f"{column_id}_n", n_heading(name), "count"))
    columns += [Column(change_id, change_heading, "number"), Column("noise", ctx.t("year_on_year.column"))]
    return Table(id=table_id, title=title, columns=columns,
                 rows=[_cells(row, n_heading is not None, ctx.t) for row in rows], definition=definition, note=note)


def _cells(row: YearRow, with_n: bool, t) -> list[Cell]:
    if row.current is None or row.previous is None:
        return [text(row.label), *(text("–") for _ in range(6 if with_n else 4))]
    current, previous = [row.current], [row.previous]
    if with_n:
        current.append(text("") if row.current_n is None else row.current_n)
        previous.append(text("") if row.previous_n is None else row.previous_n)
    change = difference(row.current, row.previous, row.decimals)
    return [text(row.label), *current, *previous, change, noise(change, t)]
