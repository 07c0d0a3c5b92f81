"""The linear programs behind disclosure control and the audit, checked against scipy's linprog and by hand."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from isu_engine.protect.solver import INFEASIBLE, OPTIMAL, UNBOUNDED, LinearProgram


def drawn(system, upper: float = np.inf) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray, LinearProgram]:
    """A drawn system as counts that are sums of atoms (each row of 0/1 sums the atoms it holds; the true sizes
    satisfy every row), its costs, and its program with every atom between 0 and `upper`."""
    rows, sizes, costs = (np.array(part) for part in system)
    matrix = sparse.csr_matrix(rows.astype(float))
    rhs = matrix @ sizes.astype(float)
    n = len(sizes)
    return matrix, rhs, costs.astype(float), LinearProgram(matrix, rhs, rhs, np.zeros(n), np.full(n, upper))


systems = st.integers(1, 6).flatmap(lambda rows: st.integers(1, 7).flatmap(lambda cols: st.tuples(
    st.lists(st.lists(st.integers(0, 1), min_size=cols, max_size=cols), min_size=rows, max_size=rows),
    st.lists(st.integers(0, 9), min_size=cols, max_size=cols),
    st.lists(st.integers(-2, 2), min_size=cols, max_size=cols))))


@pytest.mark.scipy
@settings(deadline=None)
@given(systems)
def test_the_least_value_is_scipys_and_every_answer_solves_the_system(system):
    from scipy.optimize import linprog

    matrix, rhs, costs, program = drawn(system)
    for objective in (costs, -costs, np.eye(len(costs))[0]):   # one program, many questions
        found = program.minimise(objective)
        expected = linprog(objective, A_eq=matrix.toarray(), b_eq=rhs, bounds=(0, None), method="highs")
        assert found.status == {0: OPTIMAL, 3: UNBOUNDED}[expected.status]
        if found.status == OPTIMAL:
            assert abs(found.value - expected.fun) <= 1e-7 * max(1.0, abs(expected.fun))
            assert np.allclose(matrix @ found.x, rhs, atol=1e-7) and (found.x >= -1e-9).all()
            assert len(found.duals) == matrix.shape[0]


@settings(deadline=None)
@given(systems)
def test_the_whole_number_minimum_is_the_least_over_every_whole_solution(system):
    bound = sum(system[1])      # a whole solution of sums of atoms never has an atom above the largest sum …
    matrix, rhs, costs, program = drawn(system, upper=float(bound))   # … so this bound loses none
    n = len(costs)
    x = program.whole_number_minimum(costs, node_limit=500, time_limit=10.0)
    dense = matrix.toarray()
    best = min(costs @ np.array(candidate) for candidate in itertools.product(range(bound + 1), repeat=n)
               if np.array_equal(dense @ np.array(candidate), rhs)) if n <= 4 and bound <= 6 else None
    assert x is not None and np.allclose(x, np.round(x)) and np.allclose(dense @ np.round(x), rhs)
    if best is not None:
        assert costs @ np.round(x) == best


def test_a_system_without_a_solution_and_one_without_a_least_value():
    matrix = sparse.csr_matrix(np.array([[1.0, 1.0], [1.0, 1.0]]))
    contradicting = LinearProgram(matrix, np.array([3.0, 4.0]), np.array([3.0, 4.0]), np.zeros(2), np.full(2, np.inf))
    assert contradicting.minimise(np.array([1.0, 0.0])).status == INFEASIBLE
    difference = LinearProgram(sparse.csr_matrix(np.array([[1.0, -1.0]])), np.array([2.0]), np.array([2.0]),
                               np.zeros(2), np.full(2, np.inf))
    assert difference.minimise(np.array([-1.0, 0.0])).status == UNBOUNDED      # a − b = 2: a as large as one likes
    assert difference.minimise(np.array([1.0, 0.0])).value == 2.0


def test_the_solver_writes_nothing_to_the_terminal(capfd):
    """HiGHS prints a banner and a log unless told not to, from C++ straight to the process's output."""
    matrix = sparse.csr_matrix(np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]]))
    program = LinearProgram(matrix, np.array([4.0, 6.0]), np.array([4.0, 6.0]), np.zeros(3), np.full(3, np.inf))
    program.minimise(np.array([1.0, 0.0, 0.0]))
    program.whole_number_minimum(np.array([0.0, 1.0, 0.0]), node_limit=10, time_limit=1.0)
    assert capfd.readouterr() == ("", "")
