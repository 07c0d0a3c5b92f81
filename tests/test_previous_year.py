"""The previous-year table every model uses: period names, the change and its disclosure."""

from __future__ import annotations

import datetime as dt

from isu_engine.analyse.year_on_year import YearRow, _cells, difference, period_name
import pandas as pd

from isu_engine.analyse.results import Cell
from isu_engine.analyse.tabulate import Population, Tally
from isu_engine.protect.protection import Settings, protect
from isu_engine.protect.records import Records
from isu_engine.configure.config import Period


def test_a_calendar_year_is_named_by_its_year_and_other_periods_by_their_dates():
    assert period_name(Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))) == "2025"
    assert period_name(Period(dt.date(2025, 7, 1), dt.date(2026, 6, 30))) != "2025"


def test_the_change_is_current_minus_previous_and_rests_on_both():
    records = Records()
    tally = Tally(records, "d")
    current = tally.count(Population("rows", "cases@2025"), pd.RangeIndex(12))
    previous = tally.count(Population("rows", "cases@2024"), pd.RangeIndex(100, 109))
    change = difference(current, previous, 0)
    assert change.value == 3 and change.figure.inputs == (current.figure, previous.figure)
    protect(records, [change.figure], Settings(min_cell=5))
    assert not change.hidden
    small = tally.count(Population("rows", "cases@2023"), pd.RangeIndex(200, 203))
    hidden_change = difference(current, small, 0)
    protect(records, [hidden_change.figure], Settings(min_cell=5))
    assert small.hidden and hidden_change.hidden and hidden_change.value is None
    assert difference(Cell(60.0, "pct"), Cell(59.5, "pct"), 1).value == 0.5
    assert difference(Cell(None, "pct"), Cell(59.5, "pct"), 1).value is None


def test_a_figure_that_does_not_apply_is_a_row_of_dashes():
    def t(key, **params):
        return key

    assert [cell.value for cell in _cells(YearRow("idea", None, None), True, t)] == ["idea", *["–"] * 6]
    assert len(_cells(YearRow("n", Cell(1, "count"), Cell(2, "count")), False, t)) == 5
