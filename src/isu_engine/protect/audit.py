"""`isu audit`: what a reader can learn about hidden cells from published files alone (DESIGN §2, §5).

The audit reads only the `report.json` and `comparison.json` of one or more runs. Every
published figure carries its definition (dataset, kind of unit, population, conditions,
variable) and its value, or null when hidden. From the definitions alone the audit derives the
relations a reader can rely on:

- a count is at most any count whose conditions are a subset of its own (within a population);
- the rows of a distribution add up to its total (the definitions say which total a row is
  part of); the counts of one variable's values are at most the count without that condition
  (units without a value may be left out), and those of its known values add up to the count
  with the value "any";
- "not g" is "any" minus "g" (the rest of a group comparison); a "yes" is at most its "assessed";
- a share ties its numerator to its denominator; a mean of a whole-number variable with its
  distribution gives Σ value · count = mean · n.

The unknowns are the counts; each hidden count is bounded by linear programming (the reader's
relaxation, rounded inward to whole numbers). A hidden count whose bounds lie inside
1 … min_cell − 1 — including one pinned to such a value — is a finding. Figures of several
runs are one system: the same definition in two runs is the same count (overlapping periods
share populations only when their names, i.e. their periods, are the same).

Output files of runs made before definitions were published (no `published` block) are read
by their tables: distribution tables (category, n, pct with their total) and group
comparisons (each group, its n and share, the share of the rest, the total n).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Iterable
from typing import Any

import numpy as np

RUN_FILES = ("report.json", "comparison.json")
TOLERANCE = 1e-6        # room for the rounding of published floats


class NotARun(Exception):
    """The folder holds no output of an `isu report` or `isu compare` run."""


class Inconsistent(Exception):
    """The published figures contradict each other as the audit reads them: it cannot judge them."""


@dataclass
class Finding:
    """A hidden count a reader can bound inside 1 … min_cell − 1."""

    figure: str
    low: int
    high: int

    def line(self) -> str:
        bounds = str(self.low) if self.low == self.high else f"{self.low}–{self.high}"
        return f"{self.figure}: {bounds}"


@dataclass
class System:
    """The reader's unknown counts, what is known of them, and the relations between them."""

    names: dict[str, int] = field(default_factory=dict)
    known: dict[int, float] = field(default_factory=dict)
    equations: list[tuple[dict[int, float], float]] = field(default_factory=list)
    at_most: list[tuple[int, int]] = field(default_factory=list)     # (smaller, larger)
    at_least_zero: list[dict[int, float]] = field(default_factory=list)   # Σ coefficient · count ≥ 0
    hidden: set[int] = field(default_factory=set)

    def unknown(self, name: str) -> int:
        if name not in self.names:
            self.names[name] = len(self.names)
        return self.names[name]

    def count(self, name: str, value: float | None) -> int:
        index = self.unknown(name)
        if value is None:
            self.hidden.add(index)
        else:
            self.known[index] = float(value)
        return index

    def equal(self, terms: dict[int, float], value: float = 0.0) -> None:
        if terms:
            self.equations.append((terms, value))


def load_runs(folders: Iterable[Path]) -> tuple[list[dict], int]:
    """The JSON documents of the runs in `folders` and their min_cell (the largest)."""
    documents, min_cell = [], 1
    for folder in folders:
        found = [Path(folder) / name for name in RUN_FILES if (Path(folder) / name).is_file()]
        if not found:
            raise NotARun(str(folder))
        for path in found:
            try:
                document = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                raise NotARun(f"{path}: {error}") from None
            if not isinstance(document, dict) or not isinstance(document.get("datasets"), dict):
                raise NotARun(str(path))
            documents.append(document)
            min_cell = max(min_cell, int(document.get("disclosure", {}).get("min_cell", 1)))
    return documents, min_cell


def audit(folders: Iterable[Path], min_cell: int | None = None) -> tuple[list[Finding], int]:
    """Every hidden count of the runs a reader can bound inside 1 … min_cell − 1, and the min_cell used."""
    documents, published_min_cell = load_runs(folders)
    m = min_cell or published_min_cell
    system = System()
    for document in documents:
        for entry in document["datasets"].values():
            if isinstance(entry.get("published"), dict):
                _from_definitions(system, entry["published"])
            else:
                _from_tables(system, entry)
    return _findings(system, m), m


# --- the reader's relations from definitions ------------------------------------------------


def _from_definitions(system: System, published: dict[str, dict]) -> None:
    counts = {name: d for name, d in published.items() if d.get("kind") == "count"}
    for name, definition in counts.items():
        system.count(name, definition.get("value"))
    groups: dict[tuple, dict[frozenset, str]] = defaultdict(dict)
    for name, definition in counts.items():
        key = (definition["dataset"], definition["units"], definition["population"])
        groups[key][frozenset(_condition(c) for c in definition["conditions"])] = name
    for members in groups.values():
        _relations(system, members)
    parts: dict[tuple, list[int]] = defaultdict(list)   # a distribution's rows: the numbers of their counts
    for name, definition in counts.items():
        part_of = definition.get("part_of") or {}
        total = part_of.get("total")
        if total in counts:
            extra = {c[0] for c in definition["conditions"]} - {c[0] for c in counts[total]["conditions"]}
            parts[(total, tuple(sorted(extra)), part_of.get("rows"))].append(system.names[name])
    for (total, _, rows), row_counts in parts.items():   # a distribution's rows, all published: every unit of its total
        if len(row_counts) == rows:
            system.equal({system.names[total]: 1.0, **dict.fromkeys(row_counts, -1.0)})
    for definition in published.values():
        if definition.get("kind") == "share" and definition.get("value") is not None:
            inputs = definition.get("inputs", [])
            if len(inputs) == 2 and inputs[0] != inputs[1] and all(i in system.names for i in inputs):
                part, whole = system.names[inputs[0]], system.names[inputs[1]]
                system.equal({part: 1.0, whole: -float(definition["value"]) / 100.0})
        elif definition.get("kind") == "mean" and definition.get("value") is not None:
            _mean(system, definition, published, groups)


def _condition(pair: list) -> tuple:
    name, value = pair
    return name, tuple(value) if isinstance(value, list) else value


def _relations(system: System, members: dict[frozenset, str]) -> None:
    """Subsets, partitions by one variable, "not" and "assessed" within one population."""
    index = {conditions: system.unknown(name) for conditions, name in members.items()}
    for conditions, number in index.items():
        for other, other_number in index.items():
            if other < conditions:
                system.at_most.append((number, other_number))
    by_parent: dict[tuple, dict[Any, int]] = defaultdict(dict)
    for conditions, number in index.items():
        for name, value in conditions:
            rest = conditions - {(name, value)}
            by_parent[(rest, name)][value] = number
    for (rest, _variable), values in by_parent.items():
        plain = {v: n for v, n in values.items() if not isinstance(v, tuple) and v != "present" and v is not True
                 and v is not False}
        any_value = values.get(("any",))
        if any_value is not None and plain:
            system.equal({any_value: 1.0, **{n: -1.0 for v, n in plain.items() if v is not None}})
        parent = index.get(rest)
        if parent is not None and len(plain) >= 2:
            terms = {parent: 1.0, **dict.fromkeys(plain.values(), -1.0)}
            if None in plain:             # the units without a value are published too: the rows are all
                system.equal(terms)
            else:                         # they may be left out (a comparison's groups): the rows are at most
                system.at_least_zero.append(terms)
        for value, number in values.items():
            if isinstance(value, tuple) and len(value) == 2 and value[0] == "not" and any_value is not None \
                    and value[1] in values:
                system.equal({number: 1.0, any_value: -1.0, values[value[1]]: 1.0})
        assessed = values.get(("assessed",))
        if assessed is not None and True in values:
            system.at_most.append((values[True], assessed))
        present = values.get("present")
        if present is not None and plain:
            system.equal({present: 1.0, **{n: -1.0 for v, n in plain.items() if v is not None}})


def _mean(system: System, definition: dict, published: dict, groups) -> None:
    """Σ value · count = mean · n, when the counts of each value of the variable are published."""
    inputs = definition.get("inputs", [])
    if not inputs or inputs[0] not in published:
        return
    n_definition = published[inputs[0]]
    variable = definition.get("variable")
    conditions = frozenset(_condition(c) for c in n_definition["conditions"]) - {(variable, "present")}
    members = groups.get((n_definition["dataset"], n_definition["units"], n_definition["population"]), {})
    levels = {}
    for member, name in members.items():
        extra = member - conditions
        if len(extra) == 1 and member > conditions:
            (field_name, value), = extra
            if field_name == variable and isinstance(value, (int, float)) and not isinstance(value, bool):
                levels[float(value)] = system.names[name]
    if not levels:
        return
    n = system.names[inputs[0]]
    system.equal({**{number: value for value, number in levels.items()}, n: -float(definition["value"])})


# --- the reader's relations from the tables of older outputs --------------------------------


def _from_tables(system: System, entry: dict) -> None:
    for table in entry.get("tables", []):
        columns = table.get("column_ids") or []
        if columns[:4] == ["group", "n", "pct", "pct_rest"]:
            _comparison_table(system, table)
        elif len(columns) >= 3 and columns[1:3] == ["n", "pct"]:
            _distribution_table(system, table, columns)


def _distribution_table(system: System, table: dict, columns: list) -> None:
    """Rows that add up to the total (a table whose visible rows exceed it lists several values per unit)."""
    n_column = columns.index("n")
    parts = []
    for row in table.get("rows", []):
        label = str(row[0])
        parts.append(system.count(f"{table['id']}[{label}][n]", row[n_column]))
    visible = sum(row[n_column] for row in table.get("rows", []) if row[n_column] is not None)
    if table.get("n") is not None and len(parts) >= 2 and visible <= table["n"]:
        total = system.count(f"{table['id']}[total]", table["n"])
        system.equal({total: 1.0, **dict.fromkeys(parts, -1.0)})


def _comparison_table(system: System, table: dict) -> None:
    """Each group's n and share, the rest's share and the total n: the rest is the total minus the group."""
    table_id = table["id"]
    total = system.count(f"{table_id}[total]", table.get("n"))
    total_yes = system.unknown(f"{table_id}[total yes]")
    groups, yeses = [], []
    for group, n, pct, pct_rest, *_ in table.get("rows", []):
        label = str(group)
        size = system.count(f"{table_id}[{label}][n]", n)
        yes = system.count(f"{table_id}[{label}][yes]", None)
        rest = system.unknown(f"{table_id}[not {label}][n]")
        rest_yes = system.unknown(f"{table_id}[not {label}][yes]")
        system.equal({size: 1.0, rest: 1.0, total: -1.0})
        system.equal({yes: 1.0, rest_yes: 1.0, total_yes: -1.0})
        if pct is not None:
            system.equal({yes: 1.0, size: -float(pct) / 100.0})
        if pct_rest is not None:
            system.equal({rest_yes: 1.0, rest: -float(pct_rest) / 100.0})
        system.at_most.append((yes, size))
        groups.append(size)
        yeses.append(yes)
    if groups:                      # the groups are every group with an assessed unit: together, the total
        system.at_most.append((total_yes, total))
        system.equal({total: 1.0, **dict.fromkeys(groups, -1.0)})
        system.equal({total_yes: 1.0, **dict.fromkeys(yeses, -1.0)})


# --- bounds -----------------------------------------------------------------------------------


def _findings(system: System, m: int) -> list[Finding]:
    from scipy import sparse

    from isu_engine.protect.solver import INFEASIBLE, OPTIMAL, LinearProgram

    n = len(system.names)
    if not system.hidden or m <= 1:
        return []
    rows, cols, data, rhs = [], [], [], []
    for number, (terms, value) in enumerate(system.equations):
        for column, coefficient in terms.items():
            rows.append(number)
            cols.append(column)
            data.append(coefficient)
        rhs.append(value)
    equal = sparse.csr_matrix((data, (rows, cols)), shape=(len(system.equations), n))
    upper_rows = [(small, large) for small, large in system.at_most]
    order = sparse.csr_matrix((np.array([1.0, -1.0] * len(upper_rows)),
                               (np.repeat(np.arange(len(upper_rows)), 2),
                                np.array([c for pair in upper_rows for c in pair], dtype=int))),
                              shape=(len(upper_rows), n))
    sums = sparse.csr_matrix(
        ([-c for terms in system.at_least_zero for c in terms.values()],
         ([i for i, terms in enumerate(system.at_least_zero) for _ in terms],
          [k for terms in system.at_least_zero for k in terms])), shape=(len(system.at_least_zero), n))
    # each equation as two inequalities with a little room: published shares and means are rounded floats
    upper = sparse.vstack([order, sums, equal, -equal]).tocsr()
    upper_rhs = np.concatenate([np.zeros(order.shape[0] + sums.shape[0]), np.array(rhs) + TOLERANCE,
                                -np.array(rhs) + TOLERANCE])
    known = np.array([system.known.get(i, np.nan) for i in range(n)], dtype=float)
    program = LinearProgram(upper, np.full(upper.shape[0], -np.inf), upper_rhs,
                            np.where(np.isnan(known), 0.0, known), np.where(np.isnan(known), np.inf, known))
    names = {number: name for name, number in system.names.items()}
    findings = []
    solutions: list[np.ndarray] = []     # every search's solution: each satisfies the one system of the run
    for number in sorted(system.hidden, key=lambda k: names[k]):
        if any(x[number] <= TOLERANCE or x[number] >= m - TOLERANCE for x in solutions):
            continue                     # a solution puts it at 0 or at min_cell or above: nothing to pin
        extremes: list[float | None] = []
        for sign in (1.0, -1.0):
            objective = np.zeros(n)
            objective[number] = sign
            result = program.minimise(objective)
            if result.status == INFEASIBLE:
                raise Inconsistent()
            if result.status == OPTIMAL and result.x is not None and result.value is not None:
                solutions.append(result.x)
                extremes.append(sign * result.value)
            else:
                extremes.append(None)
        low, high = extremes
        if low is None or high is None:
            continue
        low_whole, high_whole = math.ceil(low - TOLERANCE), math.floor(high + TOLERANCE)
        if low_whole >= 1 and high_whole <= m - 1 and low_whole <= high_whole:
            findings.append(Finding(names[number], low_whole, high_whole))
    return findings
