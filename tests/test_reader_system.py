"""The reader's linear system (protect/system.py): bounds from the visible equations, and the
solutions kept between searches answering only while they still solve the equations."""

import numpy as np

from isu_engine.protect.system import Bounds, Equation, Solutions

# three atoms of sizes 2, 3 and 5; the total 10 and the first two together (5) are visible
SIZES = np.array([2, 3, 5])
TOTAL = Equation(np.array([0, 1, 2]), np.ones(3), 10.0)
FIRST_TWO = Equation(np.array([0, 1]), np.ones(2), 5.0)


def test_an_atom_beside_a_visible_one_is_pinned_and_a_free_one_is_not():
    pinned = Bounds(SIZES, [TOTAL, FIRST_TWO, Equation(np.array([1]), np.ones(1), 3.0)])
    assert not pinned.protected(np.array([0]), 1, 4)          # 5 − 3: the reader knows it is 2
    assert pinned.binding                                     # and which equations tell
    free = Bounds(SIZES, [TOTAL, FIRST_TWO])
    assert free.protected(np.array([0]), 1, 4)                # 0 … 5: it may be 0 or 5


def test_a_kept_solution_answers_only_while_it_solves_the_equations():
    solutions = Solutions(3)
    solutions.add(np.array([0.0, 5.0, 5.0]))                  # atom 0 empty: a solution of TOTAL and FIRST_TWO
    matrix = np.array([[1.0, 1.0, 1.0], [1.0, 1.0, 0.0]])
    assert solutions.outside(matrix, np.array([10.0, 5.0]), np.array([0]), 1, 4, whole_only=True)
    # once atom 1 is visible at 3, that solution is no solution: it must not answer
    pinned = np.vstack([matrix, [0.0, 1.0, 0.0]])
    assert not solutions.outside(pinned, np.array([10.0, 5.0, 3.0]), np.array([0]), 1, 4, whole_only=True)


def test_a_fractional_solution_does_not_answer_where_whole_numbers_are_required():
    solutions = Solutions(3)
    solutions.add(np.array([0.25, 4.75, 5.0]))
    matrix = np.array([[1.0, 1.0, 1.0], [1.0, 1.0, 0.0]])
    rhs = np.array([10.0, 5.0])
    assert not solutions.outside(matrix, rhs, np.array([0]), 1, 4, whole_only=True)
    assert solutions.outside(matrix, rhs, np.array([0]), 1, 4, whole_only=False)


def test_searches_fill_the_kept_solutions_and_a_later_system_uses_them():
    solutions = Solutions(3)
    first = Bounds(SIZES, [TOTAL, FIRST_TWO], solutions=solutions)
    assert first.protected(np.array([0]), 1, 4)
    assert solutions.found >= 1
    later = Bounds(SIZES, [TOTAL], solutions=solutions)       # one equation fewer: the solution still holds
    found = solutions.found
    assert later.protected(np.array([0]), 1, 4)
    assert solutions.found == found                           # answered without a new search


def test_only_the_most_recent_solutions_are_kept():
    solutions = Solutions(1)
    for value in range(Solutions.KEPT + 3):
        solutions.add(np.array([float(value)]))
    kept = sorted(solutions.kept[0].tolist())
    assert kept == [float(v) for v in range(3, Solutions.KEPT + 3)]
