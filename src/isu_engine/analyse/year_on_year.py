"""This period beside the same period a year earlier: each difference with its 95 % interval.

A share's or an effect size's difference gets the interval of the difference of two estimates
from their own intervals (`stats.proportions.difference_interval`); shares of sessions bring
their design-effect-adjusted intervals, so the difference counts clients, not sessions. The
two periods share clients, which makes the interval err on the wide side. A count has no
interval: it is every case of the unit, not a sample.
"""

from __future__ import annotations

from isu_engine.analyse.results import Cell
from isu_engine.analyse.tabulate import difference as tabulated_difference
from isu_engine.stats.proportions import difference_interval


def _has_interval(cell: Cell) -> bool:
    return cell.value is not None and cell.low is not None and cell.high is not None


def difference(current: Cell, previous: Cell, decimals: int) -> Cell:
    """Current minus previous, with an interval when both have one; hidden when either is."""
    value = None if current.value is None or previous.value is None else float(current.value) - float(previous.value)
    low = high = None
    if value is not None and _has_interval(current) and _has_interval(previous):
        low, high = difference_interval(float(current.value), current.low, current.high,
                                        float(previous.value), previous.low, previous.high)
    return tabulated_difference(current, previous, value, decimals, low, high)


def noise(difference_cell: Cell, t) -> Cell:
    """Whether a difference is within chance variation (its interval holds 0) — as text, hidden with the
    difference; empty for a difference without an interval."""
    if not _has_interval(difference_cell):
        word = ""
    else:
        within = difference_cell.low <= 0.0 <= difference_cell.high
        word = t("year_on_year.within_noise" if within else "year_on_year.beyond_noise")
    return Cell(value=word, kind="text", figure=difference_cell.figure)
