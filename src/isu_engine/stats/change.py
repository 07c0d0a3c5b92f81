"""Change on a scale between two occasions: pairing, reliable change and Jacobson–Truax categories.

Definitions follow Jacobson & Truax (1991) and DESIGN §2: SE = SD·√(1−r), S_diff = √2·SE,
a change is reliable when |post − pre| / S_diff > 1.96, or, with a fixed threshold in points,
when |post − pre| ≥ that threshold (compared with a tolerance of 1e-9). A score at or beyond
the cutoff on the healthy side is functional; strictly on the other side it is clinical.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

CATEGORIES_JT = ("recovered", "improved", "unchanged", "deteriorated", "harmed")
CATEGORIES_RC = ("improved", "unchanged", "deteriorated")
CATEGORIES_DIRECTION = ("better", "same", "worse")

DIRECTIONS = ("higher_is_better", "lower_is_better")
TOLERANCE = 1e-9
Z_RELIABLE = 1.96

_METHOD_CATEGORIES = {
    "jacobson_truax": CATEGORIES_JT,
    "reliable_change": CATEGORIES_RC,
    "direction": CATEGORIES_DIRECTION,
}


def _is_number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def _check_cutoff(cutoff: Any) -> None:
    if cutoff is None or _is_number(cutoff):
        return
    if not isinstance(cutoff, dict):
        raise ValueError(f"cutoff must be a number, {{'type': 'a'}} or {{'type': 'c', ...}}, not {cutoff!r}")
    kind = cutoff.get("type")
    if kind == "a":
        allowed = {"type"}
    elif kind == "c":
        allowed = {"type", "functional_mean", "functional_sd"}
        for key in ("functional_mean", "functional_sd"):
            if not _is_number(cutoff.get(key)):
                raise ValueError(f"cutoff type 'c' needs a finite number for {key!r}, got {cutoff.get(key)!r}")
        if cutoff["functional_sd"] <= 0:
            raise ValueError(f"cutoff functional_sd must be above 0, got {cutoff['functional_sd']!r}")
    else:
        raise ValueError(f"cutoff type must be 'a' or 'c', got {kind!r}")
    unknown = sorted(set(cutoff) - allowed)
    if unknown:
        raise ValueError(f"cutoff type {kind!r} does not take the keys {unknown}")


@dataclass(frozen=True)
class ChangeSettings:
    """How change on one scale is judged (DESIGN §2)."""

    direction: str = "higher_is_better"
    reliability: float | None = None
    reliable_change: float | None = None
    sd_ref: float | None = None
    cutoff: float | dict | None = None

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}, got {self.direction!r}")
        if self.reliability is not None and not (_is_number(self.reliability) and 0 <= self.reliability < 1):
            raise ValueError(f"reliability must be a number from 0 up to (not including) 1, got {self.reliability!r}")
        if self.reliable_change is not None and not (_is_number(self.reliable_change) and self.reliable_change > 0):
            raise ValueError(f"reliable_change must be a number of points above 0, got {self.reliable_change!r}")
        if self.sd_ref is not None and not (_is_number(self.sd_ref) and self.sd_ref > 0):
            raise ValueError(f"sd_ref must be a number above 0, got {self.sd_ref!r}")
        _check_cutoff(self.cutoff)

    @property
    def sign(self) -> int:
        """+1 when higher scores are better, −1 when lower scores are better."""
        return 1 if self.direction == "higher_is_better" else -1

    @property
    def has_threshold(self) -> bool:
        return self.reliability is not None or self.reliable_change is not None


def pair_wide(frame: pd.DataFrame, subject: str, pre: str, post: str) -> pd.DataFrame:
    """Subjects with both a pre- and a post-score, as columns subject, pre, post (input index kept)."""
    both = (frame[pre].notna() & frame[post].notna()).to_numpy()
    return pd.DataFrame(
        {
            "subject": frame[subject][both],
            "pre": frame[pre][both].astype("float64"),
            "post": frame[post][both].astype("float64"),
        },
        index=frame.index[both],
    )


def pair_long(
    frame: pd.DataFrame,
    subject: str,
    order: str,
    value: str,
    *,
    until: Any = None,
    min_measurements: int = 2,
) -> pd.DataFrame:
    """First and last usable measurement per subject from long data.

    A measurement is usable when its value and order are present and its order is on or
    before `until`. Ties in `order` keep the original row order. Subjects with fewer than
    `min_measurements` usable measurements are dropped. Columns: subject, pre, post,
    n_measurements, first_order, last_order; one row per subject, sorted by subject.
    """
    if min_measurements < 1:
        raise ValueError(f"min_measurements must be at least 1, got {min_measurements!r}")
    orders = frame[order]
    usable = (frame[subject].notna() & orders.notna() & frame[value].notna()).to_numpy()
    if until is not None:
        limit = pd.Timestamp(until) if pd.api.types.is_datetime64_any_dtype(orders) else until
        usable = usable & (orders <= limit).to_numpy(dtype=bool, na_value=False)
    rows = np.flatnonzero(usable)
    rows = rows[np.argsort(orders.to_numpy()[rows], kind="stable")]   # by order; ties keep the row order
    codes, subjects = pd.factorize(frame[subject].take(rows), sort=True)
    by_subject = np.argsort(codes, kind="stable")           # each subject's rows together, in order
    counts = np.bincount(codes, minlength=len(subjects))
    ends = np.cumsum(counts)                                 # one past each subject's last row in by_subject
    kept = counts >= min_measurements
    first, last = rows[by_subject[(ends - counts)[kept]]], rows[by_subject[ends[kept] - 1]]
    values = frame[value].to_numpy(dtype="float64", na_value=np.nan)
    return pd.DataFrame({
        "subject": subjects.infer_objects()[kept],           # text subjects as pandas' text dtype
        "pre": values[first], "post": values[last], "n_measurements": counts[kept].astype("int64"),
        "first_order": orders.take(first).reset_index(drop=True),
        "last_order": orders.take(last).reset_index(drop=True),
    })


@dataclass
class ChangeResult:
    """Change on one scale for the paired subjects."""

    method: str
    n_paired: int
    mean_pre: float | None
    mean_post: float | None
    sd_pre: float | None
    sd_post: float | None
    mean_change: float | None
    effect_size: float | None
    sd_change: float | None
    effect_size_dz: float | None
    reliable_change_points: float | None
    cutoff: float | None
    n_excluded_no_cutoff: int
    categories: pd.Series
    counts: dict[str, int]


def _method(settings: ChangeSettings, has_cutoff: bool) -> str:
    if not settings.has_threshold:
        return "direction"
    return "jacobson_truax" if has_cutoff else "reliable_change"


def _mean(values: np.ndarray) -> float | None:
    return float(values.mean()) if len(values) else None


def _sd(values: np.ndarray) -> float | None:
    return float(values.std(ddof=1)) if len(values) >= 2 else None


def _reliable_change_points(settings: ChangeSettings, sd_pre: float | None) -> float | None:
    """The threshold in points: the fixed value, or 1.96·S_diff; None when S_diff is unknown or 0."""
    if settings.reliable_change is not None:
        return float(settings.reliable_change)
    if settings.reliability is None:
        return None
    sd = settings.sd_ref if settings.sd_ref is not None else sd_pre
    if sd is None or sd == 0:
        return None
    return Z_RELIABLE * _s_diff(sd, settings.reliability)


def _s_diff(sd: float, reliability: float) -> float:
    return math.sqrt(2.0) * sd * math.sqrt(1.0 - reliability)


def _is_reliable(change: np.ndarray, settings: ChangeSettings, sd_pre: float | None) -> np.ndarray:
    if settings.reliable_change is not None:
        return np.abs(change) >= settings.reliable_change - TOLERANCE
    sd = settings.sd_ref if settings.sd_ref is not None else sd_pre
    if sd is None or settings.reliability is None:
        raise ValueError("no reliable-change threshold (see _reliable_change_points)")
    return np.abs(change) / _s_diff(sd, settings.reliability) > Z_RELIABLE


def _single_cutoff(settings: ChangeSettings, mean_pre: float | None, sd_pre: float | None) -> float | None:
    """The cutoff from the settings; None when it needs the SD of fewer than two pre-scores."""
    cutoff = settings.cutoff
    if not isinstance(cutoff, dict):  # checked when the settings were made: None or a number
        return None if cutoff is None else float(cutoff)
    if sd_pre is None or mean_pre is None:
        return None
    if cutoff["type"] == "a":
        return mean_pre + settings.sign * 2.0 * sd_pre
    functional_mean, functional_sd = cutoff["functional_mean"], cutoff["functional_sd"]
    return (sd_pre * functional_mean + functional_sd * mean_pre) / (sd_pre + functional_sd)


def _classify(
    change: np.ndarray,
    pre: np.ndarray,
    post: np.ndarray,
    cutoff: np.ndarray | None,
    method: str,
    settings: ChangeSettings,
    sd_pre: float | None,
) -> npt.NDArray[np.int64]:
    """One category per subject, as its position in the method's categories; −1 where the threshold or
    cutoff could not be determined."""
    sign = settings.sign
    order = _METHOD_CATEGORIES[method]

    def first_true(conditions: list[np.ndarray], categories: list[str], default: str) -> npt.NDArray[np.int64]:
        chosen = np.select(conditions, [order.index(c) for c in categories], default=order.index(default))
        return chosen.astype(np.int64, copy=False)

    if method == "direction":
        return first_true([np.abs(change) <= TOLERANCE, sign * change > 0], ["same", "better"], "worse")
    if _reliable_change_points(settings, sd_pre) is None:
        return np.full(len(change), -1, dtype=np.int64)
    reliable = _is_reliable(change, settings, sd_pre)
    better = reliable & (sign * change > 0)
    worse = reliable & (sign * change < 0)
    if method == "reliable_change":
        return first_true([better, worse], ["improved", "deteriorated"], "unchanged")
    if cutoff is None:
        return np.full(len(change), -1, dtype=np.int64)
    pre_functional = sign * pre >= sign * cutoff - TOLERANCE
    post_functional = sign * post >= sign * cutoff - TOLERANCE
    return first_true([better & ~pre_functional & post_functional, better, worse & pre_functional & ~post_functional,
                       worse], ["recovered", "improved", "harmed", "deteriorated"], "unchanged")


def _as_float(series: pd.Series, name: str) -> np.ndarray:
    values = pd.to_numeric(series).astype("float64").to_numpy()
    if np.isnan(values).any():
        raise ValueError(f"{name} has missing values; pass complete pairs (see pair_wide / pair_long)")
    return values


def analyse_change(
    pre: pd.Series,
    post: pd.Series,
    settings: ChangeSettings,
    cutoffs: pd.Series | None = None,
) -> ChangeResult:
    """Means, SD, effect sizes, reliable-change threshold and categories for paired scores.

    `effect_size` is the uncontrolled pre–post d: the change in the mean over the SD of the
    pre-scores; `effect_size_dz` the same change over the SD of the changes (d_z). Both carry
    the sign of improvement, and neither is an effect of treatment: without a comparison
    group they include regression to the mean.

    `cutoffs`, when given, holds each subject's own cutoff (same index as `pre`); it replaces
    `settings.cutoff`, and subjects whose cutoff is missing are left out and counted in
    `n_excluded_no_cutoff`.
    """
    if not pre.index.equals(post.index):
        raise ValueError("pre and post must have the same index")
    n_excluded = 0
    cutoff_values: np.ndarray | None = None
    if cutoffs is not None:
        if not cutoffs.index.equals(pre.index):
            raise ValueError("cutoffs must have the same index as pre and post")
        cutoff_series = pd.to_numeric(cutoffs).astype("float64")
        known = cutoff_series.notna().to_numpy()
        n_excluded = int((~known).sum())
        pre, post, cutoff_values = pre[known], post[known], cutoff_series[known].to_numpy()
    index = pre.index
    pre_values, post_values = _as_float(pre, "pre"), _as_float(post, "post")
    change = post_values - pre_values
    n = len(change)

    mean_pre, mean_post = _mean(pre_values), _mean(post_values)
    sd_pre, sd_post = _sd(pre_values), _sd(post_values)
    effect_size = None
    if sd_pre is not None and sd_pre > 0 and mean_pre is not None and mean_post is not None:
        effect_size = settings.sign * (mean_post - mean_pre) / sd_pre + 0.0

    sd_change = _sd(change)
    effect_size_dz = None
    if sd_change is not None and sd_change > 0:
        effect_size_dz = settings.sign * float(change.mean()) / sd_change + 0.0

    method = _method(settings, cutoffs is not None or settings.cutoff is not None)
    cutoff = None if cutoffs is not None else _single_cutoff(settings, mean_pre, sd_pre)
    if cutoff_values is None and cutoff is not None:
        cutoff_values = np.full(n, cutoff)

    codes = _classify(change, pre_values, post_values, cutoff_values, method, settings, sd_pre)
    order = _METHOD_CATEGORIES[method]
    categories = pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(order)), index=index, name="category")
    counts = dict(zip(order, np.bincount(codes[codes >= 0], minlength=len(order)).tolist(), strict=True))
    return ChangeResult(
        method=method,
        n_paired=n,
        mean_pre=mean_pre,
        mean_post=mean_post,
        sd_pre=sd_pre,
        sd_post=sd_post,
        mean_change=_mean(change),
        effect_size=effect_size,
        sd_change=sd_change,
        effect_size_dz=effect_size_dz,
        reliable_change_points=_reliable_change_points(settings, sd_pre) if settings.has_threshold else None,
        cutoff=cutoff,
        n_excluded_no_cutoff=n_excluded,
        categories=categories,
        counts=counts,
    )


def effect_size_interval(pre: pd.Series, post: pd.Series, settings: ChangeSettings,
                         confidence: float = 0.95) -> tuple[float | None, float | None]:
    """The interval of the pre–post effect size d (standardized on the SD of the pre-scores), from the
    large-sample variance of a standardized mean change (Becker 1988): var(d) = 2(1 − r)/n + d²/(2n),
    r the correlation of pre and post. None, None with fewer than three pairs or no spread."""
    from scipy.special import ndtri  # imported here: scipy takes a while to load

    pre_values, post_values = _as_float(pre, "pre"), _as_float(post, "post")
    n = len(pre_values)
    sd_pre = _sd(pre_values)
    if n < 3 or not sd_pre or not _sd(post_values):
        return None, None
    d = settings.sign * (post_values.mean() - pre_values.mean()) / sd_pre
    r = float(np.corrcoef(pre_values, post_values)[0, 1])
    half = float(ndtri(0.5 + confidence / 2.0)) * math.sqrt(2.0 * (1.0 - r) / n + d**2 / (2.0 * n))
    return float(d - half), float(d + half)
