"""Disclosure control: which counts of one report run may be shown (DESIGN §2).

Every count a run may publish is registered in one `Ledger` under a key that names its
statistical cell, e.g. ``("fit", "clients_in_period", (("gender", "flicka"),))``. A cell
that appears in several tables, charts, sentences or `report.json` figures is registered
once under one key, so one decision holds everywhere. Additive relations between counts
are registered as equations ``total = sum(parts)``. Counts that are never shown but that a
reader can work out (cases *without* a problem area, "the rest" in a group comparison, the
n − k behind a proportion shown alone) are registered as unpublished counts.

Rules, applied by `Ledger.resolve`:

1. *Primary*: a count from 1 to ``min_cell − 1`` is sensitive. A published sensitive count
   is hidden; zero is never sensitive. With ``min_cell == 1`` nothing is sensitive and no
   published count is hidden.
2. *Unknowns*: hidden and unpublished counts are unknown to a reader. A count *needs
   protection* when it is sensitive (published or not) or hidden.
3. *Secondary, to a fixed point*: an equation (total and parts together) whose only unknown
   member needs protection gives that member away, so one more of its visible members is
   hidden: the smallest positive part, else the total, else a zero part. Among candidates
   of the same kind, one that also sits in another such equation comes first (it closes
   both, e.g. the fourth corner of a rectangle in a cross table), then the smaller value,
   then the key's place in the order of ``repr(key)``. Repeat until no equation gives a
   member away.
4. *Verification*: with the visible values moved to the right-hand side, the equations
   are a linear system in the unknowns. A count needing protection is exactly recoverable
   when its unit vector lies in the row space of that system (its row of a null-space
   basis, from an SVD, is zero within 1e-9). For each connected group of unknowns holding
   such a count, one more visible member of the nearest equation is hidden (same order of
   preference), and 3–4 are repeated until nothing that needs protection is recoverable.

What is guaranteed: no published count from 1 to ``min_cell − 1`` is shown, and no
sensitive or hidden count can be worked out exactly from the visible counts through the
registered equations. The one exception is a hidden zero that the registered equations
fix on their own, whatever the visible values; a zero reveals no one. The result depends
only on the registered keys, values and equations, not on the order of registration
(keys must therefore have distinct reprs).

What is not guaranteed: the ledger knows only what is registered. An additive relation
that a run publishes but does not register (a total in a chart, "the rest" of a
comparison, a count in a sentence under another key) is invisible to it, so analyses
must register every count they publish and every additive relation between them. A
percentage or mean is hidden by its caller when its numerator or denominator key is
hidden. Bounds are not protected: a reader may still narrow a hidden count to a range
(counts are never negative), and figures from other runs (other periods) are not known
here. Secondary suppression is a heuristic; it hides enough, not the fewest cells.
"""

from __future__ import annotations

import heapq
import operator
from collections.abc import Hashable, Iterable, Sequence

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

NULL_SPACE_TOLERANCE = 1e-9


def hidden_text(min_cell: int) -> str:
    """The text printed for every hidden cell, e.g. ``"<5"`` for ``min_cell`` 5 (DESIGN §5)."""
    return f"<{min_cell}"


class Ledger:
    """The counts of one report run, their additive relations, and which of them to hide."""

    def __init__(self, min_cell: int = 5) -> None:
        if isinstance(min_cell, bool) or operator.index(min_cell) < 1:
            raise ValueError(f"min_cell must be a whole number of at least 1, got {min_cell!r}")
        self.min_cell = operator.index(min_cell)
        self._values: dict[Hashable, int] = {}
        self._published: set[Hashable] = set()
        self._equations: dict[tuple[Hashable, frozenset], tuple[Hashable, tuple[Hashable, ...]]] = {}
        self._hidden: frozenset | None = None
        self._primary: frozenset = frozenset()
        self._secondary: frozenset = frozenset()

    def count(self, key: Hashable, value: int, *, published: bool = True) -> Hashable:
        """Register a count under `key` and return the key.

        Registering a key again must give the same value; doing so with ``published=True``
        makes an unpublished key published (a published key stays published).
        """
        self._check_not_resolved()
        value = _as_count(key, value)
        if key in self._values and self._values[key] != value:
            raise ValueError(f"count {key!r} registered as {self._values[key]} and now as {value}")
        self._values[key] = value
        if published:
            self._published.add(key)
        return key

    def equation(self, total: Hashable, parts: Sequence[Hashable]) -> None:
        """Register ``total = sum(parts)``; every key must already be registered."""
        self._check_not_resolved()
        parts = tuple(parts)
        for key in (total, *parts):
            if key not in self._values:
                raise KeyError(key)
        if total in parts or len(set(parts)) != len(parts):
            raise ValueError(f"equation for {total!r} repeats a key: {parts!r}")
        parts_sum = sum(self._values[key] for key in parts)
        if parts_sum != self._values[total]:
            raise ValueError(f"{total!r} is {self._values[total]} but its parts add up to {parts_sum}")
        self._equations.setdefault((total, frozenset(parts)), (total, parts))

    def resolve(self) -> frozenset:
        """Decide once and return the hidden keys: published keys to hide, and every unpublished key."""
        if self._hidden is None:
            hide = _Suppression(self._values, self._published, self._equations.values(), self.min_cell).run()
            unpublished = frozenset(self._values.keys() - self._published)
            self._primary = frozenset(key for key in hide if 1 <= self._values[key] < self.min_cell)
            self._secondary = hide - self._primary
            self._hidden = hide | unpublished
        return self._hidden

    def is_hidden(self, key: Hashable) -> bool:
        """Whether `key` must not be shown (after `resolve`)."""
        if key not in self._values:
            raise KeyError(key)
        return key in self._resolved()

    def primary(self) -> frozenset:
        """Published keys hidden because their own value is from 1 to ``min_cell − 1``."""
        self._resolved()
        return self._primary

    def secondary(self) -> frozenset:
        """Published keys hidden only so that other counts cannot be worked out."""
        self._resolved()
        return self._secondary

    def value(self, key: Hashable) -> int:
        """The registered value of `key`, hidden or not (for the engine's own use, never to print)."""
        return self._values[key]

    def _resolved(self) -> frozenset:
        if self._hidden is None:
            raise RuntimeError("call resolve() before asking which counts are hidden")
        return self._hidden

    def _check_not_resolved(self) -> None:
        if self._hidden is not None:
            raise RuntimeError("the ledger is resolved; register every count and equation before resolve()")


def _as_count(key: Hashable, value: int) -> int:
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"count {key!r} must be a whole number, not {value!r}")
    try:
        count = operator.index(value)
    except TypeError:
        raise TypeError(f"count {key!r} must be a whole number, not {value!r}") from None
    if count < 0:
        raise ValueError(f"count {key!r} must not be negative, got {count}")
    return count


class _Suppression:
    """One run of the suppression rules over keys numbered in the order of their repr."""

    def __init__(
        self,
        values: dict[Hashable, int],
        published: set[Hashable],
        equations: Iterable[tuple[Hashable, tuple[Hashable, ...]]],
        min_cell: int,
    ) -> None:
        self.keys = sorted(values, key=repr)
        reprs = [repr(key) for key in self.keys]
        if len(set(reprs)) != len(reprs):
            same = sorted({text for text in reprs if reprs.count(text) > 1})
            raise ValueError(f"different keys share a repr, so the order of keys is not fixed: {same}")
        index = {key: i for i, key in enumerate(self.keys)}
        self.value = np.array([values[key] for key in self.keys], dtype=np.int64)
        self.published = np.array([key in published for key in self.keys], dtype=bool)
        self.sensitive = (self.value >= 1) & (self.value < min_cell)
        self.hidden = self.published & self.sensitive
        # Each equation as (total, *parts) in key numbers; equations sorted for a fixed order.
        self.members = sorted((index[total], *sorted(index[p] for p in parts)) for total, parts in equations)
        self.equations_of: list[list[int]] = [[] for _ in self.keys]
        for e, members in enumerate(self.members):
            for k in members:
                self.equations_of[k].append(e)
        # The equations as sparse entries: +1 for the total, −1 for each part.
        self.entry_equation = np.repeat(np.arange(len(self.members)), [len(m) for m in self.members])
        self.entry_key = np.array([k for m in self.members for k in m], dtype=np.int64)
        self.entry_sign = np.array([1.0 if i == 0 else -1.0 for m in self.members for i in range(len(m))])
        self.n_unknown = np.array([sum(self._unknown(k) for k in m) for m in self.members], dtype=np.int64)
        self.queue = [e for e in range(len(self.members)) if self._gives_away(e)]
        heapq.heapify(self.queue)

    def run(self) -> frozenset:
        """The published keys to hide."""
        if self.sensitive.any():
            self._settle()
            while picks := self._verification_picks():
                for k in sorted(set(picks)):
                    self._hide(k)
                self._settle()
        return frozenset(self.keys[k] for k in np.flatnonzero(self.hidden))

    def _unknown(self, k: int) -> bool:
        return bool(self.hidden[k] or not self.published[k])

    def _needs_protection(self, k: int) -> bool:
        return bool(self.sensitive[k] or self.hidden[k])

    def _gives_away(self, e: int) -> bool:
        """Whether equation `e` has one unknown member and that member needs protection."""
        if self.n_unknown[e] != 1:
            return False
        lone = next(k for k in self.members[e] if self._unknown(k))
        return self._needs_protection(lone)

    def _hide(self, k: int) -> None:
        self.hidden[k] = True
        for e in self.equations_of[k]:
            self.n_unknown[e] += 1
            if self.n_unknown[e] == 1:
                heapq.heappush(self.queue, e)

    def _settle(self) -> None:
        """Rule 3: hide until no equation gives its only unknown member away."""
        while self.queue:
            e = heapq.heappop(self.queue)
            if self._gives_away(e):
                self._hide(self._choose([e]))

    def _choose(self, equations: Iterable[int]) -> int | None:
        """The visible member of `equations` to hide next, or None when there is none."""
        best = None
        for e in equations:
            for position, k in enumerate(self.members[e]):
                if self._unknown(k):
                    continue
                value = int(self.value[k])
                kind = 1 if position == 0 else (0 if value > 0 else 2)
                closes = sum(self._gives_away(other) for other in self.equations_of[k])
                rank = (kind, -closes, value, k)
                best = min(best, rank) if best is not None else rank
        return None if best is None else best[-1]

    def _verification_picks(self) -> list[int]:
        """Rule 4: one key to hide for each connected group of unknowns with a recoverable protected key."""
        n_keys, n_equations = len(self.keys), len(self.members)
        unknown = self.hidden | ~self.published
        in_use = unknown[self.entry_key]
        rows, columns = self.entry_equation[in_use], self.entry_key[in_use]
        graph = coo_matrix(
            (np.ones(rows.size), (columns, n_keys + rows)), shape=(n_keys + n_equations,) * 2
        )
        _, label = connected_components(graph, directed=False)
        key_label, equation_label = label[:n_keys], label[n_keys:]
        at_risk = unknown & (self.sensitive | self.hidden)
        picks = []
        for group in np.unique(key_label[at_risk]):
            group_keys = np.flatnonzero(unknown & (key_label == group))
            group_equations = np.flatnonzero(equation_label == group)
            if group_equations.size == 0:
                continue
            entries = in_use & (equation_label[self.entry_equation] == group)
            matrix = np.zeros((group_equations.size, group_keys.size))
            matrix[
                np.searchsorted(group_equations, self.entry_equation[entries]),
                np.searchsorted(group_keys, self.entry_key[entries]),
            ] = self.entry_sign[entries]
            determined = group_keys[_determined_columns(matrix) & at_risk[group_keys]]
            for k in determined:
                pick = self._nearest_visible(int(k))
                if pick is not None:
                    picks.append(pick)
                    break
        return picks

    def _nearest_visible(self, k: int) -> int | None:
        """The member to hide from the equations nearest to unknown key `k` that still have a visible one."""
        seen_keys, seen_equations, frontier = {k}, set(), [k]
        while frontier:
            layer = sorted({e for key in frontier for e in self.equations_of[key]} - seen_equations)
            seen_equations.update(layer)
            pick = self._choose(layer)
            if pick is not None:
                return pick
            frontier = sorted({m for e in layer for m in self.members[e] if self._unknown(m)} - seen_keys)
            seen_keys.update(frontier)
        return None


def _determined_columns(matrix: np.ndarray) -> np.ndarray:
    """Which unknowns of the homogeneous system `matrix` have one value only (zero null-space row)."""
    _, singular, vt = np.linalg.svd(matrix, full_matrices=True)
    threshold = singular.max(initial=0.0) * max(matrix.shape) * np.finfo(float).eps
    rank = int((singular > threshold).sum())
    null_space = vt[rank:]
    return np.linalg.norm(null_space, axis=0) <= NULL_SPACE_TOLERANCE
