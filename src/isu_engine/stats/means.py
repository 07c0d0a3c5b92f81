"""The 95 % interval of a mean: Student's t, mean ± t(n − 1)·s/√n (s the SD with n − 1)."""

from __future__ import annotations

import math

import pandas as pd


def mean_interval(values: pd.Series, confidence: float = 0.95) -> tuple[float | None, float | None]:
    """The t interval of the mean of `values` (missing left out); None, None with fewer than two values."""
    from scipy.stats import t  # imported here: scipy.stats takes seconds to load

    present = values.dropna().astype("float64")
    n = len(present)
    if n < 2:
        return None, None
    half = float(t.ppf(0.5 + confidence / 2.0, n - 1)) * float(present.std(ddof=1)) / math.sqrt(n)
    mean = float(present.mean())
    return mean - half, mean + half
