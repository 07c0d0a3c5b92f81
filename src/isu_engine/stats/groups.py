"""Group differences in a proportion: each group against the rest of the cases.

For an indicator (yes / no per case) and a grouping variable, every group is set
against all other assessed cases in a 2x2 table (this group / the rest × yes / no).
The share in the group gets a 95% Wilson interval (see `proportions`). The test is
Pearson's chi-square without continuity correction when every expected count of the
table is at least 5, and Fisher's exact test (two-sided) otherwise, where the
chi-square approximation is poor. The p-values of one report are adjusted together
with Benjamini–Hochberg; a difference is flagged when it is large, clear after that
adjustment, and both sides hold enough cases for the comparison to mean something.

The family adjusted together is the report's distinct *contrasts* (`contrast_key`): with
two groups, "A against the rest" and "B against the rest" are one test and count once.
Only contrasts that could be flagged belong to it — both sides at least `min_group` and
shown after disclosure control — so groups too small to matter do not raise the q of
the others (`family_q_values`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from isu_engine.stats.proportions import benjamini_hochberg, wilson_interval

MIN_EXPECTED_FOR_CHI2 = 5.0
DIFFERENCE_TOLERANCE = 1e-9

COLUMNS = [
    "group", "n", "k", "pct", "ci_low", "ci_high",
    "n_rest", "k_rest", "pct_rest", "diff", "p_value", "test",
]


@dataclass(frozen=True)
class FlagRule:
    """When a group difference is flagged for reflection."""

    min_difference: float = 10.0  # percentage points
    max_q: float = 0.05
    min_group: int = 20


def each_group_against_rest(indicator: pd.Series, groups: pd.Series) -> pd.DataFrame:
    """Share of yes in each group, against the share in all other cases, with a test.

    `indicator` is boolean-like (True/False or 1/0; missing = not assessed) and `groups`
    holds the group of each row; both must share one index. Rows missing either are left
    out. One row per group with at least one assessed case, in categorical order when
    `groups` is Categorical and sorted by label otherwise. Shares and intervals are in
    percent, `diff` in percentage points. `p_value` is NaN and `test` None when the 2x2
    table has an empty row or column, e.g. when only one group is present.
    """
    if not indicator.index.equals(groups.index):
        raise ValueError("indicator and groups must share one index")
    assessed = indicator.notna() & groups.notna()
    answers = indicator[assessed]
    if not answers.isin([True, False]).all():
        raise ValueError("indicator must hold only True/False (or 1/0) and missing values")

    counts = (
        answers.astype(bool).astype("int64")
        .groupby(groups[assessed], observed=True, sort=True)
        .agg(["size", "sum"])
    )
    against = against_rest(counts["size"].to_numpy(dtype="int64"), counts["sum"].to_numpy(dtype="int64"))
    return pd.DataFrame({"group": counts.index.to_numpy(), **against}, columns=COLUMNS)


def against_rest(n: np.ndarray, k: np.ndarray) -> dict[str, Any]:
    """The columns of `each_group_against_rest` but the group, from each group's assessed (n) and yes (k);
    the rest of a group is every other group given."""
    n_rest = n.sum() - n
    k_rest = k.sum() - k
    low, high = wilson_interval(k, n)
    pct = 100.0 * k / n
    with np.errstate(divide="ignore", invalid="ignore"):
        pct_rest = np.where(n_rest > 0, 100.0 * k_rest / n_rest, np.nan)
    tests = [_test_two_by_two(*cells) for cells in zip(k, n - k, k_rest, n_rest - k_rest, strict=True)]
    return {"n": n, "k": k, "pct": pct, "ci_low": 100.0 * low, "ci_high": 100.0 * high, "n_rest": n_rest,
            "k_rest": k_rest, "pct_rest": pct_rest, "diff": pct - pct_rest,
            "p_value": np.array([p for p, _ in tests], dtype="float64"),
            "test": pd.Series([name for _, name in tests], dtype="object")}


def flag_differences(table: pd.DataFrame, q_values: Any, rule: FlagRule) -> pd.Series:
    """True where a row of `each_group_against_rest` is a difference worth reflecting on.

    `q_values` are the adjusted p-values of the table's rows, taken by position. A row is
    flagged when |diff| >= rule.min_difference (within 1e-9, so exactly 10 points counts),
    q < rule.max_q, and both the group and the rest hold at least rule.min_group cases.
    A missing q or diff never flags.
    """
    q = np.asarray(q_values, dtype="float64")
    if q.shape != (len(table),):
        raise ValueError(f"expected {len(table)} q-values, got {q.size}")
    large = table["diff"].abs().to_numpy(dtype="float64") >= rule.min_difference - DIFFERENCE_TOLERANCE
    clear = q < rule.max_q
    enough = (table["n"].to_numpy() >= rule.min_group) & (table["n_rest"].to_numpy() >= rule.min_group)
    return pd.Series(large & clear & enough, index=table.index, name="flagged")


def _test_two_by_two(yes: int, no: int, rest_yes: int, rest_no: int) -> tuple[float, str | None]:
    """p-value and test name for the table [[yes, no], [rest_yes, rest_no]]."""
    table = np.array([[yes, no], [rest_yes, rest_no]], dtype="int64")
    rows, columns = table.sum(axis=1), table.sum(axis=0)
    if (rows == 0).any() or (columns == 0).any():
        return float("nan"), None
    expected = np.outer(rows, columns) / table.sum()
    if (expected >= MIN_EXPECTED_FOR_CHI2).all():
        return chi_square_p(table), "chi2"
    return fisher_exact_p(table), "fisher"


def fisher_exact_p(table: np.ndarray) -> float:
    """Two-sided p-value of Fisher's exact test, 2x2 table with no empty row or column.

    With the margins fixed, the top-left count x follows the hypergeometric distribution;
    the p-value is the probability of every x no more likely than the one observed (ties
    within a relative 1e-7 count as equally likely, as in R's `fisher.test`). The
    probabilities are built from the ratio of neighbouring ones, in logs, so that large
    tables neither overflow nor need scipy.stats (seconds to import for one test).
    """
    (a, b), (c, d) = np.asarray(table, dtype="int64").tolist()
    first_row, second_row, first_column = a + b, c + d, a + c
    low, high = max(0, first_column - second_row), min(first_column, first_row)
    x = np.arange(low, high, dtype="float64")
    log_ratio = (np.log(first_row - x) + np.log(first_column - x)
                 - np.log(x + 1) - np.log(second_row - first_column + x + 1))
    log_probability = np.concatenate([[0.0], np.cumsum(log_ratio)])
    probability = np.exp(log_probability - log_probability.max())
    observed = probability[a - low]
    return float(min(1.0, probability[probability <= observed * (1 + 1e-7)].sum() / probability.sum()))


def chi_square_p(table: np.ndarray) -> float:
    """p-value of Pearson's chi-square test of independence without continuity correction, 2x2 table
    with no empty row or column (the same arithmetic as `scipy.stats.chi2_contingency`)."""
    from scipy.special import chdtrc

    observed = table.astype("float64")
    expected = observed.sum(axis=1, keepdims=True) * observed.sum(axis=0, keepdims=True) / observed.sum()
    statistic = ((observed - expected) ** 2 / expected).sum()
    return float(chdtrc(1, statistic))


def contrast_key(dataset: str, groups: list, group: object, k: int, n: int, k_rest: int, n_rest: int) -> tuple:
    """What a group-against-rest test compares, whatever side it is read from: the dataset and the two
    sides as (groups, yes, assessed). With two groups, A against the rest and B against the rest give
    the same key; the same split of the same dataset in a report and in a comparison does too."""
    side = (frozenset([group]), int(k), int(n))
    rest = (frozenset(g for g in groups if g != group), int(k_rest), int(n_rest))
    return dataset, frozenset([side, rest])


def family_q_values(p_values: dict) -> dict:
    """Benjamini–Hochberg q per contrast, over the given contrasts (one p-value each)."""
    keys = list(p_values)
    if not keys:
        return {}
    q = benjamini_hochberg([p_values[key] for key in keys])
    return {key: float(value) for key, value in zip(keys, q, strict=True)}
