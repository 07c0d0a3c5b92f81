"""The reader's linear system: what a reader can derive from the counts a run publishes.

Within one universe (one kind of unit in one dataset) the published counts induce a
partition of the units into *atoms*: units that lie in exactly the same published counts.
Every published count is the sum of its atoms, so each visible count is an equation over
the atoms' unknown sizes, and a mean of a whole-number variable adds its weighted equation
Σ value · count. A reader knows the equations and that sizes are whole numbers ≥ 0; their
integer bounds on any set of atoms are what the reader can learn about it.

`Bounds` answers, for one set of atoms, whether the reader can pin its size or prove it to
lie in a forbidden range, with HiGHS's simplex and branch and bound (`solver`). `Solutions` keeps the
solutions those searches found: one that still satisfies the visible equations and already puts a
set outside its range answers for it without a new search.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import sparse

from isu_engine.protect.solver import OPTIMAL, UNBOUNDED, LinearProgram


@dataclass
class Equation:
    """Σ coefficient · atom size = value, over the atoms of one universe."""

    atoms: np.ndarray
    coefficients: np.ndarray
    value: float


@dataclass
class AtomSystem:
    """The atoms of one universe and the classes (sets of published units) they make up."""

    sizes: np.ndarray                     # true size of each atom (the engine's own knowledge)
    membership: sparse.csc_matrix         # atoms × classes, 1 where the atom lies in the class
    refiners: list = field(default_factory=list)   # for each refining set: its atoms

    def atoms_of(self, column: int) -> np.ndarray:
        start, stop = self.membership.indptr[column], self.membership.indptr[column + 1]
        return self.membership.indices[start:stop]


def atoms_of_units(n_units: int, sets: list[np.ndarray], weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each unit's atom (−1 for units in no set) and each atom's size.

    Units lying in exactly the same sets share an atom. The sets are unit positions; each set
    gets a random 64-bit weight and a unit's signature is the XOR of its sets' weights.
    """
    signature = np.zeros(n_units, dtype=np.uint64)
    covered = np.zeros(n_units, dtype=bool)
    for positions, weight in zip(sets, weights, strict=True):
        signature[positions] ^= weight
        covered[positions] = True
    codes = np.full(n_units, -1, dtype=np.int64)
    if covered.any():
        codes[covered] = pd.factorize(signature[covered], sort=True)[0]
    sizes = np.bincount(codes[covered], minlength=int(codes.max()) + 1 if covered.any() else 0)
    return codes, sizes


def build(n_units: int, classes: list[np.ndarray], refining: list[np.ndarray],
          seed: int) -> tuple[AtomSystem, np.ndarray]:
    """The atoms induced by `classes` (and `refining` sets, e.g. a mean's value levels)."""
    sets = [*classes, *refining]
    weights = np.random.default_rng(seed).integers(1, np.iinfo(np.uint64).max, size=len(sets),
                                                   dtype=np.uint64, endpoint=True)
    atom_of_unit, sizes = atoms_of_units(n_units, sets, weights)
    rows, columns = [], []
    for column, positions in enumerate(classes):
        atoms = np.unique(atom_of_unit[positions])
        rows.append(atoms)
        columns.append(np.full(len(atoms), column))
    row = np.concatenate(rows) if rows else np.empty(0, dtype=np.int64)
    col = np.concatenate(columns) if columns else np.empty(0, dtype=np.int64)
    membership = sparse.csc_matrix((np.ones(len(row)), (row, col)), shape=(len(sizes), len(classes)))
    membership.sort_indices()
    system = AtomSystem(sizes=sizes, membership=membership,
                        refiners=[np.unique(atom_of_unit[p]) for p in refining])
    return system, atom_of_unit


class Solutions:
    """Solutions of a universe's equations found so far, one column each (atoms × solutions).

    Hiding a count only takes an equation away, so a solution stays one while counts are hidden;
    each use checks it against the equations of the moment all the same.
    """

    KEPT = 64                    # the most recent solutions kept

    def __init__(self, n_atoms: int) -> None:
        self.kept = np.empty((n_atoms, self.KEPT))
        self.found = 0

    def add(self, x: np.ndarray) -> None:
        self.kept[:, self.found % self.KEPT] = x
        self.found += 1

    def outside(self, matrix, rhs: np.ndarray, target: np.ndarray, low: int, high: int, whole_only: bool) -> bool:
        """Whether a kept solution of `matrix`·x = rhs, x ≥ 0 puts the size of `target` outside [low, high]."""
        if not self.found:
            return False
        columns = self.kept[:, :min(self.found, self.KEPT)]
        solves = (np.abs(matrix @ columns - rhs[:, None]) <= 1e-6 * np.maximum(1.0, np.abs(rhs))[:, None]).all(axis=0)
        solves &= (columns >= -1e-9).all(axis=0)
        if whole_only:
            solves &= np.isclose(columns, np.round(columns), atol=1e-7).all(axis=0)
        size = columns[target].sum(axis=0)
        return bool((solves & ((size < low - 0.5) | (size > high + 0.5))).any())


class Bounds:
    """A reader's whole-number bounds on sets of atoms, given the visible equations.

    The engine knows one solution: the true atom sizes. To show that the reader cannot prove a
    set's size to lie in a range, it is enough to find another solution that puts it outside.
    When none is found, the answer is False and the caller hides more (it errs on the side of
    hiding).
    """

    WHOLE_NUMBER_SEARCH = 60     # atoms up to which a fractional optimum is confirmed in whole numbers
    NODE_LIMIT = 500             # branch-and-bound nodes of one whole-number search: the same answer on any machine

    def __init__(self, sizes: np.ndarray, equations: list[Equation], time_limit: float = 10.0,
                 solutions: Solutions | None = None) -> None:
        self.sizes = sizes.astype(float)
        self.time_limit = time_limit
        self.solutions = solutions if solutions is not None else Solutions(len(sizes))
        n_atoms = len(sizes)
        rows = np.concatenate([np.full(len(e.atoms), i) for i, e in enumerate(equations)]) if equations else np.empty(0)
        cols = np.concatenate([e.atoms for e in equations]) if equations else np.empty(0)
        data = np.concatenate([e.coefficients for e in equations]) if equations else np.empty(0)
        self.matrix = sparse.csc_matrix((data, (rows.astype(int), cols.astype(int))), shape=(len(equations), n_atoms))
        self.values = np.array([e.value for e in equations], dtype=float)
        self.constrained = np.diff(self.matrix.indptr) > 0

    def protected(self, target: np.ndarray, low: int, high: int) -> bool:
        """Whether a whole-number solution puts the size of `target` outside [low, high].

        When it is not, `binding` holds the equations that keep it inside (by their number).
        """
        self.binding: set[int] = set()
        if not self.constrained[target].all():
            return True                      # an atom no visible count holds: its size is anyone's guess
        small = len(self.sizes) <= self.WHOLE_NUMBER_SEARCH           # a small system answers in whole numbers only
        if self.solutions.outside(self._matrix, self._rhs, target, low, high, whole_only=small):
            return True
        objective = np.zeros(len(self.sizes))
        objective[target] = 1.0
        return self._outside(objective, low, high)

    def _outside(self, objective: np.ndarray, low: int, high: int) -> bool:
        """Whether some x ≥ 0 with matrix·x = rhs puts objective·x below `low` or above `high`.

        The linear relaxation answers (as τ-ARGUS's audit computes feasibility intervals); when
        its optimum is not whole and the system is small, a whole-number search must confirm it.
        """
        n = len(objective)
        for sign, outside in ((1.0, lambda v: v < low - 0.5), (-1.0, lambda v: v > high + 0.5)):
            relaxed = self._program.minimise(sign * objective)
            if relaxed.status == UNBOUNDED:
                return True                              # as large as anyone likes
            if relaxed.status != OPTIMAL:
                continue
            assert relaxed.value is not None and relaxed.x is not None and relaxed.duals is not None
            self.solutions.add(relaxed.x)
            if not outside(sign * relaxed.value):
                self.binding.update(int(r) for r in self._rows[np.abs(relaxed.duals) > 1e-9])
                continue
            if n > self.WHOLE_NUMBER_SEARCH or np.allclose(relaxed.x, np.round(relaxed.x), atol=1e-7):
                return True
            whole = self._program.whole_number_minimum(sign * objective, self.NODE_LIMIT, self.time_limit)
            if whole is not None and outside(float(objective @ np.round(whole))):
                self.solutions.add(np.round(whole))
                return True
        return False

    @cached_property
    def _rows(self) -> np.ndarray:
        """The equations with at least one atom (by their number)."""
        return np.flatnonzero(self.matrix.getnnz(axis=1) > 0)

    @cached_property
    def _matrix(self):
        return self.matrix[self._rows].tocsr()

    @cached_property
    def _rhs(self) -> np.ndarray:
        return self.values[self._rows]

    @cached_property
    def _program(self) -> LinearProgram:
        n = len(self.sizes)
        return LinearProgram(self._matrix, self._rhs, self._rhs, np.zeros(n), np.full(n, np.inf))
