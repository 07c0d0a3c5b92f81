"""Linear programs over a reader's equations, solved with HiGHS (highspy).

Disclosure control and the audit ask one system of equations many questions: the least and
the greatest value of one set of atoms after another. A `LinearProgram` holds its system in
one HiGHS instance, so that each question only changes the objective. Each question is solved
from no basis, as if it were the first: the solution and the dual values found, and with them
the counts secondary suppression hides, do not depend on the questions asked before (starting
from the last basis would be quicker for large systems but could pick another of several
equally good counts to hide). Answering a small system this way takes about 0.35 ms, where
building it anew for each question through scipy.optimize took 1.8 ms.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
from highspy._core import _Highs     # the bare binding scipy also uses: highspy.Highs prints a banner on creation

OPTIMAL = "optimal"
UNBOUNDED = "unbounded"
INFEASIBLE = "infeasible"
UNSOLVED = "unsolved"            # a limit was reached or HiGHS could not tell

_STATUS = {highspy.HighsModelStatus.kOptimal: OPTIMAL, highspy.HighsModelStatus.kUnbounded: UNBOUNDED,
           highspy.HighsModelStatus.kInfeasible: INFEASIBLE}


@dataclass
class Optimum:
    """What one question found: its status and, when optimal, the value, a solution and the equations'
    dual values (non-zero for the equations that hold the optimum where it is)."""

    status: str
    value: float | None = None
    x: np.ndarray | None = None
    duals: np.ndarray | None = None


class LinearProgram:
    """row_lower ≤ matrix·x ≤ row_upper with col_lower ≤ x ≤ col_upper (np.inf for no bound)."""

    def __init__(self, matrix, row_lower: np.ndarray, row_upper: np.ndarray,
                 col_lower: np.ndarray, col_upper: np.ndarray) -> None:
        matrix = matrix.tocsc()
        matrix.sort_indices()
        self.n = matrix.shape[1]
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = self.n, matrix.shape[0]
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = self.n, matrix.shape[0]
        lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
        lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
        lp.a_matrix_.value_ = matrix.data.astype(np.float64)
        lp.col_cost_ = np.zeros(self.n)
        lp.col_lower_, lp.col_upper_ = _floats(col_lower), _floats(col_upper)   # ±inf: no bound
        lp.row_lower_, lp.row_upper_ = _floats(row_lower), _floats(row_upper)
        self._lp = lp
        self._highs = _instance(presolve="off", solver="simplex", simplex_strategy=1)   # 1: dual simplex
        self._highs.passModel(lp)
        self._columns = np.arange(self.n, dtype=np.int32)

    def minimise(self, objective: np.ndarray) -> Optimum:
        """The least value of objective·x over the system."""
        self._highs.changeColsCost(self.n, self._columns, np.asarray(objective, dtype=np.float64))
        self._highs.clearSolver()         # from no basis: the answer does not depend on the questions before
        self._highs.run()
        status = _STATUS.get(self._highs.getModelStatus(), UNSOLVED)
        if status != OPTIMAL:
            return Optimum(status)
        solution = self._highs.getSolution()
        return Optimum(status, float(self._highs.getInfo().objective_function_value),
                       np.array(solution.col_value), np.array(solution.row_dual))

    def whole_number_minimum(self, objective: np.ndarray, node_limit: int, time_limit: float) -> np.ndarray | None:
        """A whole-number x with the least objective·x found within the limits (None when none was found);
        every column whole, every row within 1e-6 of its bounds."""
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = self._lp.num_col_, self._lp.num_row_
        lp.a_matrix_ = self._lp.a_matrix_
        lp.col_cost_ = np.asarray(objective, dtype=np.float64)
        lp.col_lower_, lp.col_upper_ = self._lp.col_lower_, self._lp.col_upper_
        lp.row_lower_ = np.asarray(self._lp.row_lower_) - 1e-6
        lp.row_upper_ = np.asarray(self._lp.row_upper_) + 1e-6
        lp.integrality_ = [highspy.HighsVarType.kInteger] * self.n
        highs = _instance(mip_max_nodes=node_limit, time_limit=float(time_limit))
        highs.passModel(lp)
        highs.run()
        x = np.array(highs.getSolution().col_value)
        return x if len(x) == self.n and highs.getSolution().value_valid else None


def _instance(**options) -> _Highs:
    """A silent HiGHS instance with the options given, on one thread: the programs are small, and HiGHS's
    pool of threads took longer to start than a whole-number search took (9 ms against 4 ms on two cores)."""
    highs = _Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    for name, value in options.items():
        highs.setOptionValue(name, value)
    return highs


def _floats(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)
