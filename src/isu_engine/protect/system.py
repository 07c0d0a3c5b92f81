"""The reader's linear system: what a reader can derive from the counts a run publishes.

Within one universe (one kind of unit in one dataset) the published counts induce a
partition of the units into *atoms*: units that lie in exactly the same published counts.
Every published count is the sum of its atoms, so each visible count is an equation over
the atoms' unknown sizes, and a mean of a whole-number variable adds its weighted equation
Σ value · count. A reader knows the equations and that sizes are whole numbers ≥ 0; their
integer bounds on any set of atoms are what the reader can learn about it.

`Bounds` answers, for one set of atoms, whether the reader can pin its size or prove it to
lie in a forbidden range, with `scipy.optimize.milp` (HiGHS).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

INFINITE = float("inf")


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
    for positions, weight in zip(sets, weights):
        signature[positions] ^= weight
        covered[positions] = True
    codes = np.full(n_units, -1, dtype=np.int64)
    if covered.any():
        codes[covered] = pd.factorize(signature[covered], sort=True)[0]
    sizes = np.bincount(codes[covered], minlength=int(codes.max()) + 1 if covered.any() else 0)
    return codes, sizes


def build(n_units: int, classes: list[np.ndarray], refining: list[np.ndarray], seed: int) -> tuple[AtomSystem, np.ndarray]:
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


class Bounds:
    """A reader's integer bounds on sets of atoms, given the visible equations."""

    def __init__(self, n_atoms: int, equations: list[Equation], time_limit: float = 5.0) -> None:
        self.n_atoms = n_atoms
        self.equations = equations
        self.time_limit = time_limit
        self._constrained = np.zeros(n_atoms, dtype=bool)
        self._by_atom: list[list[int]] = [[] for _ in range(n_atoms)]
        for number, equation in enumerate(equations):
            self._constrained[equation.atoms] = True
            for atom in equation.atoms:
                self._by_atom[atom].append(number)

    def component(self, atoms: np.ndarray) -> tuple[np.ndarray, list[int]]:
        """The atoms and equations linked to `atoms` through shared equations."""
        seen_atoms = set(int(a) for a in atoms)
        seen_equations: set[int] = set()
        frontier = list(seen_atoms)
        while frontier:
            next_frontier = []
            for atom in frontier:
                for number in self._by_atom[atom]:
                    if number in seen_equations:
                        continue
                    seen_equations.add(number)
                    for other in self.equations[number].atoms:
                        other = int(other)
                        if other not in seen_atoms:
                            seen_atoms.add(other)
                            next_frontier.append(other)
            frontier = next_frontier
        return np.array(sorted(seen_atoms), dtype=np.int64), sorted(seen_equations)

    def extreme(self, target: np.ndarray, maximize: bool) -> tuple[str, float | None]:
        """The reader's least (or greatest) size of the atoms in `target`.

        Returns ("optimal", value), ("unbounded", None) or ("unknown", None) when the solver
        stops at its time limit or fails (callers treat that as not proven).
        """
        from scipy.optimize import Bounds as VariableBounds, LinearConstraint, milp

        if maximize and not self._constrained[target].all():
            return "unbounded", None
        atoms, numbers = self.component(target)
        position = {int(a): i for i, a in enumerate(atoms)}
        objective = np.zeros(len(atoms))
        objective[[position[int(a)] for a in target]] = -1.0 if maximize else 1.0
        if not numbers:
            return ("unbounded", None) if maximize else ("optimal", 0.0)
        rows, cols, data, rhs = [], [], [], []
        for row, number in enumerate(numbers):
            equation = self.equations[number]
            rows.extend([row] * len(equation.atoms))
            cols.extend(position[int(a)] for a in equation.atoms)
            data.extend(equation.coefficients.tolist())
            rhs.append(equation.value)
        matrix = sparse.csr_matrix((data, (rows, cols)), shape=(len(numbers), len(atoms)))
        rhs = np.array(rhs, dtype=float)
        result = milp(objective, integrality=np.ones(len(atoms)), bounds=VariableBounds(0, np.inf),
                      constraints=LinearConstraint(matrix, rhs - 1e-6, rhs + 1e-6),
                      options={"time_limit": self.time_limit, "presolve": True})
        if result.status == 3:
            return "unbounded", None
        if result.status != 0 or result.x is None:
            return "unknown", None
        value = float(np.round(-result.fun if maximize else result.fun))
        return "optimal", value

    def protected(self, target: np.ndarray, low: int, high: int) -> bool | None:
        """Whether the reader cannot prove the size of `target` to lie in [low, high].

        True: some whole-number solution puts it outside; False: every solution puts it inside;
        None: not proven either way (solver limit).
        """
        status, least = self.extreme(target, maximize=False)
        if status == "optimal" and least is not None and least < low - 0.5:
            return True
        if status == "unknown":
            return None
        status, most = self.extreme(target, maximize=True)
        if status == "unbounded" or (status == "optimal" and most is not None and most > high + 0.5):
            return True
        if status == "unknown":
            return None
        return False
