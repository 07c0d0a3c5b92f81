"""The local expected trajectory: how the unit's own clients' ORS usually develops, by instrument and intake level.

Each instrument (ORS, CORS, YCORS) has its own trajectory: their norms differ. Its reference
episodes are those that *ended before the period began* (history) when there are at least
`min_n` of them; otherwise every episode with its intake up to the period end, each episode
judged against the others only (leave-one-episode-out). Either way no episode is judged
against itself.

Episodes are grouped by their intake ORS (the first ORS) into bands [low, high), the last band
including its upper end. For the n-th ORS of an episode (n = 1 … max_number) the median is taken
per instrument and band, with its distribution-free 95 % interval (the order statistics whose
ranks the binomial distribution with p = ½ gives; `median_interval_ranks`), where at least
`min_n` episodes have an n-th ORS. Later numbers hold only the episodes that kept coming.
The report makes the median it shows from the same scores through the tabulation API.
This is local evidence from the unit's own data, not a licensed expected-treatment-response table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .episodes import EPISODE, EPISODE_CODE, ORS_NUMBER

TOLERANCE = 1e-9
HISTORY, LEAVE_ONE_OUT = "history", "leave_one_out"
CONFIDENCE = 0.95
CELL = ["instrument", "band", "number"]
RANK_REACH = 8  # the exact rank is within 2 of the normal approximation's for every n (tested up to 10⁷)


def intake_band(scores: pd.Series, bands: list[list[float]]) -> pd.Series:
    """The index of each score's band: [low, high), the last band [low, high]; NA outside every band."""
    values = scores.to_numpy(dtype="float64", na_value=np.nan)
    result = np.full(len(values), -1, dtype=np.int64)
    for index, (low, high) in enumerate(bands):
        upper = values <= high if index == len(bands) - 1 else values < high
        result[(values >= low) & upper & (result < 0)] = index
    return pd.Series(result, index=scores.index, dtype="Int64").where(result >= 0)


def median_interval_ranks(n: np.ndarray, confidence: float = CONFIDENCE) -> tuple[np.ndarray, np.ndarray]:
    """1-based ranks (l, u) of the order statistics that hold the median of n values with at least
    `confidence`: l is the largest rank with P(Bin(n, ½) ≤ l − 1) ≤ (1 − confidence)/2, u = n − l + 1.
    NaN where n is too small for any such interval (n < 6 at 95 %). For n = 20: ranks 6 and 15.

    The rank is searched among the 2·RANK_REACH + 1 ranks around the normal approximation's, with the
    exact binomial distribution function (scipy.special; scipy.stats takes seconds to load)."""
    from scipy.special import bdtr, ndtri

    n = np.asarray(n, dtype="float64")
    tail = (1.0 - confidence) / 2.0
    guess = np.floor(n / 2.0 - ndtri(1.0 - tail) * np.sqrt(n) / 2.0)
    ranks = np.maximum(guess[..., None] + np.arange(-RANK_REACH, RANK_REACH + 1), 1.0)
    within = bdtr((ranks - 1).astype(np.int64), n.astype(np.int64)[..., None], 0.5) <= tail + 1e-12
    if within[..., -1].any():
        raise ArithmeticError("the median's interval lies beyond the searched ranks")
    lower = np.where(within.any(axis=-1), np.where(within, ranks, 0.0).max(axis=-1), np.nan)  # n = 0: none
    return lower, n - lower + 1


@dataclass
class Trajectory:
    """Per instrument, band and ORS number: the reference episodes (n), median and its interval (NaN when
    fewer than min_n); how each instrument's reference was chosen; the reference rows themselves."""

    points: pd.DataFrame          # columns instrument, band, number, n, median, low, high
    method: dict[str, str]        # instrument -> HISTORY | LEAVE_ONE_OUT
    reference: pd.DataFrame       # one row per reference episode: instrument, band (index: episode key)
    rows: pd.DataFrame            # reference ORS: episode (key), instrument, band, number, score, loo_median
    bands: list[list[float]]
    max_number: int
    min_n: int
    outside: pd.Index             # the episodes (keys) up to the period end whose intake ORS lies outside every band

    def expected(self, episodes: pd.DataFrame) -> pd.Series:
        """The expected ORS of each episode (columns instrument, band, number) at its number, capped at
        max_number: the cell's median (history), or the median of the cell without the episode itself
        (leave-one-episode-out); NaN when unknown or too few."""
        query = episodes.assign(number=np.minimum(episodes["number"].astype("float64"), self.max_number),
                                band=episodes["band"].astype("float64"), episode=episodes.index)
        cells = self.points.assign(band=self.points["band"].astype("float64"),
                                   number=self.points["number"].astype("float64"))
        found = query.merge(cells[[*CELL, "median"]], on=CELL, how="left")
        own = self.rows.assign(band=self.rows["band"].astype("float64"), number=self.rows["number"].astype("float64"))
        found = found.merge(own[["episode", *CELL, "loo_median"]], on=["episode", *CELL], how="left")
        loo = found["instrument"].map(self.method).eq(LEAVE_ONE_OUT).to_numpy()
        value = np.where(loo, found["loo_median"].to_numpy(dtype="float64"), found["median"].to_numpy(dtype="float64"))
        return pd.Series(value, index=episodes.index, dtype="float64")


def _ors_rows(sessions: pd.DataFrame, bands: list[list[float]], max_number: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every episode (instrument of its first session, band of its first ORS, whether and when it ended)
    and its ORS rows up to max_number."""
    measured = sessions.loc[sessions[ORS_NUMBER].notna(), [EPISODE, EPISODE_CODE, ORS_NUMBER, "ors_total"]]
    first = sessions.drop_duplicates(EPISODE_CODE, keep="first").set_index(EPISODE_CODE)
    last = sessions.drop_duplicates(EPISODE_CODE, keep="last").set_index(EPISODE_CODE)
    intake_ors = measured[measured[ORS_NUMBER] == 1].set_index(EPISODE_CODE)["ors_total"]
    episodes = pd.DataFrame({
        "episode": first[EPISODE], "instrument": first["instrument"].astype(object),
        "band": intake_band(intake_ors.reindex(first.index), bands),
        "measured": intake_ors.reindex(first.index).notna().to_numpy(),
        "ended": last["episode_end"].notna().to_numpy(), "last_date": last["session_date"].to_numpy(),
    }, index=first.index)
    rows = measured[measured[ORS_NUMBER] <= max_number]
    codes = rows[EPISODE_CODE].to_numpy()
    rows = pd.DataFrame({"code": codes, "episode": rows[EPISODE].to_numpy(),
                         "instrument": episodes["instrument"].reindex(codes).to_numpy(),
                         "band": episodes["band"].reindex(codes).to_numpy(dtype="float64", na_value=np.nan),
                         "number": rows[ORS_NUMBER].astype("int64").to_numpy(),
                         "score": rows["ors_total"].to_numpy(dtype="float64")})
    return episodes, rows


def leave_one_out_medians(cells: pd.DataFrame, scores: pd.Series) -> np.ndarray:
    """For each row, the median of the other rows of its cell (NaN when it is alone).

    Rows are sorted by cell and score; removing the row at rank r of a cell of n, the other n − 1
    values at positions i are the sorted values at i (i < r) or i + 1 (i ≥ r), and their median is
    the mean of positions ⌊(n − 2)/2⌋ and ⌊(n − 1)/2⌋.
    """
    order = np.lexsort((scores.to_numpy(), *(cells[c].to_numpy() for c in reversed(cells.columns))))
    sorted_cells = cells.iloc[order].reset_index(drop=True)
    values = scores.to_numpy(dtype="float64")[order]
    positions = pd.Series(np.arange(len(values))).groupby(pd.factorize(pd.MultiIndex.from_frame(sorted_cells))[0])
    start = positions.transform("min").to_numpy()
    size = positions.transform("size").to_numpy()
    rank = np.arange(len(values)) - start
    others = size - 1

    def at(position: np.ndarray) -> np.ndarray:
        shifted = start + position + (position >= rank)
        return values[np.clip(shifted, 0, len(values) - 1)]

    median = (at((others - 1) // 2) + at(others // 2)) / 2.0
    result = np.full(len(values), np.nan)
    result[order] = np.where(others >= 1, median, np.nan)
    return result


def expected_trajectory(sessions: pd.DataFrame, bands: list[list[float]], max_number: int, min_n: int,
                        period_start) -> Trajectory:
    """The trajectory from sessions (from `prepare_sessions`, already limited to the period end)."""
    min_n = max(int(min_n), 1)
    episodes, rows = _ors_rows(sessions, bands, max_number)
    history = episodes["ended"] & (episodes["last_date"] < pd.Timestamp(period_start))
    method: dict[str, str] = {}
    chosen = pd.Series(False, index=episodes.index)
    for instrument in sorted(episodes["instrument"].dropna().unique()):
        of_instrument = (episodes["instrument"] == instrument).to_numpy() & episodes["band"].notna().to_numpy()
        earlier = of_instrument & history.to_numpy()
        method[instrument] = HISTORY if earlier.sum() >= min_n else LEAVE_ONE_OUT
        chosen |= earlier if method[instrument] == HISTORY else of_instrument
    rows = rows[chosen.reindex(rows["code"]).to_numpy() & rows["band"].notna().to_numpy()].copy()
    rows["band"] = rows["band"].astype("int64")
    rows["loo_median"] = leave_one_out_medians(rows[CELL], rows["score"])
    rows.loc[~rows["instrument"].map(method).eq(LEAVE_ONE_OUT).to_numpy(), "loo_median"] = np.nan
    size = rows.groupby(CELL)["score"].transform("size").to_numpy()
    rows.loc[size - 1 < min_n, "loo_median"] = np.nan
    points = _points(rows, list(method), len(bands), max_number, min_n)
    reference = episodes.loc[chosen.to_numpy(), ["episode", "instrument", "band"]].set_index("episode")
    return Trajectory(points=points, method=method, reference=reference, rows=rows.drop(columns="code"),
                      bands=bands, max_number=max_number, min_n=min_n,
                      outside=pd.Index(episodes.loc[episodes["band"].isna() & episodes["measured"], "episode"]))


def _points(rows: pd.DataFrame, instruments: list[str], n_bands: int, max_number: int, min_n: int) -> pd.DataFrame:
    """n, median and the median's interval per cell (every instrument × band × number)."""
    ordered = rows.sort_values([*CELL, "score"], kind="stable").reset_index(drop=True)
    grouped = ordered.groupby(CELL)["score"]
    cells = pd.DataFrame({"n": grouped.size(), "median": grouped.median(),
                          "start": ordered.index.to_series().groupby([ordered[c] for c in CELL]).min()})
    lower, upper = median_interval_ranks(cells["n"].to_numpy())
    values = ordered["score"].to_numpy(dtype="float64")
    for column, rank in (("low", lower), ("high", upper)):
        position = cells["start"].to_numpy() + np.nan_to_num(rank, nan=1).astype("int64") - 1
        cells[column] = np.where(np.isnan(rank), np.nan, values[np.clip(position, 0, max(len(values) - 1, 0))]
                                 if len(values) else np.nan)
    every = pd.MultiIndex.from_product([instruments, range(n_bands), range(1, max_number + 1)], names=CELL)
    points = cells.drop(columns="start").reindex(every)
    points["n"] = points["n"].fillna(0).astype("int64")
    points.loc[points["n"] < min_n, ["median", "low", "high"]] = np.nan
    return points.reset_index()


def on_track(trajectory: Trajectory, paired: pd.DataFrame, instrument: pd.Series) -> pd.Series:
    """For each paired episode (pre, post, n_ors; its intake instrument): its last ORS at or above the
    expected ORS for its instrument, intake band and number (see `Trajectory.expected`). NA when no
    expected value is known."""
    query = pd.DataFrame({"instrument": instrument.reindex(paired.index).astype(object),
                          "band": intake_band(paired["pre"], trajectory.bands),
                          "number": paired["n_ors"]}, index=paired.index)
    expected = trajectory.expected(query)
    flags = (paired["post"] >= expected - TOLERANCE).astype("boolean")
    return flags.where(expected.notna())
