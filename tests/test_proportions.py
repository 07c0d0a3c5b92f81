"""Wilson intervals and Benjamini–Hochberg q-values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isu_engine.stats.proportions import (benjamini_hochberg, design_effect, intra_cluster_correlation, wilson_interval,
                                          wilson_interval_design)

# Newcombe (1998), Statistics in Medicine 17:857–872, Table I, method 3 (score interval).
NEWCOMBE_1998 = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
]


@pytest.mark.parametrize(("k", "n", "low", "high"), NEWCOMBE_1998)
def test_wilson_matches_newcombe_1998(k, n, low, high):
    lo, hi = wilson_interval(k, n)
    assert lo == pytest.approx(low, abs=5e-5)
    assert hi == pytest.approx(high, abs=5e-5)


def test_wilson_vectorised_over_arrays():
    k = np.array([row[0] for row in NEWCOMBE_1998])
    n = np.array([row[1] for row in NEWCOMBE_1998])
    lo, hi = wilson_interval(k, n)
    assert isinstance(lo, np.ndarray) and lo.shape == (4,)
    np.testing.assert_allclose(lo, [row[2] for row in NEWCOMBE_1998], atol=5e-5)
    np.testing.assert_allclose(hi, [row[3] for row in NEWCOMBE_1998], atol=5e-5)


def test_wilson_on_series_keeps_index():
    k = pd.Series([81, 0], index=["a", "b"])
    n = pd.Series([263, 20], index=["a", "b"])
    lo, hi = wilson_interval(k, n)
    assert list(lo.index) == ["a", "b"] and list(hi.index) == ["a", "b"]
    assert hi["b"] == pytest.approx(0.1611, abs=5e-5)


def test_wilson_scalar_gives_floats():
    lo, hi = wilson_interval(81, 263)
    assert type(lo) is float and type(hi) is float


def test_wilson_all_successes_mirrors_no_successes():
    lo_none, hi_none = wilson_interval(0, 20)
    lo_all, hi_all = wilson_interval(20, 20)
    assert lo_none == 0.0 and hi_all == 1.0
    assert lo_all == pytest.approx(1 - hi_none, abs=1e-12)


def test_wilson_zero_cases_is_nan():
    lo, hi = wilson_interval(np.array([0, 3]), np.array([0, 10]))
    assert math.isnan(lo[0]) and math.isnan(hi[0])
    assert not math.isnan(lo[1]) and not math.isnan(hi[1])


def test_wilson_missing_count_is_nan():
    lo, hi = wilson_interval(pd.Series([3, pd.NA], dtype="Int64"), pd.Series([10, 10]))
    assert math.isnan(lo.iloc[1]) and math.isnan(hi.iloc[1])
    assert 0 < lo.iloc[0] < 0.3 < hi.iloc[0] < 1


def test_wilson_wider_at_higher_confidence():
    lo95, hi95 = wilson_interval(15, 148)
    lo99, hi99 = wilson_interval(15, 148, confidence=0.99)
    assert lo99 < lo95 and hi99 > hi95


@pytest.mark.scipy
def test_wilson_single_case():
    from scipy import stats

    # k = n = 1 by hand: centre = (1 + z²/2)/(1 + z²), half-width = (z²/2)/(1 + z²), so lo = 1/(1 + z²).
    z = stats.norm.ppf(0.975)
    lo, hi = wilson_interval(1, 1)
    assert lo == pytest.approx(1 / (1 + z**2))
    assert hi == 1.0


def test_wilson_of_one_share_is_the_array_computation_to_the_bit():
    # one share is worked out in plain floats; the published bounds must not move by a single bit
    n = np.repeat(np.arange(0, 200), np.arange(1, 201))
    k = np.concatenate([np.arange(0, m + 1) for m in range(0, 200)])
    for scale in (1.0, 1.37):          # a design effect divides both
        low, high = wilson_interval(k / scale, n / scale)
        one = np.array([wilson_interval(float(a) / scale, float(b) / scale) for a, b in zip(k, n)])
        assert one[:, 0].tobytes() == low.tobytes() and one[:, 1].tobytes() == high.tobytes()


@pytest.mark.parametrize(("k", "n"), [(-1, 10), (11, 10), (0, -1)])
def test_wilson_rejects_impossible_counts(k, n):
    with pytest.raises(ValueError):
        wilson_interval(k, n)


@pytest.mark.parametrize("confidence", [0.0, 1.0, 95])
def test_wilson_rejects_bad_confidence(confidence):
    with pytest.raises(ValueError):
        wilson_interval(5, 10, confidence=confidence)


@given(st.integers(min_value=1, max_value=10_000).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
))
def test_wilson_contains_observed_share(case):
    k, n = case
    lo, hi = wilson_interval(k, n)
    assert 0.0 <= lo <= k / n <= hi <= 1.0
    assert lo < hi


def test_bh_hand_computed():
    # Sorted p: 0.01, 0.02, 0.03, 0.04, 0.20 (m = 5); p·m/rank: 0.05, 0.05, 0.05, 0.05, 0.20.
    p = [0.04, 0.01, 0.20, 0.03, 0.02]
    np.testing.assert_allclose(benjamini_hochberg(p), [0.05, 0.05, 0.20, 0.05, 0.05])


def test_bh_running_minimum_and_cap():
    # Sorted p: 0.01, 0.04, 0.045, 0.9 (m = 4); p·m/rank: 0.04, 0.08, 0.06, 0.9 → q 0.04, 0.06, 0.06, 0.9.
    np.testing.assert_allclose(benjamini_hochberg([0.9, 0.045, 0.01, 0.04]), [0.9, 0.06, 0.04, 0.06])
    # p = 0.6, 0.7 with m = 2: 1.2 and 0.7 → running minimum 0.7, 0.7.
    np.testing.assert_allclose(benjamini_hochberg([0.6, 0.7]), [0.7, 0.7])
    assert benjamini_hochberg([1.0, 1.0, 0.99]).max() <= 1.0


def test_bh_nan_kept_and_not_counted():
    q = benjamini_hochberg([0.01, np.nan, 0.04])
    assert math.isnan(q[1])
    # m = 2, not 3: 0.01·2/1 = 0.02, 0.04·2/2 = 0.04.
    np.testing.assert_allclose(q[[0, 2]], [0.02, 0.04])


def test_bh_empty_and_all_nan():
    assert benjamini_hochberg([]).shape == (0,)
    assert np.isnan(benjamini_hochberg([np.nan, np.nan])).all()


def test_bh_accepts_series_with_na():
    q = benjamini_hochberg(pd.Series([0.01, None, 0.04], dtype="Float64"))
    assert math.isnan(q[1])
    np.testing.assert_allclose(q[[0, 2]], [0.02, 0.04])


def test_bh_rejects_values_outside_unit_interval():
    with pytest.raises(ValueError):
        benjamini_hochberg([0.1, 1.5])


@pytest.mark.scipy
def test_bh_agrees_with_scipy_on_random_input():
    from scipy import stats

    rng = np.random.default_rng(20240601)
    for size in (1, 2, 7, 50, 400):
        p = rng.uniform(size=size) ** 3
        np.testing.assert_allclose(benjamini_hochberg(p), stats.false_discovery_control(p), rtol=1e-12)


probabilities = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@given(st.lists(probabilities, min_size=1, max_size=60))
def test_bh_q_at_least_p_and_at_most_one(p):
    q = benjamini_hochberg(p)
    assert np.all(q >= np.asarray(p) - 1e-15)
    assert np.all(q <= 1.0)


@given(st.lists(probabilities, min_size=1, max_size=60))
def test_bh_monotone_in_p(p):
    q = benjamini_hochberg(p)
    order = np.argsort(p, kind="stable")
    assert np.all(np.diff(q[order]) >= 0)


def test_design_effect_by_hand():
    # Clients A (4 sessions: yes, yes, yes, no), B (no, no), C (yes, yes), D (no, no): n = 10, k = 4, p = 0.5.
    # Client shares 0.75, 0, 1, 0. MSB = [4·0.25² + 2·0.5² + 2·0.5² + 2·0.5²] / 3 = 1.75 / 3 = 7/12.
    # SSW = 3·0.25² + 0.75² = 0.75, MSW = 0.75 / (10 − 4) = 1/8. m0 = (10 − 28/10) / 3 = 2.4.
    # ρ = (7/12 − 1/8) / (7/12 + 1.4 · 1/8) = (11/24) / (91/120) = 55/91.
    # m̃ = Σm² / Σm = 28/10 = 2.8; deff = 1 + 1.8 · 55/91 = 190/91 ≈ 2.0879.
    values = pd.Series([1, 1, 1, 0, 0, 0, 1, 1, 0, 0], dtype="float64")
    clients = pd.Series(list("AAAABBCCDD"))
    assert intra_cluster_correlation(values, clients) == pytest.approx(55 / 91)
    assert design_effect(values, clients) == pytest.approx(190 / 91)
    # The Wilson interval for 5 of 10 at the effective size n/deff = 910/190 ≈ 4.789:
    # centre 0.5, half-width z·√(0.25/n + z²/(4n²)) / (1 + z²/n) = 1.96·√(0.05220 + 0.04187) / 1.80206 ≈ 0.33357.
    low, high = wilson_interval_design(5, 10, 190 / 91)
    assert (low, high) == pytest.approx((0.16643, 0.83357), abs=1e-5)
    plain_low, plain_high = wilson_interval(5, 10)
    assert low < plain_low and high > plain_high


def test_design_effect_is_one_without_clusters_or_correlation():
    values = pd.Series([1, 0, 1, 0, 1, 0], dtype="float64")
    assert design_effect(values, pd.Series(list("abcdef"))) == 1.0                 # one session per client
    assert design_effect(values, pd.Series(list("aabbcc"))) == 1.0                 # negative correlation → 0
    # Every client answers the same at every session but clients differ: ρ = 1, deff = m̃ = 2.
    assert design_effect(pd.Series([1, 1, 0, 0, 1, 1], dtype="float64"), pd.Series(list("aabbcc"))) == pytest.approx(2.0)
    with pytest.raises(ValueError):
        wilson_interval_design(1, 2, 0.5)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.booleans()), min_size=2, max_size=60))
def test_design_effect_lies_between_one_and_the_cluster_size(rows):
    clients = pd.Series([c for c, _ in rows])
    values = pd.Series([float(v) for _, v in rows])
    sizes = clients.value_counts()
    deff = design_effect(values, clients)
    assert 1.0 <= deff <= (sizes**2).sum() / sizes.sum() + 1e-9
