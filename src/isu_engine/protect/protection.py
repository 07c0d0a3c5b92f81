"""Disclosure control over everything one run prints (DESIGN §2): decide which figures to hide.

1. *Published* is what is printed: every figure of a printed cell and every count it rests on
   (a printed share publishes its numerator and denominator, a printed mean its n; a median
   or quartile does not give away its n), across all reports and the comparison of a run.
2. *Primary*: a count from 1 to ``min_cell − 1`` is hidden (zero is not sensitive); so is a
   count of sessions (or other units with a person behind them) from fewer than ``min_cell``
   persons; with ``all_or_none`` a share of 0 % or 100 % hides its numerator.
3. *Targets*: every hidden count, and every difference of two published counts of one
   population whose size is 1 … ``min_cell − 1`` where the definitions say that one lies inside
   the other (the "no" beside a "yes" and its total, the
   rest of a group comparison, the units without a value).
   A target is protected when the reader's whole-number bounds over the visible equations
   neither pin it nor prove it to lie in 1 … ``min_cell − 1`` (a hidden count of few persons:
   when they do not pin it).
4. *Secondary*: while a target is not protected, hide the cheapest visible count among those
   whose equations keep it inside its range (the binding equations of the reader's bounds,
   else the counts around it). Counts of the target's own table (same population and condition
   variables) come first, so that a table pays for its own small cells; then the cheapest: the
   fewest shown figures it would take with it
   (a count whose share is already hidden costs only itself), then the fewest atoms (an inner
   cell before a row, a row before a total), then the smallest count, then the stable id. Counts a
   contract publishes exactly (`always_shown`) are never chosen.
   Hiding only removes equations, so a protected target stays protected.
   A count hidden on the way that the shown numbers still give exactly is shown again.
5. *Fail closed*: a target still unprotected when the limits are reached (or unproven when
   the solver stops) has every visible count around it hidden (those holding its units and
   those sharing units with them).
6. *Derived figures*: a share, mean, quantile, statistic, difference or test is hidden when a
   count it rests on is hidden; a mean, quantile or statistic also when its n is below
   ``min_cell``, a quantile when its n is below ``min_quantile_n``, a session-level figure
   when fewer than ``min_cell`` persons stand behind it.

The result depends only on the records (units, definitions, values), never on the order in
which figures were made, so every command over one config hides the same cells.
"""

from __future__ import annotations

import time
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from collections.abc import Iterable

import numpy as np

from scipy import sparse

from isu_engine.protect.records import COUNT, MEAN, QUANTILE, SHARE, Figure, Records, Universe
from isu_engine.protect.system import Bounds, Equation, Solutions, build


@dataclass(frozen=True)
class Settings:
    """The disclosure settings of a run (config key `disclosure:`)."""

    min_cell: int = 5
    min_quantile_n: int = 10
    all_or_none: bool = False
    time_limit: float = 60.0      # seconds for the whole check before it fails closed
    max_secondary: int = 400      # secondary choices before it fails closed


@dataclass
class CountClass:
    """The published counts of one set of units (the same set under several names is one count)."""

    universe: Universe
    units: np.ndarray
    figures: list[Figure]
    value: int
    n_persons: int | None
    hidden: bool = False
    reason: str | None = None
    exact: bool = False            # protected by "not pinned" (few persons), not by a range
    resting: list = field(default_factory=list)   # for each figure computed from it: the classes it rests on

    @cached_property
    def tables(self) -> set:
        """The tables it stands in, by population and the variables of its conditions (its figures are set
        when it is made)."""
        return {(f.population, tuple(sorted({name for name, _ in f.conditions}))) for f in self.figures}

    def cost(self) -> int:
        """How many shown figures hiding it would hide: its own names, and what is computed from it
        and not already hidden through another count."""
        if self.hidden:
            return 0
        return len(self.figures) + sum(1 for rests_on in self.resting
                                       if not any(c.hidden for c in rests_on if c is not self))

    @property
    def always_shown(self) -> bool:
        return any(f.always_shown for f in self.figures)

    @cached_property
    def order(self) -> str:
        return min(f.id for f in self.figures)


@dataclass
class Target:
    """A set of atoms the reader must not learn: its true size lies in [low, high]."""

    atoms: np.ndarray
    value: int
    low: int
    high: int
    name: str
    pair: tuple[int, int] | None = None     # a difference of two counts: (the larger, the smaller)
    owners: tuple[int, ...] = ()            # the counts it comes from (itself when hidden, or the pair)


@dataclass
class Outcome:
    """What protection decided: hidden figures, and what was checked."""

    hidden_counts: int = 0
    primary: int = 0
    secondary: int = 0
    failed_closed: int = 0
    targets: int = 0
    seconds: float = 0.0
    unproven: list[str] = field(default_factory=list)


def published_figures(printed: Iterable[Figure]) -> list[Figure]:
    """The printed figures and every figure they rest on (a quantile's value gives away nothing of its n:
    its count is published only where it is printed itself)."""
    seen: dict[int, Figure] = {}
    stack = list(printed)
    while stack:
        figure = stack.pop()
        if id(figure) in seen:
            continue
        seen[id(figure)] = figure
        if figure.kind != QUANTILE:
            stack.extend(figure.inputs)
    return list(seen.values())


def protect(records: Records, printed: Iterable[Figure], settings: Settings) -> Outcome:
    """Decide which figures to hide; sets `hidden` and `reason` on every figure of the run."""
    started = time.monotonic()
    outcome = Outcome()
    published = published_figures(printed)
    for figure in [*records.figures.values(), *records.derived]:
        figure.published = False
        figure.hidden = False
        figure.reason = None
    for figure in published:
        figure.published = True
    if settings.min_cell <= 1:
        return outcome
    classes = _classes([f for f in published if f.kind == COUNT], published)
    by_universe: dict[int, list[CountClass]] = defaultdict(list)
    for count_class in classes:
        by_universe[id(count_class.universe)].append(count_class)
    _primary(classes, published, settings)
    outcome.primary = sum(c.hidden for c in classes)
    deadline = started + settings.time_limit
    for universe_classes in sorted(by_universe.values(), key=lambda cs: (cs[0].universe.dataset, cs[0].universe.kind)):
        _secondary(universe_classes, published, settings, deadline, outcome)
    for count_class in classes:
        for figure in count_class.figures:
            figure.hidden = count_class.hidden
            figure.reason = count_class.reason
    _derived(published, settings)
    outcome.hidden_counts = sum(c.hidden for c in classes)
    outcome.secondary = sum(c.hidden and c.reason == "secondary" for c in classes)
    outcome.seconds = time.monotonic() - started
    return outcome


def _classes(counts: list[Figure], published: list[Figure]) -> list[CountClass]:
    grouped: dict[tuple, list[Figure]] = defaultdict(list)
    for figure in counts:
        grouped[(id(figure.universe), figure.fingerprint)].append(figure)
    classes = []
    class_of: dict[int, CountClass] = {}
    for figures in grouped.values():
        first = figures[0]
        universe, units = first.universe, first.units
        assert universe is not None and units is not None, "a count has its units"
        count_class = CountClass(universe=universe, units=units, figures=figures,
                                 value=int(first.value), n_persons=universe.n_persons(units))
        classes.append(count_class)
        class_of.update((id(f), count_class) for f in figures)
    for figure in published:
        if figure.kind != COUNT:
            rests_on = list({id(class_of[id(c)]): class_of[id(c)]
                             for c in figure.counts() if id(c) in class_of}.values())
            for count_class in rests_on:
                count_class.resting.append(rests_on)
    classes.sort(key=lambda c: c.order)
    return classes


def _primary(classes: list[CountClass], published: list[Figure], settings: Settings) -> None:
    m = settings.min_cell
    for count_class in classes:
        if count_class.always_shown:
            continue
        if 1 <= count_class.value < m:
            count_class.hidden, count_class.reason = True, "small"
        elif count_class.value and count_class.n_persons is not None and count_class.n_persons < m:
            count_class.hidden, count_class.reason, count_class.exact = True, "persons", True
    if settings.all_or_none:
        by_figure = {id(f): c for c in classes for f in c.figures}
        for figure in published:
            if figure.kind == SHARE and figure.value is not None and figure.value in (0.0, 100.0):
                numerator = by_figure.get(id(figure.inputs[0]))
                if numerator is not None and not numerator.hidden:
                    numerator.hidden, numerator.reason, numerator.exact = True, "all_or_none", True


def _secondary(classes: list[CountClass], published: list[Figure], settings: Settings, deadline: float,
               outcome: Outcome) -> None:
    """Hide more counts of one universe until every target is protected (or fail closed)."""
    universe = classes[0].universe
    means = [f for f in published if f.kind == MEAN and f.levels and f.inputs
             and f.inputs[0].universe is universe and f.value is not None]
    refining = [positions for f in means for positions in (f.levels or {}).values()]
    seed = zlib.crc32(f"{universe.dataset}\x1f{universe.kind}".encode())
    system, _ = build(len(universe), [c.units for c in classes], refining, seed)
    class_atoms = [system.atoms_of(i) for i in range(len(classes))]
    targets = _targets(classes, class_atoms, system, settings.min_cell)
    outcome.targets += len(targets)
    if targets:
        level_atoms = iter(system.refiners)
        mean_levels = [(f, [(level, next(level_atoms)) for level in f.levels or {}]) for f in means]
        _Search(classes, class_atoms, mean_levels, system.sizes, targets, settings, deadline, outcome).run()


class _Search:
    """Secondary suppression over one universe: the counts, their atoms, the targets and the reader's equations."""

    def __init__(self, classes, class_atoms, mean_levels, sizes, targets, settings, deadline, outcome) -> None:
        self.classes, self.class_atoms, self.mean_levels, self.sizes = classes, class_atoms, mean_levels, sizes
        self.targets, self.settings, self.deadline, self.outcome = targets, settings, deadline, outcome
        rows = np.repeat(np.arange(len(class_atoms)), [len(atoms) for atoms in class_atoms])
        columns = np.concatenate(class_atoms) if class_atoms else np.empty(0, dtype=np.int64)
        self.incidence = sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, columns)),
                                           shape=(len(class_atoms), len(sizes)))
        self._around: dict[int, list[int]] = {}
        self._bounds: dict[bytes, Bounds] = {}
        self.solutions = Solutions(len(sizes))

    def run(self) -> None:
        """Protect each target in turn, then check again the targets that were not proven. Until the last
        step shows some again, counts are only hidden, and each hidden count takes an equation away from
        the reader, which only widens what the reader can believe: a target proven protected stays
        protected."""
        choices = 0
        proven: set[int] = set()
        for number in range(len(self.targets)):
            while True:
                verdict = self.check(number)
                if verdict:
                    proven.add(number)
                    break
                candidates = self.candidates(number)
                if verdict is None or not candidates or choices >= self.settings.max_secondary:
                    self.fail_closed(number)
                    break
                chosen = candidates[0]
                self.classes[chosen].hidden, self.classes[chosen].reason = True, "secondary"
                choices += 1
        for number in range(len(self.targets)):
            if number not in proven and not self.check(number):
                self.fail_closed(number)
        self.show_what_is_known()

    def show_what_is_known(self) -> None:
        """Show again every count hidden on the way that the shown numbers give exactly anyway (the rest of
        a group beside the group and its total): hiding it protects nothing and would print "<5" for it."""
        for number, count_class in enumerate(self.classes):
            if count_class.reason != "secondary" or time.monotonic() >= self.deadline:
                continue
            bounds = self.bounds()
            atoms = self.class_atoms[number]
            if not bounds.protected(atoms, count_class.value, count_class.value):
                count_class.hidden, count_class.reason = False, None

    def check(self, number: int) -> bool | None:
        """Whether target `number` is protected by what is hidden now (None: out of time).

        When it is not, `self.binding` holds the visible counts whose equations keep it inside.
        """
        self.binding: set[int] = set()
        if time.monotonic() >= self.deadline:
            return None
        target = self.targets[number]
        if target.pair is not None and not any(self.classes[n].hidden for n in target.pair):
            self.binding = set(target.pair)
            return False                      # the difference of two visible counts: known exactly
        bounds = self.bounds()
        verdict = bounds.protected(target.atoms, target.low, target.high)
        self.binding = {owner for e in bounds.binding if (owner := self._owners[e]) is not None}
        return verdict

    def bounds(self) -> Bounds:
        """The reader's equations for what is hidden now (kept while the hidden counts stay the same)."""
        state = np.packbits([c.hidden for c in self.classes]).tobytes()
        if state not in self._bounds:
            self._bounds[state] = _bounds(self.classes, self.class_atoms, self.mean_levels, self.sizes, self.solutions)
        visible = [n for n, c in enumerate(self.classes) if not c.hidden]
        self._owners = visible + [None] * (len(self._bounds[state].values) - len(visible))
        return self._bounds[state]

    def around(self, number: int) -> list[int]:
        """The counts holding the target's units, and every count sharing a unit with one of those."""
        if number not in self._around:
            atoms = np.zeros(self.incidence.shape[1], dtype=np.int32)
            atoms[self.targets[number].atoms] = 1
            holding = (self.incidence @ atoms > 0).astype(np.int32)
            near = self.incidence.T @ holding > 0
            # a sparse matrix times a vector is a vector (scipy-stubs allow a sparse result too)
            self._around[number] = np.flatnonzero(np.asarray(self.incidence @ near.astype(np.int32) > 0)).tolist()
        return self._around[number]

    def candidates(self, number: int) -> list[int]:
        """The visible counts whose equations keep target `number` inside its range (the reader's binding
        equations, from the relaxation's dual values), else those around it; cheapest first."""
        classes = self.classes

        table = {sig for owner in self.targets[number].owners for sig in classes[owner].tables}

        def cost(n: int) -> tuple:
            kin = 0 if classes[n].tables & table else 1      # a count of the target's own table first
            return kin, classes[n].cost(), len(self.class_atoms[n]), classes[n].value, classes[n].order

        eligible = [n for n in self.around(number) if not classes[n].hidden and not classes[n].always_shown]
        binding = sorted((n for n in eligible if n in self.binding), key=cost)
        return binding + sorted((n for n in eligible if n not in self.binding), key=cost)

    def fail_closed(self, number: int) -> None:
        """Hide every visible count around the target (those holding its units and their neighbours)."""
        for n in self.around(number):
            if not self.classes[n].hidden and not self.classes[n].always_shown:
                self.classes[n].hidden, self.classes[n].reason = True, "unproven"
        self.outcome.failed_closed += 1
        self.outcome.unproven.append(self.targets[number].name)


def _bounds(classes: list[CountClass], class_atoms, mean_levels, sizes: np.ndarray, solutions: Solutions) -> Bounds:
    """The reader's equations: every visible count, and every visible mean of a whole-number variable."""
    equations = [Equation(atoms, np.ones(len(atoms)), float(c.value))
                 for c, atoms in zip(classes, class_atoms, strict=True) if not c.hidden]
    visible = {id(f) for c in classes if not c.hidden for f in c.figures}
    for figure, levels in mean_levels:
        if id(figure.inputs[0]) not in visible:
            continue
        atoms = np.concatenate([a for _, a in levels])
        coefficients = np.concatenate([np.full(len(a), level) for level, a in levels])
        # the reader's Σ value · count = mean · n, with the exact whole-number sum the mean came from
        equations.append(Equation(atoms, coefficients, float(coefficients @ sizes[atoms])))
    return Bounds(sizes, equations, solutions=solutions)


def _targets(classes: list[CountClass], class_atoms, system, m: int) -> list[Target]:
    """What must stay protected: hidden counts, and small differences of nested counts of one population."""
    sizes = system.sizes
    found: dict[bytes, Target] = {}

    def add(atoms: np.ndarray, value: int, low: int, high: int, name: str, pair=None, owners=()) -> None:
        atoms = np.unique(atoms)
        key = atoms.tobytes() + bytes([low == high])
        if key not in found:
            found[key] = Target(atoms, value, low, high, name, pair, tuple(owners) or tuple(pair or ()))

    for number, (count_class, atoms) in enumerate(zip(classes, class_atoms, strict=True)):
        if count_class.hidden:
            low, high = (count_class.value, count_class.value) if count_class.exact else (1, m - 1)
            add(atoms, count_class.value, low, high, count_class.order, owners=(number,))
    membership = system.membership
    weighted = membership.T @ (membership.multiply(sizes[:, None])).tocsc()
    weighted = weighted.toarray() if hasattr(weighted, "toarray") else np.asarray(weighted)
    values = np.array([c.value for c in classes])
    for big in range(len(classes)):
        for small in np.flatnonzero((weighted[big] == values) & (values < values[big]) & (values[big] - values < m)):
            if small == big or not _nested_by_definition(classes[big], classes[small]):
                continue
            difference = np.setdiff1d(class_atoms[big], class_atoms[small])
            add(difference, int(values[big] - values[small]), 1, m - 1,
                f"{classes[big].order} − {classes[small].order}", (int(big), int(small)))
    # differences first: protecting "the rest" of a row inside its own table costs least
    return sorted(found.values(), key=lambda t: (t.pair is None, t.name, t.atoms.tolist()))


def _nested_by_definition(big: CountClass, small: CountClass) -> bool:
    """Whether a reader sees from the definitions alone that `small` lies inside `big`: one population,
    and every condition of the larger count holds for the smaller (the yes inside its assessed, a
    group inside "any", a row inside its table's total)."""
    for outer in big.figures:
        for inner in small.figures:
            if outer.population == inner.population and _implies(dict(inner.conditions), outer.conditions):
                return True
    return False


def _implies(inner: dict, outer_conditions: tuple) -> bool:
    for name, value in outer_conditions:
        given = inner.get(name, _ABSENT)
        if given == value:
            continue
        if value == ("assessed",) and given in (True, False):
            continue
        if value == ("any",) and given is not None and given is not _ABSENT and given != ("assessed",):
            continue
        return False
    return True


_ABSENT = object()


def _derived(published: list[Figure], settings: Settings) -> None:
    """Hide every figure computed from a hidden count, or from too few units or persons."""
    m = settings.min_cell
    for figure in sorted((f for f in published if f.kind != COUNT), key=_depth):
        counts = list(figure.counts())
        reason = None
        if any(c.hidden for c in counts) or any(f.hidden for f in figure.inputs):
            reason = "derived"
        elif figure.kind != SHARE and figure.inputs and figure.inputs[0].kind == COUNT:
            n = figure.inputs[0]
            assert n.universe is not None and n.units is not None, "a count has its units"
            persons = n.universe.n_persons(n.units)
            if 1 <= n.value < m:
                reason = "few"
            elif figure.kind == QUANTILE and n.value < settings.min_quantile_n:
                reason = "quantile"
            elif persons is not None and persons < m:
                reason = "persons"
        elif figure.kind == SHARE and settings.all_or_none and figure.value in (0.0, 100.0):
            reason = "all_or_none"
        if reason:
            figure.hidden, figure.reason = True, reason


def _depth(figure: Figure) -> int:
    return 0 if not figure.inputs else 1 + max(_depth(f) for f in figure.inputs)
