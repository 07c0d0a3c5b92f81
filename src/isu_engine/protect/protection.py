"""Disclosure control over everything one run prints (DESIGN §2): decide which figures to hide.

1. *Published* is what is printed: every figure of a printed cell and every count it rests on
   (a printed share publishes its numerator and denominator, a printed mean its n), across
   all reports and the comparison of a run.
2. *Primary*: a count from 1 to ``min_cell − 1`` is hidden (zero is not sensitive); so is a
   count of sessions (or other units with a person behind them) from fewer than ``min_cell``
   persons; with ``all_or_none`` a share of 0 % or 100 % hides its numerator.
3. *Targets*: every hidden count, every atom (units in exactly the same published counts)
   and every difference of two nested published counts whose size is 1 … ``min_cell − 1``.
   A target is protected when the reader's whole-number bounds over the visible equations
   neither pin it nor prove it to lie in 1 … ``min_cell − 1`` (a hidden count of few persons:
   when they do not pin it).
4. *Secondary*: while a target is not protected, hide the visible count that touches it and
   protects it at the least cost (the smallest count, then the stable id). Hiding only
   removes equations, so a protected target stays protected.
5. *Fail closed*: a target still unprotected when the limits are reached (or unproven when
   the solver stops) has every visible count that touches it hidden.
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
from typing import Iterable

import numpy as np

from isu_engine.protect.records import COUNT, MEAN, QUANTILE, SHARE, Figure, Records, Universe
from isu_engine.protect.system import Bounds, Equation, build


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

    @property
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
    """The printed figures and every figure they rest on."""
    seen: dict[int, Figure] = {}
    stack = list(printed)
    while stack:
        figure = stack.pop()
        if id(figure) in seen:
            continue
        seen[id(figure)] = figure
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
    classes = _classes([f for f in published if f.kind == COUNT])
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


def _classes(counts: list[Figure]) -> list[CountClass]:
    grouped: dict[tuple, list[Figure]] = defaultdict(list)
    for figure in counts:
        grouped[(id(figure.universe), figure.fingerprint)].append(figure)
    classes = []
    for figures in grouped.values():
        first = figures[0]
        classes.append(CountClass(universe=first.universe, units=first.units, figures=figures,
                                  value=int(first.value), n_persons=first.n_persons))
    classes.sort(key=lambda c: c.order)
    return classes


def _primary(classes: list[CountClass], published: list[Figure], settings: Settings) -> None:
    m = settings.min_cell
    for count_class in classes:
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
    m = settings.min_cell
    universe = classes[0].universe
    means = [f for f in published if f.kind == MEAN and f.levels and f.inputs
             and f.inputs[0].universe is universe and f.value is not None]
    refining = [positions for f in means for positions in f.levels.values()]
    seed = zlib.crc32(f"{universe.dataset}\x1f{universe.kind}".encode("utf-8"))
    system, _ = build(len(universe), [c.units for c in classes], refining, seed)
    sizes = system.sizes
    class_atoms = [system.atoms_of(i) for i in range(len(classes))]
    targets = _targets(classes, class_atoms, system, m)
    outcome.targets += len(targets)
    if not targets:
        return
    level_atoms = iter(system.refiners)
    mean_levels = [(f, [(level, next(level_atoms)) for level in f.levels]) for f in means]
    touching: dict[int, list[int]] = defaultdict(list)
    for number, atoms in enumerate(class_atoms):
        for atom in atoms:
            touching[int(atom)].append(number)
    choices = 0
    for target in targets:
        while True:
            bounds = _bounds(classes, class_atoms, mean_levels, len(sizes))
            verdict = bounds.protected(target.atoms, target.low, target.high) if time.monotonic() < deadline else None
            if verdict:
                break
            candidates = _candidates(target, classes, class_atoms, touching)
            if verdict is None or not candidates or choices >= settings.max_secondary:
                _fail_closed(classes, target, touching, outcome)
                break
            chosen = _cheapest_protecting(candidates, classes, class_atoms, mean_levels, len(sizes), target, deadline)
            classes[chosen].hidden, classes[chosen].reason = True, "secondary"
            choices += 1


def _candidates(target: Target, classes: list[CountClass], class_atoms, touching) -> list[int]:
    """The visible counts that take part in the equations around the target: those holding its units,
    and those sharing units with them (the other cells of its row, column or total), cheapest first."""
    holding = {n for atom in target.atoms for n in touching[int(atom)]}
    near = {n for holder in holding if not classes[holder].hidden
            for atom in class_atoms[holder] for n in touching[int(atom)]}
    return sorted((n for n in holding | near if not classes[n].hidden), key=lambda n: (classes[n].value, classes[n].order))


def _cheapest_protecting(candidates: list[int], classes: list[CountClass], class_atoms, mean_levels, n_atoms: int,
                         target: Target, deadline: float) -> int:
    """The first candidate (cheapest first) whose hiding protects the target; else the cheapest."""
    for number in candidates[:12]:
        if time.monotonic() >= deadline:
            break
        classes[number].hidden = True
        verdict = _bounds(classes, class_atoms, mean_levels, n_atoms).protected(target.atoms, target.low, target.high)
        classes[number].hidden = False
        if verdict:
            return number
    return candidates[0]


def _fail_closed(classes: list[CountClass], target: Target, touching, outcome: Outcome) -> None:
    for number in sorted({n for atom in target.atoms for n in touching[int(atom)]}):
        if not classes[number].hidden:
            classes[number].hidden, classes[number].reason = True, "unproven"
    outcome.failed_closed += 1
    outcome.unproven.append(target.name)


def _bounds(classes: list[CountClass], class_atoms, mean_levels, n_atoms: int) -> Bounds:
    """The reader's equations: every visible count, and every visible mean of a whole-number variable."""
    equations = [Equation(atoms, np.ones(len(atoms)), float(c.value))
                 for c, atoms in zip(classes, class_atoms) if not c.hidden]
    visible = {id(f) for c in classes if not c.hidden for f in c.figures}
    for figure, levels in mean_levels:
        if id(figure.inputs[0]) not in visible:
            continue
        atoms = np.concatenate([a for _, a in levels])
        coefficients = np.concatenate([np.full(len(a), level) for level, a in levels])
        equations.append(Equation(atoms, coefficients, float(figure.value) * float(figure.inputs[0].value)))
    return Bounds(n_atoms, equations)


def _targets(classes: list[CountClass], class_atoms, system, m: int) -> list[Target]:
    """What must stay protected: hidden counts, small atoms, small differences of nested counts."""
    sizes = system.sizes
    found: dict[bytes, Target] = {}

    def add(atoms: np.ndarray, value: int, low: int, high: int, name: str) -> None:
        atoms = np.unique(atoms)
        key = atoms.tobytes() + bytes([low == high])
        if key not in found:
            found[key] = Target(atoms, value, low, high, name)

    for count_class, atoms in zip(classes, class_atoms):
        if count_class.hidden:
            low, high = (count_class.value, count_class.value) if count_class.exact else (1, m - 1)
            add(atoms, count_class.value, low, high, count_class.order)
    containing = system.membership.tocsr()
    for atom in np.flatnonzero((sizes >= 1) & (sizes < m)):
        inside = containing.indices[containing.indptr[atom]:containing.indptr[atom + 1]]
        add(np.array([atom]), int(sizes[atom]), 1, m - 1,
            "in " + " & ".join(sorted(classes[c].order for c in inside)))
    membership = system.membership
    weighted = membership.T @ (membership.multiply(sizes[:, None])).tocsc()
    weighted = weighted.toarray() if hasattr(weighted, "toarray") else np.asarray(weighted)
    values = np.array([c.value for c in classes])
    for big in range(len(classes)):
        for small in np.flatnonzero((weighted[big] == values) & (values < values[big]) & (values[big] - values < m)):
            if small == big:
                continue
            difference = np.setdiff1d(class_atoms[big], class_atoms[small])
            add(difference, int(values[big] - values[small]), 1, m - 1,
                f"{classes[big].order} − {classes[small].order}")
    return sorted(found.values(), key=lambda t: (t.name, t.atoms.tolist()))


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
            if n.value < m:
                reason = "few"
            elif figure.kind == QUANTILE and n.value < settings.min_quantile_n:
                reason = "quantile"
            elif n.n_persons is not None and n.n_persons < m:
                reason = "persons"
        elif figure.kind == SHARE and settings.all_or_none and figure.value in (0.0, 100.0):
            reason = "all_or_none"
        if reason:
            figure.hidden, figure.reason = True, reason


def _depth(figure: Figure) -> int:
    return 0 if not figure.inputs else 1 + max(_depth(f) for f in figure.inputs)
