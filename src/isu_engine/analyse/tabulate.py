"""The tabulation API: the only way an analysis makes a number it may publish (DESIGN §2).

Every count is made from its units — the index of the cases, episodes, clients or sessions
it counts — within a `Population` (which kind of unit, and which set of them, e.g. the
episodes with a session in 2025). Conditions name what selects the units within the
population (``gender = flicka``). Shares, means, quantiles and statistics are made from
counts. Each result is a `Cell` holding its `Figure`: disclosure control later reads the
records of everything a run prints, derives how the numbers relate, and decides what to
hide. Analyses never say how counts relate and never decide what is hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Iterable, Sequence
from typing import Any, Final

import numpy as np
import pandas as pd

from isu_engine.analyse.results import Cell
from isu_engine.protect.records import (
    COUNT, DIFFERENCE, MEAN, QUANTILE, SHARE, STATISTIC, TEST, Figure, Records, conditions_key, plain,
)
from isu_engine.stats.proportions import wilson_interval

MISSING = None
MAX_LEVELS = 20          # a whole-number variable with at most this many values gives its mean's equation
QUANTILE_METHOD: Final = "linear"   # Hyndman & Fan type 7, as pandas and R compute by default


@dataclass(frozen=True)
class Population:
    """A set of units of one kind: `kind` (cases, episodes, clients, sessions …) and the set's name."""

    kind: str
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Category:
    """One row of a distribution: its value, label and count cell."""

    value: Any
    label: str
    count: Cell
    pct: Cell


def unit_keys(units: Any) -> pd.Index:
    """The unit keys of `units`: an Index, or the index of a Series or DataFrame."""
    if isinstance(units, (pd.Series, pd.DataFrame)):
        return units.index
    return units if isinstance(units, pd.Index) else pd.Index(units)


def category_rows(values: pd.Series, known: Sequence[Any], variable: str) -> tuple[list[np.ndarray], np.ndarray]:
    """Which rows of `values` hold each value of `known` (in that order), and which are missing.

    A value that is present but not in `known` is an error. Values are matched as a dict matches
    its keys, once per distinct value.
    """
    codes, uniques = pd.factorize(values)
    position: dict[Any, int] = {}
    for number, value in enumerate(known):
        position.setdefault(value, number)
    # each distinct value's category number, -2 outside them; the last entry is for missing values (code -1)
    numbers = np.array([position.get(value, -2) for value in uniques] + [-1], dtype=np.int64)[codes]
    outside = numbers == -2
    if outside.any():
        raise ValueError(f"{variable}: {int(outside.sum())} values outside the categories given")
    return [numbers == position[value] for value in known], numbers == -1


def yes_no(yes: np.ndarray, assessed: np.ndarray, index: pd.Index) -> pd.Series:
    """A yes/no indicator per unit (boolean, NA where not assessed) from two boolean arrays."""
    return pd.Series(pd.arrays.BooleanArray(np.asarray(yes, dtype=bool), ~np.asarray(assessed, dtype=bool)),
                     index=index)


def yes_and_assessed(flags: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Per unit of a yes/no indicator (NA = not assessed): whether it is yes, and whether it is assessed."""
    if flags.dtype == bool:
        yes = flags.to_numpy()
        return yes, np.ones(len(yes), dtype=bool)
    array = (flags if isinstance(flags.dtype, pd.BooleanDtype) else flags.astype("boolean")).array
    return array.to_numpy(dtype=bool, na_value=False), ~np.asarray(array.isna())


class Tally:
    """Makes the figures of one dataset: counts from units, and what is computed from them."""

    def __init__(self, records: Records, dataset: str):
        self.records = records
        self.dataset = dataset

    # Counts -------------------------------------------------------------------------------

    def persons(self, kind: str, person_of_unit: pd.Series) -> None:
        """Say which person stands behind each unit of `kind` (e.g. the client of each session)."""
        self.records.universe(self.dataset, kind).set_persons(person_of_unit)

    def count(self, population: Population, units: Any, conditions: Iterable[tuple[str, Any]] = (),
              always_shown: bool = False) -> Cell:
        """The number of `units` (the units of `population` that meet `conditions`).

        `always_shown` is for the few counts a contract publishes exactly whatever they are (the valid
        rows of a dataset in report.json): disclosure control never hides them and protects the
        other counts around them instead.
        """
        universe = self.records.universe(self.dataset, population.kind)
        return self._count_at(population, universe.positions(unit_keys(units)), conditions, always_shown)

    def counts(self, requests: Sequence[tuple[Population, Any, Iterable[tuple[str, Any]]]]) -> list[Cell]:
        """`count` of each (population, units, conditions) in turn, the units of each kind looked up together."""
        positions: list[np.ndarray] = [np.empty(0, dtype=np.int64)] * len(requests)
        by_kind: dict[str, list[int]] = {}
        for number, (population, _, _) in enumerate(requests):
            by_kind.setdefault(population.kind, []).append(number)
        for kind, numbers in by_kind.items():
            universe = self.records.universe(self.dataset, kind)
            found = universe.positions_of_sets([unit_keys(requests[number][1]) for number in numbers])
            for number, at in zip(numbers, found, strict=True):
                positions[number] = at
        return [self._count_at(population, at, conditions)
                for (population, _, conditions), at in zip(requests, positions, strict=True)]

    def counts_of_parts(self, population: Population, keys: pd.Index,
                         parts: Sequence[tuple[np.ndarray, Iterable[tuple[str, Any]]]]) -> list[Cell]:
        """One count per (mask, conditions): the units `keys[mask]` (the rows of a table over one set of units),
        looked up in one pass."""
        universe = self.records.universe(self.dataset, population.kind)
        positions = universe.positions_of_parts(keys, [mask for mask, _ in parts])
        return [self._count_at(population, at, conditions)
                for at, (_, conditions) in zip(positions, parts, strict=True)]

    def _count_at(self, population: Population, positions: np.ndarray, conditions: Iterable[tuple[str, Any]],
                  always_shown: bool = False) -> Cell:
        universe = self.records.universe(self.dataset, population.kind)
        conditions = conditions_key(conditions)
        figure = Figure(kind=COUNT, dataset=self.dataset, population=population.name, unit_kind=population.kind,
                        conditions=conditions, universe=universe, units=positions, value=len(positions),
                        fingerprint=universe.fingerprint(positions),
                        always_shown=always_shown)
        figure = self.records.add((self.dataset, population.kind, population.name, conditions), figure)
        return Cell(value=figure.value, kind="count", figure=figure)

    def total(self, population: Population, units: Any) -> Cell:
        """The number of units in the population."""
        return self.count(population, units)

    def distribution(self, population: Population, variable: str, values: pd.Series,
                     categories: Sequence[tuple[Any, str]], missing_label: str,
                     conditions: Iterable[tuple[str, Any]] = ()) -> tuple[list[Category], Cell]:
        """Counts of each category (and of missing values) among `values`, one per unit, with shares.

        The missing row is included when any value is missing.
        """
        conditions = list(conditions)
        holders, missing = category_rows(values, [value for value, _ in categories], variable)
        parts = [(np.ones(len(values), dtype=bool), conditions)]
        parts.extend((inside, [*conditions, (variable, plain(value))])
                     for inside, (value, _) in zip(holders, categories, strict=True))
        labelled = list(categories)
        if missing.any():
            parts.append((missing, [*conditions, (variable, MISSING)]))
            labelled.append((MISSING, missing_label))
        total, *cells = self.counts_of_parts(population, values.index, parts)
        rows = [Category(value, label, cell, self.pct(cell, total))
                for (value, label), cell in zip(labelled, cells, strict=True)]
        for row in rows:              # the rows are every unit of the total (a reader sees the table is whole)
            figure = row.count.figure
            assert figure is not None, "a count has its figure"
            figure.part_of, figure.parts = total.figure, len(rows)
        return rows, total

    def subset(self, population: Population, variable: str, values: pd.Series, accepted: Iterable[Any],
               name: str, conditions: Iterable[tuple[str, Any]] = ()) -> Cell:
        """The count of units whose value is one of `accepted` (e.g. the assessed cases)."""
        inside = values.isin(list(accepted)).fillna(False).to_numpy(dtype=bool)
        [cell] = self.counts_of_parts(population, values.index, [(inside, [*conditions, (variable, ("in", name))])])
        return cell

    def indicator(self, population: Population, name: str, flags: pd.Series,
                  conditions: Iterable[tuple[str, Any]] = ()) -> tuple[Cell, Cell, Cell]:
        """A yes/no indicator per unit (NA = not assessed): cells for yes, assessed, and the share of yes."""
        yes, assessed = yes_and_assessed(flags)
        [cells] = self.indicators(population, name, flags.index, [(yes, assessed, conditions)])
        return cells

    def indicators(self, population: Population, name: str, units: pd.Index,
                   parts: Sequence[tuple[np.ndarray, np.ndarray, Iterable[tuple[str, Any]]]],
                   ) -> list[tuple[Cell, Cell, Cell]]:
        """`indicator` of several parts of `units` (e.g. each group and the rest of it), looked up together: each
        part is (which units are yes, which are assessed, conditions), as boolean masks over `units`."""
        masks = []
        for yes, assessed, conditions in parts:
            conditions = list(conditions)
            masks += [(yes, [*conditions, (name, True)]), (assessed, [*conditions, (name, ("assessed",))])]
        counted = self.counts_of_parts(population, units, masks)
        pairs = zip(counted[::2], counted[1::2], strict=True)
        return [(yes_cell, assessed_cell, self.pct(yes_cell, assessed_cell)) for yes_cell, assessed_cell in pairs]

    # Figures computed from counts -----------------------------------------------------------

    def pct(self, part: Cell, whole: Cell, decimals: int = 1, interval: bool = True) -> Cell:
        """The share part/whole in percent, with its 95 % Wilson interval unless `interval` is False."""
        k, n = part.value, whole.value
        figure = self._derived(SHARE, (part.figure, whole.figure), None, None,
                               None if not n or k is None else 100.0 * k / n)
        if figure.value is None or not interval:
            return Cell(value=figure.value, kind="pct", decimals=decimals, figure=figure)
        low, high = wilson_interval(k, n)
        return Cell(value=figure.value, kind="pct", decimals=decimals, low=100.0 * float(low),
                    high=100.0 * float(high), figure=figure)

    def mean(self, values: pd.Series, n_cell: Cell, decimals: int = 1, kind: str = "mean",
             variable: str | None = None) -> Cell:
        """The mean of `values` (one per unit, missing left out) over the units `n_cell` counts."""
        values = values.dropna().astype(float)
        self._check_units(values, n_cell)
        figure = self._derived(MEAN, (n_cell.figure,), variable or str(values.name), "mean",
                               float(values.mean()) if len(values) else None)
        figure.levels = self._levels(values, n_cell)
        return Cell(value=figure.value, kind=kind, decimals=decimals, figure=figure)

    def quantile(self, values: pd.Series, n_cell: Cell, q: float, decimals: int = 1,
                 variable: str | None = None) -> Cell:
        """A quantile of `values` (linear interpolation, Hyndman & Fan type 7) over the units `n_cell` counts."""
        values = values.dropna().astype(float)
        self._check_units(values, n_cell)
        value = float(values.quantile(q, interpolation=QUANTILE_METHOD)) if len(values) else None
        figure = self._derived(QUANTILE, (n_cell.figure,), variable or str(values.name), f"q{q:g}", value)
        return Cell(value=value, kind="number", decimals=decimals, figure=figure)

    def statistic(self, value: float | None, n_cell: Cell, decimals: int = 1, kind: str = "number",
                  name: str | None = None, variable: str | None = None) -> Cell:
        """Any other figure computed from the units `n_cell` counts (an SD, an effect size, a median)."""
        value = None if value is None or (isinstance(value, float) and np.isnan(value)) else float(value)
        figure = self._derived(STATISTIC, (n_cell.figure,), variable, name or kind, value)
        return Cell(value=value, kind=kind, decimals=decimals, figure=figure)

    def difference(self, first: Cell, second: Cell, value: float | None, decimals: int = 1) -> Cell:
        """A difference between two figures (e.g. percentage points between a group and the rest)."""
        return difference(first, second, value, decimals)

    def test(self, value: float | None, counts: Iterable[Cell], name: str, decimals: int = 3) -> Cell:
        """A test result (a p- or q-value) computed from the given counts."""
        value = None if value is None or pd.isna(value) else float(value)
        figure = self._derived(TEST, tuple(c.figure for c in counts), None, name, value)
        return Cell(value=value, kind="number", decimals=decimals, figure=figure)

    # ---------------------------------------------------------------------------------------

    def _derived(self, kind: str, inputs: tuple, variable: str | None, statistic: str | None, value) -> Figure:
        inputs = tuple(f for f in inputs if f is not None)
        first = inputs[0] if inputs else None
        figure = Figure(kind=kind, dataset=self.dataset, population=first.population if first else "",
                        unit_kind=first.unit_kind if first else "", conditions=first.conditions if first else (),
                        variable=variable, statistic=statistic, inputs=inputs, value=value)
        self.records.derived.append(figure)
        return figure

    @staticmethod
    def _check_units(values: pd.Series, n_cell: Cell) -> None:
        if n_cell.figure is None or len(values) != n_cell.figure.value:
            raise ValueError(f"{values.name}: {len(values)} values, but their count says "
                             f"{None if n_cell.figure is None else n_cell.figure.value}")

    @staticmethod
    def _levels(values: pd.Series, n_cell: Cell) -> dict | None:
        """For a whole-number variable with few values: the units of each value (a reader's equation)."""
        if not len(values) or not np.all(np.mod(values.to_numpy(), 1) == 0):
            return None
        distinct = np.unique(values.to_numpy())
        if len(distinct) > MAX_LEVELS:
            return None
        universe = n_cell.figure.universe if n_cell.figure is not None else None
        assert universe is not None, "a count has its universe"
        numbers = values.to_numpy()
        return dict(zip((float(v) for v in distinct),
                        universe.positions_of_parts(values.index, [numbers == v for v in distinct]), strict=True))


def shown_test(value: float | None, based_on: Iterable[Cell], decimals: int = 3) -> Cell:
    """A test result computed after disclosure control over the shown tests (a q-value).

    It is hidden when anything it is based on is hidden, like every other derived figure.
    """
    inputs = tuple(c.figure for c in based_on if c.figure is not None)
    value = None if value is None or pd.isna(value) else float(value)
    figure = Figure(kind=TEST, dataset=inputs[0].dataset if inputs else "", population=inputs[0].population if inputs
                    else "", unit_kind=inputs[0].unit_kind if inputs else "", statistic="q", inputs=inputs, value=value)
    figure.published = True
    figure.hidden = any(f.hidden for f in inputs)
    return Cell(value=value, kind="number", decimals=decimals, figure=figure)


def difference(first: Cell, second: Cell, value: float | None, decimals: int = 1, low: float | None = None,
               high: float | None = None) -> Cell:
    """A difference between two figures (a group and the rest, this year and the last), hidden with either."""
    value = None if value is None or pd.isna(value) else float(value)
    inputs = tuple(c.figure for c in (first, second) if c.figure is not None)
    first_figure = inputs[0] if inputs else None
    figure = Figure(kind=DIFFERENCE, dataset=first_figure.dataset if first_figure else "",
                    population=first_figure.population if first_figure else "",
                    unit_kind=first_figure.unit_kind if first_figure else "",
                    conditions=first_figure.conditions if first_figure else (), statistic="difference",
                    inputs=inputs, value=value)
    return Cell(value=value, kind="number", decimals=decimals, low=low, high=high, figure=figure)
