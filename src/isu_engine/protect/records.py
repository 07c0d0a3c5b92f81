"""What every published number rests on: its records (DESIGN §2).

A `Figure` is one number a run may publish — a count, a share, a mean, a quantile, a
statistic, a test — with its definition: the dataset, the population of units it is about
(cases, episodes, clients, sessions …), the conditions that select the units (e.g.
``gender = flicka``), for a value statistic the variable, and the figures it is computed
from. A count also holds its exact units, as positions in its `Universe` (every unit of
one kind in one dataset), so disclosure control can derive every relation between counts
from the records themselves: nothing is declared by hand.

Figures are made only by the tabulation API (`isu_engine.analyse.tabulate`); plugins never
see this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

MASK64 = (1 << 64) - 1

COUNT = "count"
SHARE = "share"
MEAN = "mean"
QUANTILE = "quantile"
STATISTIC = "statistic"
DIFFERENCE = "difference"
TEST = "test"


def plain(value: Any) -> Any:
    """A condition value as a plain Python object (numpy scalars and NA normalised)."""
    if value is None or (not isinstance(value, (str, bool, tuple, list)) and pd.isna(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list):
        return tuple(plain(v) for v in value)
    if isinstance(value, tuple):
        return tuple(plain(v) for v in value)
    return value


def conditions_key(conditions: Iterable[tuple[str, Any]]) -> tuple:
    """Conditions in a stable order, so the same cell always gets the same key."""
    return tuple(sorted(((str(k), plain(v)) for k, v in conditions), key=lambda kv: (kv[0], repr(kv[1]))))


class Universe:
    """Every unit of one kind in one dataset (its cases, episodes, sessions …), numbered as first counted.

    Units are known by the keys the analyses use (row labels, episode keys, client codes);
    a figure's units are kept as sorted positions into this numbering. A universe can know
    the person behind each unit (the client of a session), for the rule that session-level
    figures need `min_cell` distinct persons.
    """

    def __init__(self, dataset: str, kind: str) -> None:
        self.dataset = dataset
        self.kind = kind
        self.index = pd.Index([])
        self._persons = np.empty(0, dtype=np.int64)
        self._person_keys = pd.Index([])
        seed = np.frombuffer(f"{dataset}\x1f{kind}".encode().ljust(8, b"\0")[:8], dtype=np.uint64)[0]
        self._random = np.random.default_rng(int(seed) ^ len(dataset) ^ (len(kind) << 32))
        self._weights = np.empty(0, dtype=np.uint64)

    def __len__(self) -> int:
        return len(self.index)

    @property
    def has_persons(self) -> bool:
        return bool(len(self._persons)) and bool((self._persons >= 0).any())

    def lookup(self, keys: pd.Index) -> np.ndarray:
        """The position of each key, in the order given, numbering keys seen for the first time."""
        keys = pd.Index(keys)
        found = self._found(keys)
        self._number(keys, found, found < 0)
        return found

    def positions(self, keys: pd.Index) -> np.ndarray:
        """The sorted positions of `keys` (each key once)."""
        return np.sort(self.lookup(keys))

    def positions_of_parts(self, keys: pd.Index, parts: Iterable[np.ndarray]) -> list[np.ndarray]:
        """The sorted positions of `keys[part]` for each boolean mask in `parts`.

        The same as calling `positions` on each part in turn (new keys are numbered in that
        order), but the keys are looked up once: a table's rows are all parts of one index.
        """
        keys = pd.Index(keys)
        found = self._found(keys)
        result = []
        for part in parts:
            part = np.asarray(part, dtype=bool)
            self._number(keys, found, (found < 0) & part)
            result.append(np.sort(found[part]))
        return result

    def positions_of_sets(self, key_sets: Sequence[pd.Index]) -> list[np.ndarray]:
        """The sorted positions of each set of keys: the same as calling `positions` on each set in turn
        (new keys are numbered in that order), but every distinct key is looked up once."""
        if len(key_sets) <= 1:
            return [self.positions(keys) for keys in key_sets]
        keys = key_sets[0].append(list(key_sets[1:]))
        codes, distinct = pd.factorize(keys, use_na_sentinel=False)   # distinct keys in order of first appearance
        sizes = [len(keys) for keys in key_sets]
        in_set = np.repeat(np.arange(len(key_sets)), sizes) * len(distinct) + codes
        if len(np.unique(in_set)) < len(in_set):
            self._duplicate()
        found = self._known(distinct)
        self._number(distinct, found, found < 0)
        return [np.sort(part) for part in np.split(found[codes], np.cumsum(sizes)[:-1])]

    def _found(self, keys: pd.Index) -> np.ndarray:
        """The position of each key, -1 for keys not yet numbered.

        `keys` is an Index of the universe's own (`pd.Index(keys)` of the caller's): the hash table the duplicate
        check builds is kept with the Index, and must not stay with a frame's index (30 MB at a million rows).
        """
        if keys.has_duplicates:
            self._duplicate()
        return self._known(keys)

    def _known(self, keys: pd.Index) -> np.ndarray:
        """The position of each of the distinct `keys`, -1 for keys not yet numbered."""
        if not len(keys) or not len(self.index):
            return np.full(len(keys), -1, dtype=np.int64)
        return self.index.get_indexer(keys).astype(np.int64, copy=False)

    def _duplicate(self) -> None:
        raise ValueError(f"{self.dataset}/{self.kind}: a count was given the same unit twice")

    def _number(self, keys: pd.Index, found: np.ndarray, new: np.ndarray) -> None:
        """Number the keys marked `new`, in their order, after every key numbered before."""
        count = int(new.sum())
        if not count:
            return
        start = len(self.index)
        self.index = self.index.append(keys[new]) if start else keys[new]
        found[new] = np.arange(start, start + count)
        self._persons = np.concatenate([self._persons, np.full(count, -1, dtype=np.int64)])
        self._weights = np.concatenate([self._weights, self._random.integers(
            0, np.iinfo(np.uint64).max, size=count, dtype=np.uint64, endpoint=True)])

    def set_persons(self, person_of_unit: pd.Series) -> None:
        """Record the person behind each unit (index: unit keys; values: person keys)."""
        positions = self.lookup(person_of_unit.index)
        values = pd.Index(person_of_unit.to_numpy())
        known = self._person_keys.get_indexer(values) if len(self._person_keys) else np.full(len(values), -1)
        new = pd.Index(values[(known < 0) & values.notna()]).unique()
        if len(new):
            self._person_keys = self._person_keys.append(new) if len(self._person_keys) else new
            known = self._person_keys.get_indexer(values)
        self._persons[positions] = np.where(values.isna(), -1, known)

    def n_persons(self, positions: np.ndarray) -> int | None:
        """How many distinct persons stand behind the units; None when persons are not known."""
        if not self.has_persons:
            return None
        persons = self._persons[positions]
        persons = persons[persons >= 0]
        if len(persons) * 8 < len(self._person_keys):        # few units: sorting them is cheaper
            return int(np.unique(persons).size)
        return int(np.count_nonzero(np.bincount(persons, minlength=len(self._person_keys))))

    def fingerprint(self, positions: np.ndarray) -> tuple[int, int]:
        """(size, XOR of random weights): equal sets give equal fingerprints, different ones almost never."""
        total = int(np.bitwise_xor.reduce(self._weights[positions])) if len(positions) else 0
        return len(positions), total & MASK64


@dataclass(eq=False)
class Figure:
    """One number a run may publish, with its definition and what it rests on.

    `kind` is count, share, mean, quantile, statistic, difference or test. A count has
    `units` (positions in `universe`); every other figure has `inputs`, the counts (or other
    figures) it is computed from. `published` is False for counts that are never printed
    but that a reader can work out (they are protected like printed ones). `hidden` is set
    once, by disclosure control.
    """

    kind: str
    dataset: str
    population: str
    unit_kind: str
    conditions: tuple = ()
    variable: str | None = None
    statistic: str | None = None
    inputs: tuple[Figure, ...] = ()
    universe: Universe | None = None
    units: np.ndarray | None = None
    value: Any = None
    levels: dict | None = None           # a mean of a whole-number variable: value -> unit positions
    published: bool = True
    hidden: bool = False
    reason: str | None = None            # why hidden: "small", "secondary", "derived", "unproven" …
    always_shown: bool = False            # a count a contract publishes exactly (never hidden)
    part_of: Figure | None = None        # a row of a distribution: its rows add up to this total
    parts: int = 0                         # … and how many rows the distribution has
    fingerprint: tuple[int, int] | None = field(default=None, repr=False)

    @property
    def id(self) -> str:
        """A stable name of the figure: dataset, population, conditions, variable and statistic."""
        parts = [self.dataset, self.unit_kind, self.population]
        if self.conditions:
            parts.append(" & ".join(f"{name}={_text(value)}" for name, value in self.conditions))
        if self.kind != COUNT:
            parts.append(f"{self.kind}:{self.statistic or ''}:{self.variable or ''}")
            parts.append("(" + ", ".join(f.id for f in self.inputs) + ")")
        return " | ".join(parts)

    def counts(self) -> Iterator[Figure]:
        """Every count this figure rests on (itself for a count)."""
        if self.kind == COUNT:
            yield self
        for figure in self.inputs:
            yield from figure.counts()

    def definition(self) -> dict:
        """The figure's definition for report.json: never row-level data, never the value of a hidden count."""
        entry: dict[str, Any] = {"kind": self.kind, "dataset": self.dataset, "units": self.unit_kind,
                                 "population": self.population,
                                 "conditions": [[name, _json(value)] for name, value in self.conditions]}
        if self.variable is not None:
            entry["variable"] = self.variable
        if self.statistic is not None:
            entry["statistic"] = self.statistic
        if self.inputs:
            entry["inputs"] = [f.id for f in self.inputs]
        if self.part_of is not None:
            entry["part_of"] = {"total": self.part_of.id, "rows": self.parts}
        return entry


def _text(value: Any) -> str:
    if value is None:
        return "∅"
    if isinstance(value, tuple):
        return "(" + ",".join(_text(v) for v in value) + ")"
    return str(value)


def _json(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_json(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


class Records:
    """Every figure of one run and the universes their units live in."""

    def __init__(self) -> None:
        self.universes: dict[tuple[str, str], Universe] = {}
        self.figures: dict[tuple, Figure] = {}
        self.derived: list[Figure] = []

    def universe(self, dataset: str, kind: str) -> Universe:
        key = (dataset, kind)
        if key not in self.universes:
            self.universes[key] = Universe(dataset, kind)
        return self.universes[key]

    def add(self, key: tuple, figure: Figure) -> Figure:
        """Keep `figure` under `key`; the same key again must describe the same units and value."""
        known = self.figures.get(key)
        if known is None:
            self.figures[key] = figure
            return figure
        if known.kind == COUNT and (known.fingerprint != figure.fingerprint or known.value != figure.value):
            raise ValueError(f"the count {known.id} was made twice with different units "
                             f"({known.value} and {figure.value})")
        known.published = known.published or figure.published
        known.always_shown = known.always_shown or figure.always_shown
        return known

    def counts(self) -> list[Figure]:
        return [f for f in self.figures.values() if f.kind == COUNT]
