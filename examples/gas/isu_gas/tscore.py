"""The Kiresuk–Sherman goal attainment T-score, for many cases at once.

    T = 50 + 10 · Σ wᵢxᵢ / √((1 − ρ) · Σ wᵢ² + ρ · (Σ wᵢ)²)

xᵢ is goal i's attainment (−2 … +2, 0 = the expected outcome), wᵢ its weight and ρ the
assumed correlation between the goals of one case (0.3 by convention; Kiresuk & Sherman
1968, Turner-Stokes 2009). T is 50 when every goal reaches its expected level, its
spread is about 10 across cases, and with a single goal T = 50 + 10·x whatever the weight.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def t_scores(scores: pd.DataFrame, weights: pd.DataFrame, rho: float) -> pd.Series:
    """One T-score per row (case) from its goals' scores and weights (goals in columns, aligned).

    A goal counts where both its score and its weight are present; a row without any
    such goal gets NaN.
    """
    if not 0 <= rho < 1:
        raise ValueError(f"rho must be at least 0 and below 1, not {rho}")
    x = scores.to_numpy(dtype="float64", na_value=np.nan)
    w = weights.to_numpy(dtype="float64", na_value=np.nan)
    counted = ~np.isnan(x) & ~np.isnan(w)
    x, w = np.where(counted, x, 0.0), np.where(counted, w, 0.0)
    weighted = (w * x).sum(axis=1)
    spread = np.sqrt((1 - rho) * (w ** 2).sum(axis=1) + rho * w.sum(axis=1) ** 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = 50.0 + 10.0 * weighted / spread
    return pd.Series(np.where(counted.any(axis=1), t, np.nan), index=scores.index, dtype="float64")
