"""Proportions with Wilson score intervals, and Benjamini–Hochberg adjusted p-values.

The Wilson interval (Wilson 1927) inverts the score test for a binomial proportion:
it is the set of proportions p for which |k/n − p| ≤ z·sqrt(p(1 − p)/n). Unlike the
textbook Wald interval k/n ± z·sqrt(p̂(1 − p̂)/n) it keeps close to its nominal coverage
for small n and for proportions near 0 or 1, never leaves [0, 1], and does not collapse
to a single point when k = 0 or k = n (Newcombe 1998; Brown, Cai & DasGupta 2001).
Unit-level ISU groups are often small, so this is the interval the engine reports.

Shares of sessions are not shares of people: one client fills in many sessions, and their
answers resemble each other. `design_effect` measures how much that widens the interval —
Kish's design effect for clusters of unequal size, deff = 1 + (m′ − 1)·ρ, with m′ = Σm²/Σm
from the clients' numbers of sessions and ρ the intra-client correlation of the yes/no
answers (one-way ANOVA estimator, Donner 1986; a negative estimate counts as 0) — and
`wilson_interval_design` gives the Wilson interval for the effective sample size n/deff
(the same share, k/deff of n/deff).

Benjamini–Hochberg (1995) adjusts the p-values of the m tests in one report so that
flagging every q < α keeps the expected share of false flags at or below α.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd


def wilson_interval(k: Any, n: Any, confidence: float = 0.95) -> tuple[Any, Any]:
    """Wilson score interval for k successes out of n, as proportions in [0, 1].

    `k` and `n` may be scalars, numpy arrays or Series; they broadcast positionally.
    The result is a pair of floats for scalar input, of Series (index of the first
    Series given) when either input is a Series, and of arrays otherwise. Where n == 0
    or a count is missing, both bounds are NaN.
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")
    if isinstance(k, (int, float)) and isinstance(n, (int, float)):
        return _wilson_one(float(k), float(n), _z(confidence))
    k_values = _as_floats(k)
    n_values = _as_floats(n)
    with np.errstate(invalid="ignore"):
        invalid = (n_values < 0) | (k_values < 0) | (k_values > n_values)
    if np.any(invalid):
        raise ValueError("counts must satisfy 0 <= k <= n")

    with np.errstate(divide="ignore", invalid="ignore"):
        n_safe = np.where(n_values > 0, n_values, np.nan)
        share = k_values / n_safe
        centre, half_width = _centre_and_half_width(share, n_safe, _z(confidence), np.sqrt)
    low = np.where(k_values == 0, 0.0, np.clip(centre - half_width, 0.0, 1.0))
    high = np.where(k_values == n_values, 1.0, np.clip(centre + half_width, 0.0, 1.0))
    low = np.where(np.isnan(share), np.nan, low)
    high = np.where(np.isnan(share), np.nan, high)
    return _shaped_like_input(low, k, n), _shaped_like_input(high, k, n)


def _wilson_one(k: float, n: float, z: float) -> tuple[float, float]:
    """`wilson_interval` of one share, in plain floats (the same arithmetic, without the cost of arrays)."""
    if n < 0 or k < 0 or k > n:
        raise ValueError("counts must satisfy 0 <= k <= n")
    if not n > 0 or math.isnan(k):
        return math.nan, math.nan
    share = k / n
    centre, half_width = _centre_and_half_width(share, n, z, math.sqrt)
    low = 0.0 if k == 0 else min(max(centre - half_width, 0.0), 1.0)
    high = 1.0 if k == n else min(max(centre + half_width, 0.0), 1.0)
    return low, high


def _centre_and_half_width(share: Any, n: Any, z: float, sqrt: Any) -> tuple[Any, Any]:
    """The centre and half-width of the Wilson interval of `share` of n > 0 (floats, or arrays with np.sqrt)."""
    denominator = 1.0 + z**2 / n
    centre = (share + z**2 / (2.0 * n)) / denominator
    half_width = z * sqrt(share * (1.0 - share) / n + z**2 / (4.0 * (n * n))) / denominator
    return centre, half_width


def wilson_interval_design(k: Any, n: Any, deff: float, confidence: float = 0.95) -> tuple[Any, Any]:
    """The Wilson interval for k of n observations whose design effect is `deff` (at least 1):
    the interval of the same share over the effective sample size n/deff."""
    if not deff >= 1.0:
        raise ValueError(f"a design effect is at least 1, got {deff!r}")
    return wilson_interval(_as_floats(k) / deff, _as_floats(n) / deff, confidence)


def _clustered(values: pd.Series, clusters: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The present values (as floats) and each one's cluster number (clusters numbered in order of first
    appearance); a value or cluster that is missing leaves the pair out."""
    present = values.notna().to_numpy() & clusters.notna().to_numpy()
    y = values.to_numpy(dtype="float64", na_value=np.nan)[present]
    return y, pd.factorize(clusters.to_numpy()[present])[0]


def intra_cluster_correlation(values: pd.Series, clusters: pd.Series) -> float:
    """The ANOVA estimate of the intra-cluster correlation of `values` (numbers or yes/no; missing left out).

    ρ = (MSB − MSW) / (MSB + (m0 − 1)·MSW), m0 = (n − Σm²/n)/(k − 1), for k clusters of sizes m
    and n values. NaN with fewer than two clusters, or when every cluster holds one value; 1 when
    the values vary only between clusters; NaN when they do not vary at all.
    """
    y, cluster = _clustered(values, clusters)
    return _intra_cluster_correlation(y, cluster, np.bincount(cluster).astype("float64"))


def _intra_cluster_correlation(y: np.ndarray, cluster: np.ndarray, sizes: np.ndarray) -> float:
    """The estimate from the values, each one's cluster number and the clusters' sizes."""
    sums = np.bincount(cluster, weights=y, minlength=len(sizes))
    n, k = sizes.sum(), len(sizes)
    if k < 2 or n <= k:
        return float("nan")
    means = sums / sizes
    overall = sums.sum() / n
    between = (sizes * (means - overall) ** 2).sum() / (k - 1)
    within = ((y - means[cluster]) ** 2).sum() / (n - k)
    m0 = (n - (sizes**2).sum() / n) / (k - 1)
    denominator = between + (m0 - 1.0) * within
    return float((between - within) / denominator) if denominator > 0 else float("nan")


def design_effect(values: pd.Series, clusters: pd.Series) -> float:
    """Kish's design effect 1 + (m′ − 1)·ρ for values clustered in `clusters` (e.g. sessions in clients).

    m′ = Σm²/Σm is the mean cluster size as a value sees it; ρ the intra-cluster correlation,
    taken as 0 when negative and as 1 when it cannot be estimated (no variation: the most
    cautious choice, as if each cluster were one observation). 1 when no cluster holds two values.
    """
    y, cluster = _clustered(values, clusters)
    sizes = np.bincount(cluster).astype("float64")
    if not len(sizes) or sizes.max() <= 1:
        return 1.0
    m_tilde = (sizes**2).sum() / sizes.sum()
    rho = _intra_cluster_correlation(y, cluster, sizes)
    rho = 1.0 if np.isnan(rho) else min(max(rho, 0.0), 1.0)
    return float(1.0 + (m_tilde - 1.0) * rho)


def difference_interval(estimate: float, low: float, high: float, other: float, other_low: float,
                        other_high: float) -> tuple[float, float]:
    """The interval of estimate − other from each one's own interval (MOVER, Zou & Donner 2008; for two
    Wilson intervals this is Newcombe's 1998 method 10):
    L = d − √((e − l)² + (o_h − o)²), U = d + √((h − e)² + (o − o_l)²).
    It treats the two as independent; when they share units that change alike (two years of the same
    clients), the true interval is narrower, so this one errs on the wide side."""
    difference = estimate - other
    return (difference - math.sqrt((estimate - low) ** 2 + (other_high - other) ** 2),
            difference + math.sqrt((high - estimate) ** 2 + (other - other_low) ** 2))


@lru_cache
def _z(confidence: float) -> float:
    """The standard normal quantile for a two-sided interval of this confidence."""
    from scipy.special import ndtri  # imported here: scipy takes a while to load

    return float(ndtri(0.5 + confidence / 2.0))


def benjamini_hochberg(p_values: Any) -> np.ndarray:
    """Benjamini–Hochberg q-values, in the order of `p_values`.

    NaN p-values stay NaN and do not count among the m tests. q_(i) is the smallest
    p_(j)·m/j over j ≥ i in ascending order of p, capped at 1, so q is monotone in p.
    """
    p = _as_floats(p_values).ravel()
    present = ~np.isnan(p)
    observed = p[present]
    if np.any((observed < 0.0) | (observed > 1.0)):
        raise ValueError("p-values must lie between 0 and 1")

    m = observed.size
    order = np.argsort(observed, kind="stable")
    scaled = observed[order] * m / np.arange(1, m + 1)
    running_min = np.minimum.accumulate(scaled[::-1])[::-1]
    adjusted_sorted = np.minimum(running_min, 1.0)

    adjusted = np.empty(m)
    adjusted[order] = adjusted_sorted
    q = np.full(p.shape, np.nan)
    q[present] = adjusted
    return q


def _as_floats(values: Any) -> np.ndarray:
    """Numbers as a float array, with missing values (None, NA, NaN) as NaN."""
    if isinstance(values, (pd.Series, pd.Index)):
        return values.to_numpy(dtype="float64", na_value=np.nan)
    return np.asarray(values, dtype="float64")


def _shaped_like_input(values: np.ndarray, *inputs: Any) -> Any:
    """Return `values` as a Series, a float or an array, following the inputs' kind."""
    for source in inputs:
        if isinstance(source, pd.Series):
            shaped = np.array(np.broadcast_to(values, len(source)), dtype="float64")
            return pd.Series(shaped, index=source.index)
    if values.ndim == 0:
        return float(values)
    return values
