"""Each group against the rest, and which differences are flagged."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from isu_engine.stats.groups import FlagRule, each_group_against_rest, flag_differences
from isu_engine.stats.proportions import wilson_interval


def cases(counts: dict[str, tuple[int, int]]) -> tuple[pd.Series, pd.Series]:
    """Rows for {group: (yes, no)}, in a shuffled order."""
    indicator, groups = [], []
    for group, (yes, no) in counts.items():
        indicator += [True] * yes + [False] * no
        groups += [group] * (yes + no)
    order = np.random.default_rng(7).permutation(len(groups))
    return pd.Series(indicator).iloc[order].reset_index(drop=True), pd.Series(groups).iloc[order].reset_index(drop=True)


# A: 24 yes / 6 no, B: 12 / 18, C: 1 / 5 → 66 cases, 37 yes.
COUNTS = {"A": (24, 6), "B": (12, 18), "C": (1, 5)}


@pytest.fixture
def table() -> pd.DataFrame:
    indicator, groups = cases(COUNTS)
    # Not assessed (indicator missing) and no group: both left out.
    indicator = pd.concat([indicator, pd.Series([None, None, True, False, True])], ignore_index=True)
    groups = pd.concat([groups, pd.Series(["A", "B", None, None, None])], ignore_index=True)
    return each_group_against_rest(indicator.astype("boolean"), groups).set_index("group")


def test_counts_and_rest(table):
    assert list(table.index) == ["A", "B", "C"]
    assert table["n"].tolist() == [30, 30, 6]
    assert table["k"].tolist() == [24, 12, 1]
    assert table["n_rest"].tolist() == [36, 36, 60]
    assert table["k_rest"].tolist() == [13, 25, 36]


def test_percentages_and_difference(table):
    assert table.loc["A", "pct"] == pytest.approx(80.0)
    assert table.loc["A", "pct_rest"] == pytest.approx(100 * 13 / 36)
    assert table.loc["B", "diff"] == pytest.approx(40.0 - 100 * 25 / 36)
    assert table.loc["C", "pct"] == pytest.approx(100 / 6)


def test_interval_in_percent(table):
    # Newcombe (1998): 15/148 → 0.0624–0.1605; here checked through the percent scale.
    indicator, groups = cases({"X": (15, 133), "Y": (5, 5)})
    x = each_group_against_rest(indicator, groups).set_index("group").loc["X"]
    assert x["ci_low"] == pytest.approx(6.24, abs=5e-3)
    assert x["ci_high"] == pytest.approx(16.05, abs=5e-3)
    low, high = wilson_interval(24, 30)
    assert table.loc["A", "ci_low"] == pytest.approx(100 * low)
    assert table.loc["A", "ci_high"] == pytest.approx(100 * high)


@pytest.mark.scipy
def test_chi2_when_every_expected_count_is_at_least_five(table):
    from scipy import stats

    # A vs rest: [[24, 6], [13, 23]]; smallest expected count 30·29/66 ≈ 13.2.
    expected = stats.chi2_contingency([[24, 6], [13, 23]], correction=False).pvalue
    assert table.loc["A", "test"] == "chi2"
    assert table.loc["A", "p_value"] == pytest.approx(expected, rel=1e-12)
    # Pearson without correction, by hand: N(ad − bc)² / (row and column sums).
    statistic = 66 * (24 * 23 - 6 * 13) ** 2 / (30 * 36 * 37 * 29)
    assert table.loc["A", "p_value"] == pytest.approx(stats.chi2.sf(statistic, 1), rel=1e-12)
    assert table.loc["B", "test"] == "chi2"
    expected_b = stats.chi2_contingency([[12, 18], [25, 11]], correction=False).pvalue
    assert table.loc["B", "p_value"] == pytest.approx(expected_b, rel=1e-12)


@pytest.mark.scipy
def test_fisher_when_an_expected_count_is_below_five(table):
    from scipy import stats

    # C vs rest: [[1, 5], [36, 24]]; expected yes in C = 6·37/66 ≈ 3.4.
    assert table.loc["C", "test"] == "fisher"
    expected = stats.fisher_exact([[1, 5], [36, 24]], alternative="two-sided").pvalue
    assert table.loc["C", "p_value"] == pytest.approx(expected, rel=1e-12)


def test_expected_count_of_exactly_five_uses_chi2():
    # X vs rest: [[5, 5], [20, 20]]; expected yes in X = 10·25/50 = 5 exactly.
    indicator, groups = cases({"X": (5, 5), "Y": (20, 20)})
    row = each_group_against_rest(indicator, groups).set_index("group").loc["X"]
    assert row["test"] == "chi2"
    assert row["p_value"] == pytest.approx(1.0)


def test_single_group_has_no_test():
    indicator, groups = cases({"only": (3, 4)})
    result = each_group_against_rest(indicator, groups)
    assert len(result) == 1
    row = result.iloc[0]
    assert row["n_rest"] == 0 and math.isnan(row["pct_rest"]) and math.isnan(row["diff"])
    assert math.isnan(row["p_value"]) and row["test"] is None


def test_empty_margin_has_no_test():
    # Everyone said yes: the "no" column of every 2x2 table is empty.
    indicator, groups = cases({"A": (8, 0), "B": (5, 0)})
    result = each_group_against_rest(indicator, groups)
    assert result["p_value"].isna().all()
    assert result["test"].isna().all()
    assert result["diff"].tolist() == [0.0, 0.0]


def test_categorical_order_and_unused_categories():
    indicator, groups = cases(COUNTS)
    groups = groups.astype(pd.CategoricalDtype(["C", "unused", "B", "A"], ordered=True))
    result = each_group_against_rest(indicator, groups)
    assert result["group"].tolist() == ["C", "B", "A"]
    assert result["n"].tolist() == [6, 30, 30]


def test_labels_sorted_without_categories():
    indicator, groups = cases({"women": (3, 2), "men": (1, 4), "another": (2, 2)})
    assert each_group_against_rest(indicator, groups)["group"].tolist() == ["another", "men", "women"]


def test_group_with_no_assessed_cases_is_left_out():
    indicator = pd.Series([True, False, None, None], dtype="object")
    groups = pd.Series(["a", "a", "b", "b"])
    result = each_group_against_rest(indicator, groups)
    assert result["group"].tolist() == ["a"]


@pytest.mark.parametrize(
    "indicator",
    [
        pd.Series([1.0, 0.0, np.nan, 1.0, 1.0, 0.0]),
        pd.Series([True, False, None, True, True, False], dtype="object"),
        pd.Series([True, False, pd.NA, True, True, False], dtype="boolean"),
    ],
)
def test_indicator_types(indicator):
    groups = pd.Series(["a", "a", "a", "b", "b", "b"])
    result = each_group_against_rest(indicator, groups)
    assert result["n"].tolist() == [2, 3]
    assert result["k"].tolist() == [1, 2]


def test_rejects_values_that_are_not_yes_or_no():
    with pytest.raises(ValueError):
        each_group_against_rest(pd.Series(["yes", "no"]), pd.Series(["a", "b"]))
    with pytest.raises(ValueError):
        each_group_against_rest(pd.Series([2, 0]), pd.Series(["a", "b"]))


def test_rejects_misaligned_index():
    with pytest.raises(ValueError):
        each_group_against_rest(pd.Series([True, False], index=[0, 1]), pd.Series(["a", "b"], index=[1, 2]))


def test_column_order():
    indicator, groups = cases(COUNTS)
    assert list(each_group_against_rest(indicator, groups).columns) == [
        "group", "n", "k", "pct", "ci_low", "ci_high",
        "n_rest", "k_rest", "pct_rest", "diff", "p_value", "test",
    ]


def test_flag_requires_large_clear_difference_and_enough_cases():
    table = pd.DataFrame(
        {
            "diff": [10.0, -10.0, 9.99, 25.0, 25.0, 25.0, 25.0, np.nan],
            "n": [20, 20, 20, 19, 20, 20, 20, 20],
            "n_rest": [20, 20, 20, 20, 19, 20, 20, 20],
        }
    )
    q = [0.01, 0.01, 0.01, 0.01, 0.01, 0.05, np.nan, 0.01]
    assert flag_differences(table, q, FlagRule()).tolist() == [True, True, False, False, False, False, False, False]


def test_flag_difference_of_ten_points_from_counts():
    # 7/30 = 23.3 % against 4/30 = 13.3 %: exactly 10 points, though floating point gives 9.999….
    indicator, groups = cases({"X": (7, 23), "Y": (4, 26)})
    table = each_group_against_rest(indicator, groups)
    assert table["diff"].abs().tolist() == pytest.approx([10.0, 10.0])
    assert flag_differences(table, [0.01, 0.01], FlagRule()).tolist() == [True, True]


def test_flag_group_of_nineteen_is_not_flagged():
    indicator, groups = cases({"small": (19, 0), "rest": (10, 30)})
    table = each_group_against_rest(indicator, groups).set_index("group")
    assert table.loc["small", "n"] == 19 and table.loc["small", "diff"] == pytest.approx(75.0)
    flags = flag_differences(table, [0.001, 0.001], FlagRule())
    assert flags.tolist() == [False, False]
    assert flags.index.tolist() == table.index.tolist()


def test_flag_rule_is_configurable():
    table = pd.DataFrame({"diff": [6.0], "n": [8], "n_rest": [8]})
    assert flag_differences(table, [0.08], FlagRule(min_difference=5, max_q=0.1, min_group=8)).tolist() == [True]
    assert flag_differences(table, [0.08], FlagRule()).tolist() == [False]


def test_flag_needs_one_q_per_row():
    table = pd.DataFrame({"diff": [12.0, 12.0], "n": [30, 30], "n_rest": [30, 30]})
    with pytest.raises(ValueError):
        flag_differences(table, [0.01], FlagRule())


# --- Fisher's exact test without scipy.stats -------------------------------------------------------

from fractions import Fraction  # noqa: E402
from math import comb  # noqa: E402

from hypothesis import given, settings, strategies as st  # noqa: E402

from isu_engine.stats.groups import fisher_exact_p  # noqa: E402


def test_fisher_known_answer_the_lady_tasting_tea():
    # [[3, 1], [1, 3]]: the tables no more likely than it are x = 0, 1, 3, 4 of 0..4, so p = (1+16+16+1)/70.
    assert fisher_exact_p(np.array([[3, 1], [1, 3]])) == pytest.approx(34 / 70, rel=1e-13)


def test_fisher_known_answer_by_exact_fractions():
    # [[1, 9], [11, 3]]: sum of hypergeometric probabilities no larger than the observed one, exactly.
    def probability(x):
        return Fraction(comb(10, x) * comb(14, 12 - x), comb(24, 12))
    observed = probability(1)
    exact = sum(probability(x) for x in range(0, 11) if probability(x) <= observed)
    assert fisher_exact_p(np.array([[1, 9], [11, 3]])) == pytest.approx(float(exact), rel=1e-13)


def _small_expected_tables():
    """2x2 tables where an expected count is below 5 (where the report uses Fisher), of every size."""
    big = st.integers(0, 200_000)
    small = st.integers(0, 12)
    return st.tuples(small, st.integers(0, 40), big, big) | st.tuples(st.integers(0, 60), st.integers(0, 60),
                                                                      st.integers(0, 60), st.integers(0, 60))


@pytest.mark.scipy
@settings(max_examples=15 * settings.default.max_examples, deadline=None)  # 1500 in the thorough profile
@given(_small_expected_tables(), st.permutations(range(4)))
def test_fisher_is_scipys_on_many_tables(cells, order):
    from scipy import stats

    table = np.array([cells[i] for i in order], dtype="int64").reshape(2, 2)
    if (table.sum(axis=0) == 0).any() or (table.sum(axis=1) == 0).any():
        return
    expected = float(stats.fisher_exact(table, alternative="two-sided").pvalue)
    assert fisher_exact_p(table) == pytest.approx(expected, rel=1e-9, abs=1e-200)
