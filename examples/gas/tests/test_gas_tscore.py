"""The Kiresuk–Sherman T-score against hand-computed values and its invariants."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isu_gas.tscore import t_scores


def t_of(scores, weights, rho=0.3) -> float:
    frame = pd.DataFrame([scores], dtype="Float64")
    return float(t_scores(frame, pd.DataFrame([weights], dtype="Float64"), rho).iloc[0])


def test_hand_computed_values():
    # T = 50 + 10·Σwx / √((1−ρ)Σw² + ρ(Σw)²), ρ = 0.3
    # weights 3, 2, 1 and scores +1, 0, −1: Σwx = 2, Σw² = 14, (Σw)² = 36 → √(9.8 + 10.8) = √20.6
    assert t_of([1, 0, -1], [3, 2, 1]) == pytest.approx(50 + 20 / math.sqrt(20.6))           # 54.4065
    # three unweighted goals at −1: Σx = −3, √(0.7·3 + 0.3·9) = √4.8
    assert t_of([-1, -1, -1], [1, 1, 1]) == pytest.approx(50 - 30 / math.sqrt(4.8))          # 36.3069
    assert t_of([-1, -1, -1], [1, 1, 1]) == pytest.approx(36.3069, abs=1e-4)
    # five unweighted goals all at +2: Σx = 10, √(0.7·5 + 0.3·25) = √11
    assert t_of([2] * 5, [1] * 5) == pytest.approx(50 + 100 / math.sqrt(11))                  # 80.1511


def test_single_goal_is_fifty_plus_ten_times_the_score_whatever_the_weight():
    for score in (-2, -1, 0, 1, 2):
        for weight in (1, 2.5, 9):
            assert t_of([score, None], [weight, None]) == pytest.approx(50 + 10 * score)


def test_every_goal_at_the_expected_level_gives_fifty():
    assert t_of([0, 0, 0, 0], [1, 4, 6, 9]) == 50


def test_rho_zero_with_equal_weights_is_the_sum_over_root_n():
    assert t_of([1, -1, 2, 0], [1, 1, 1, 1], rho=0.0) == pytest.approx(50 + 10 * 2 / math.sqrt(4))


def test_goals_without_a_score_or_weight_do_not_count_and_no_goal_gives_nan():
    scores = pd.DataFrame([[1, None, None], [None, None, None]], dtype="Float64")
    weights = pd.DataFrame([[2, 5, None], [1, 1, 1]], dtype="Float64")
    result = t_scores(scores, weights, 0.3)
    assert result.iloc[0] == pytest.approx(60) and math.isnan(result.iloc[1])


def test_rho_outside_its_range_is_refused():
    with pytest.raises(ValueError):
        t_scores(pd.DataFrame([[0]]), pd.DataFrame([[1]]), 1.0)


goal_sets = st.integers(1, 5).flatmap(lambda n: st.tuples(
    st.lists(st.integers(-2, 2), min_size=n, max_size=n),
    st.lists(st.floats(0.5, 9), min_size=n, max_size=n)))


@settings(deadline=None)
@given(goal_sets, st.floats(0.5, 20), st.floats(0.0, 0.9))
def test_invariants(goals, factor, rho):
    scores, weights = goals
    t = t_of(scores, weights, rho)
    # multiplying every weight by the same factor changes nothing
    assert t_of(scores, [w * factor for w in weights], rho) == pytest.approx(t)
    # reversing every score mirrors T around 50
    assert t_of([-x for x in scores], weights, rho) == pytest.approx(100 - t)
    # raising one goal's score never lowers T
    raised = [min(2, scores[0] + 1), *scores[1:]]
    assert t_of(raised, weights, rho) >= t - 1e-9
    # |Σwx| ≤ 2Σw and (1−ρ)Σw² ≥ (1−ρ)(Σw)²/n bound T; equal weights at ±2 reach the bound
    assert abs(t - 50) <= 20 / math.sqrt(rho + (1 - rho) / len(scores)) + 1e-9
    assert np.isfinite(t)
