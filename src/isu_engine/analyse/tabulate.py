"""Counting for reports: every count goes through here, into the run's disclosure ledger.

A count's key is (dataset, population, conditions): the population names the units
counted ("cases_active", "clients", "sessions" …) and the conditions narrow them
(("gender", "flicka"), ("ended_as_planned", True) …). The same statistical cell
gets the same key wherever it is shown. Each distribution is registered with its
missing category and the equation total = sum of categories, so disclosure
control sees complementary categories and totals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np
import pandas as pd

from isu_engine.protect.disclosure import Ledger
from isu_engine.analyse.results import Cell
from isu_engine.stats.proportions import wilson_interval

MISSING = None


def conditions_key(conditions: Iterable[tuple[str, Any]]) -> tuple:
    """Conditions in a stable order, so the same cell always gets the same key."""
    return tuple(sorted(((str(k), v) for k, v in conditions), key=lambda kv: (kv[0], repr(kv[1]))))


def _plain(value: Any) -> Any:
    """Values as plain Python objects (numpy scalars and NA normalised) for stable keys."""
    if value is None or (not isinstance(value, (str, bool, tuple)) and pd.isna(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


@dataclass(frozen=True)
class Category:
    """One row of a distribution: its value, label and count cell."""

    value: Any
    label: str
    count: Cell
    pct: Cell


class Tally:
    """Registers the counts of one dataset in the run's ledger and hands out cells."""

    def __init__(self, ledger: Ledger, dataset: str):
        self.ledger = ledger
        self.dataset = dataset

    def key(self, population: str, conditions: Iterable[tuple[str, Any]] = ()) -> tuple:
        return (self.dataset, population, conditions_key(conditions))

    def count(self, population: str, value: int, conditions: Iterable[tuple[str, Any]] = (),
              published: bool = True) -> Cell:
        """A registered count as a cell."""
        key = self.ledger.count(self.key(population, conditions), int(value), published=published)
        return Cell(value=int(value), kind="count", count_key=key)

    def total(self, population: str, n: int, conditions: Iterable[tuple[str, Any]] = ()) -> Cell:
        return self.count(population, n, conditions)

    def distribution(self, population: str, variable: str, values: pd.Series,
                     categories: list[tuple[Any, str]], missing_label: str,
                     conditions: Iterable[tuple[str, Any]] = (), published: bool = True) -> tuple[list[Category], Cell]:
        """Counts of each category (plus missing) among `values`, one per unit, with shares of the total."""
        conditions = list(conditions)
        counts = values.value_counts(dropna=True)
        known = [value for value, _ in categories]
        rows: list[Category] = []
        part_keys = []
        total = self.count(population, len(values), conditions, published)
        for value, label in categories:
            n = int(counts.get(value, 0))
            cell = self.count(population, n, [*conditions, (variable, _plain(value))], published)
            part_keys.append(cell.count_key)
            rows.append(Category(value, label, cell, self.pct(cell, total)))
        unexpected = int(values.notna().sum() - counts.reindex(known).fillna(0).sum())
        if unexpected:
            raise ValueError(f"{variable}: {unexpected} values outside the categories given")
        n_missing = int(values.isna().sum())
        missing_cell = self.count(population, n_missing, [*conditions, (variable, MISSING)], published)
        part_keys.append(missing_cell.count_key)
        if n_missing:
            rows.append(Category(MISSING, missing_label, missing_cell, self.pct(missing_cell, total)))
        self.ledger.equation(total.count_key, part_keys)
        return rows, total

    def subset(self, population: str, variable: str, values: pd.Series, accepted: Iterable[Any],
               name: str, conditions: Iterable[tuple[str, Any]] = ()) -> Cell:
        """The count of units whose value is in `accepted` (e.g. assessed cases), tied to its categories."""
        conditions = list(conditions)
        accepted = list(accepted)
        parts = []
        for value in accepted:
            n = int((values == value).sum())
            parts.append(self.count(population, n, [*conditions, (variable, _plain(value))], published=False).count_key)
        total = self.count(population, int(values.isin(accepted).sum()), [*conditions, (variable, ("in", name))])
        self.ledger.equation(total.count_key, parts)
        return total

    def indicator(self, population: str, name: str, flags: pd.Series,
                  conditions: Iterable[tuple[str, Any]] = (), publish_total: bool = True) -> tuple[Cell, Cell, Cell]:
        """A yes/no indicator (NA = not assessed): cells for yes, assessed and the share of yes.

        The count of all units (assessed or not) is registered as published unless
        `publish_total` is False (when only the assessed units are shown).
        """
        conditions = list(conditions)
        flags = flags.astype("boolean")
        yes = int(flags.sum(skipna=True))
        no = int((flags == False).sum())  # noqa: E712 - element-wise on a nullable column
        missing = int(flags.isna().sum())
        all_units = self.count(population, len(flags), conditions, publish_total)
        yes_cell = self.count(population, yes, [*conditions, (name, True)])
        no_cell = self.count(population, no, [*conditions, (name, False)], published=False)
        missing_cell = self.count(population, missing, [*conditions, (name, MISSING)], published=False)
        assessed = self.count(population, yes + no, [*conditions, (name, ("assessed",))])
        self.ledger.equation(assessed.count_key, [yes_cell.count_key, no_cell.count_key])
        self.ledger.equation(all_units.count_key, [assessed.count_key, missing_cell.count_key])
        return yes_cell, assessed, self.pct(yes_cell, assessed)

    @staticmethod
    def pct(part: Cell, whole: Cell, decimals: int = 1) -> Cell:
        """The share part/whole in percent with its 95 % Wilson interval."""
        k, n = part.value, whole.value
        if not n:
            return Cell(value=None, kind="pct", count_key=part.count_key, base_key=whole.count_key, decimals=decimals)
        low, high = wilson_interval(k, n)
        return Cell(value=100.0 * k / n, kind="pct", count_key=part.count_key, base_key=whole.count_key,
                    decimals=decimals, low=100.0 * float(low), high=100.0 * float(high))

    @staticmethod
    def mean(values: pd.Series, n_cell: Cell, decimals: int = 1, kind: str = "mean") -> Cell:
        """A mean (or other summary) that is shown only when its n is shown."""
        values = values.dropna().astype(float)
        value = float(values.mean()) if len(values) else None
        return Cell(value=value, kind=kind, base_key=n_cell.count_key, decimals=decimals)

    @staticmethod
    def statistic(value: float | None, n_cell: Cell, decimals: int = 1, kind: str = "number") -> Cell:
        """Any figure computed from n units (median, SD, effect size) shown only when n is."""
        value = None if value is None or (isinstance(value, float) and np.isnan(value)) else float(value)
        return Cell(value=value, kind=kind, base_key=n_cell.count_key, decimals=decimals)


def apply_hidden(cells: Iterable[Cell], hidden: frozenset | set) -> int:
    """Mark cells hidden when a key they rest on is hidden; returns how many cells were hidden."""
    count = 0
    for cell in cells:
        if any(key in hidden for key in cell.keys):
            if not cell.hidden and cell.value is not None:
                count += 1
            cell.hidden = True
    return count

