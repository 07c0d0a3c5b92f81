"""Proportions with Wilson score intervals, and Benjamini–Hochberg adjusted p-values.

The Wilson interval (Wilson 1927) inverts the score test for a binomial proportion:
it is the set of proportions p for which |k/n − p| ≤ z·sqrt(p(1 − p)/n). Unlike the
textbook Wald interval k/n ± z·sqrt(p̂(1 − p̂)/n) it keeps close to its nominal coverage
for small n and for proportions near 0 or 1, never leaves [0, 1], and does not collapse
to a single point when k = 0 or k = n (Newcombe 1998; Brown, Cai & DasGupta 2001).
Unit-level ISU groups are often small, so this is the interval the engine reports.

Benjamini–Hochberg (1995) adjusts the p-values of the m tests in one report so that
flagging every q < α keeps the expected share of false flags at or below α.
"""

from __future__ import annotations

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
    k_values = _as_floats(k)
    n_values = _as_floats(n)
    with np.errstate(invalid="ignore"):
        invalid = (n_values < 0) | (k_values < 0) | (k_values > n_values)
    if np.any(invalid):
        raise ValueError("counts must satisfy 0 <= k <= n")

    z = _z(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_safe = np.where(n_values > 0, n_values, np.nan)
        share = k_values / n_safe
        denominator = 1.0 + z**2 / n_safe
        centre = (share + z**2 / (2.0 * n_safe)) / denominator
        half_width = z * np.sqrt(share * (1.0 - share) / n_safe + z**2 / (4.0 * n_safe**2)) / denominator
    low = np.where(k_values == 0, 0.0, np.clip(centre - half_width, 0.0, 1.0))
    high = np.where(k_values == n_values, 1.0, np.clip(centre + half_width, 0.0, 1.0))
    low = np.where(np.isnan(share), np.nan, low)
    high = np.where(np.isnan(share), np.nan, high)
    return _shaped_like_input(low, k, n), _shaped_like_input(high, k, n)


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
