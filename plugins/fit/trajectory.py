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

from .episodes import EPISODE_CODE, ORS_NUMBER, first_and_last_rows

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
    return pd.Series(pd.arrays.IntegerArray(result, result < 0), index=scores.index)


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

    points: pd.DataFrame          # instrument, band, number, n, median, low, high: every cell, in that order
    method: dict[str, str]        # instrument -> HISTORY | LEAVE_ONE_OUT
    reference: pd.DataFrame       # one row per reference episode: instrument, band (index: episode code)
    rows: pd.DataFrame            # reference ORS: episode (code), instrument, band, number, score, loo_median
    bands: list[list[float]]
    max_number: int
    min_n: int
    outside: pd.Index             # the episodes (codes) up to the period end whose intake ORS lies outside every band

    def expected(self, episodes: pd.DataFrame) -> pd.Series:
        """The expected ORS of each episode (columns instrument, band, number) at its number, capped at
        max_number: the cell's median (history), or the median of the cell without the episode itself
        (leave-one-episode-out); NaN when unknown or too few."""
        forms = pd.Index(list(self.method))
        form = forms.get_indexer(pd.Index(episodes["instrument"].astype(object)))
        band = episodes["band"].to_numpy(dtype="float64", na_value=np.nan)
        number = np.minimum(episodes["number"].to_numpy(dtype="float64", na_value=np.nan), self.max_number)
        known = ((form >= 0) & (band >= 0) & (band < len(self.bands)) & (number >= 1) & (band % 1 == 0)
                 & (number % 1 == 0))
        # points hold every form × band × number in that order (see `_points`)
        cell = ((form * len(self.bands) + np.where(known, band, 0)) * self.max_number
                + np.where(known, number, 1) - 1).astype(np.int64)
        median = np.where(known, self.points["median"].to_numpy(dtype="float64")[np.where(known, cell, 0)]
                          if len(self.points) else np.nan, np.nan)
        left_out = known & np.isin(form, [i for i, name in enumerate(forms) if self.method[name] == LEAVE_ONE_OUT])
        own = self._own_rows(episodes.index, number)
        rows = self.rows
        same_cell = (own >= 0) & left_out
        at = np.where(same_cell, own, 0)
        if len(rows):
            same_cell &= ((rows["instrument"].to_numpy()[at] == episodes["instrument"].to_numpy())
                          & (rows["band"].to_numpy(dtype="float64")[at] == band))
        loo = np.where(same_cell, rows["loo_median"].to_numpy(dtype="float64")[at] if len(rows) else np.nan, np.nan)
        return pd.Series(np.where(left_out, loo, median), index=episodes.index, dtype="float64")

    def _own_rows(self, keys: pd.Index, number: np.ndarray) -> np.ndarray:
        """The position in `rows` of each episode's ORS with the given number; -1 when it has none."""
        stride = self.max_number + 1
        row_keys = pd.Index(self.rows["episode"].to_numpy(dtype=np.int64) * stride
                            + self.rows["number"].to_numpy(dtype=np.int64))
        valid = (number >= 1) & (number % 1 == 0)
        own = keys.to_numpy(dtype=np.int64) * stride + np.where(valid, number, 0).astype(np.int64)
        wanted = np.where(valid, own, -1)
        return np.where(valid, row_keys.get_indexer(wanted), -1)


def _ors_rows(sessions: pd.DataFrame, bands: list[list[float]], max_number: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every episode (instrument of its first session, band of its first ORS, whether and when it ended)
    and its ORS rows up to max_number."""
    codes = sessions[EPISODE_CODE].to_numpy()
    first_rows, last_rows = first_and_last_rows(codes)
    first_codes = codes[first_rows]
    numbers = sessions[ORS_NUMBER].to_numpy(dtype="float64", na_value=np.nan)
    scores = sessions["ors_total"].to_numpy(dtype="float64", na_value=np.nan)
    intake_rows = np.flatnonzero(numbers == 1)
    intake_by_code = np.full(int(codes.max()) + 1 if len(codes) else 0, np.nan)
    intake_by_code[codes[intake_rows]] = scores[intake_rows]
    intake_ors = pd.Series(intake_by_code[first_codes], index=pd.Index(first_codes, name=EPISODE_CODE))
    episodes = pd.DataFrame({
        "instrument": sessions["instrument"].iloc[first_rows].astype(object).set_axis(intake_ors.index),
        "band": intake_band(intake_ors, bands),
        "measured": intake_ors.notna().to_numpy(),
        "ended": sessions["episode_end"].iloc[last_rows].notna().to_numpy(),   # each episode's own last session
        "last_date": sessions["session_date"].to_numpy()[last_rows],
    }, index=intake_ors.index)
    chosen = np.flatnonzero(numbers <= max_number)  # NaN (no ORS) compares False
    row_codes = codes[chosen]
    position = np.empty(len(intake_by_code), dtype=np.int64)  # an episode's row in `episodes`, by code
    position[first_codes] = np.arange(len(first_codes))
    at = position[row_codes]
    rows = pd.DataFrame({"episode": row_codes,
                         "instrument": episodes["instrument"].to_numpy()[at],
                         "band": episodes["band"].to_numpy(dtype="float64", na_value=np.nan)[at],
                         "number": numbers[chosen].astype("int64"), "score": scores[chosen]})
    return episodes, rows


def _sortable(column: pd.Series) -> np.ndarray:
    """The column as numbers in the same order as its values (text as its rank among the distinct values)."""
    values = column.to_numpy()
    return pd.factorize(values, sort=True)[0] if values.dtype == object else values


def _sorted_cells(cells: pd.DataFrame, scores: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The rows sorted by cell and score: the order, the sorted scores, and for each sorted row the
    position where its cell starts and the cell's size."""
    keys = [_sortable(cells[c]) for c in cells.columns]
    order = np.lexsort((scores.to_numpy(), *reversed(keys)))
    values = scores.to_numpy(dtype="float64")[order]
    starts_here = np.ones(len(order), dtype=bool)
    for key in keys:
        ordered = key[order]
        starts_here[1:] &= ordered[1:] == ordered[:-1]
    starts_here = ~starts_here
    if len(order):
        starts_here[0] = True
    starts = np.flatnonzero(starts_here)
    cell = np.cumsum(starts_here) - 1
    sizes = np.diff(np.append(starts, len(order)))
    return order, values, starts[cell], sizes[cell]


def leave_one_out_medians(cells: pd.DataFrame, scores: pd.Series) -> np.ndarray:
    """For each row, the median of the other rows of its cell (NaN when it is alone).

    Rows are sorted by cell and score; removing the row at rank r of a cell of n, the other n − 1
    values at positions i are the sorted values at i (i < r) or i + 1 (i ≥ r), and their median is
    the mean of positions ⌊(n − 2)/2⌋ and ⌊(n − 1)/2⌋.
    """
    return _leave_one_out(_sorted_cells(cells, scores))[0]


def _leave_one_out(cells: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The leave-one-out medians (see `leave_one_out_medians`) and the size of each row's cell, from the rows
    sorted by cell and score (`_sorted_cells`)."""
    order, values, start, size = cells
    rank = np.arange(len(values)) - start
    others = size - 1

    def at(position: np.ndarray) -> np.ndarray:
        shifted = start + position + (position >= rank)
        return values[np.clip(shifted, 0, len(values) - 1)]

    median = (at((others - 1) // 2) + at(others // 2)) / 2.0
    result = np.full(len(values), np.nan)
    result[order] = np.where(others >= 1, median, np.nan)
    sizes = np.empty(len(values), dtype=np.int64)
    sizes[order] = size
    return result, sizes


def expected_trajectory(sessions: pd.DataFrame, bands: list[list[float]], max_number: int, min_n: int,
                        period_start) -> Trajectory:
    """The trajectory from sessions (from `prepare_sessions`, already limited to the period end)."""
    min_n = max(int(min_n), 1)
    episodes, rows = _ors_rows(sessions, bands, max_number)
    history = (episodes["ended"] & (episodes["last_date"] < pd.Timestamp(period_start))).to_numpy()
    instruments = episodes["instrument"]
    banded = episodes["band"].notna().to_numpy()
    method: dict[str, str] = {}
    chosen = np.zeros(len(episodes), dtype=bool)
    left_out = np.zeros(len(episodes), dtype=bool)  # the episodes judged leave-one-episode-out
    for instrument in sorted(instruments.dropna().unique()):
        of_instrument = (instruments == instrument).to_numpy() & banded
        earlier = of_instrument & history
        method[instrument] = HISTORY if earlier.sum() >= min_n else LEAVE_ONE_OUT
        if method[instrument] == HISTORY:
            chosen |= earlier
        else:
            chosen |= of_instrument
            left_out |= of_instrument
    by_code = np.zeros(int(episodes.index.max()) + 1 if len(episodes) else 0, dtype=np.int8)
    by_code[episodes.index.to_numpy()] = chosen + 2 * left_out
    row_kind = by_code[rows["episode"].to_numpy()]
    inside = (row_kind % 2 == 1) & rows["band"].notna().to_numpy()
    rows, row_kind = rows[inside].copy(), row_kind[inside]
    rows["band"] = rows["band"].astype("int64")
    cells = _sorted_cells(rows[CELL], rows["score"])
    loo_median, size = _leave_one_out(cells)
    rows["loo_median"] = np.where((row_kind >= 2) & (size - 1 >= min_n), loo_median, np.nan)
    points = _points(rows, cells, list(method), len(bands), max_number, min_n)
    reference = episodes.loc[chosen, ["instrument", "band"]]
    return Trajectory(points=points, method=method, reference=reference, rows=rows,
                      bands=bands, max_number=max_number, min_n=min_n,
                      outside=episodes.index[(episodes["band"].isna() & episodes["measured"]).to_numpy()])


def _points(rows: pd.DataFrame, cells: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], instruments: list[str],
            n_bands: int, max_number: int, min_n: int) -> pd.DataFrame:
    """n, median and the median's interval per cell (every instrument × band × number, in that order), from
    the rows sorted by cell and score (`_sorted_cells`)."""
    order, values, start, size = cells
    starts = np.unique(start)                 # the first sorted row of each cell
    n = size[starts]
    lower, upper = median_interval_ranks(n)
    at = order[starts]                        # a row of each cell, for its instrument, band and number
    form = pd.Index(instruments).get_indexer(pd.Index(rows["instrument"].to_numpy()[at]))
    cell = (form * n_bands + rows["band"].to_numpy()[at]) * max_number + rows["number"].to_numpy()[at] - 1
    n_cells = len(instruments) * n_bands * max_number
    counts = np.zeros(n_cells, dtype=np.int64)
    counts[cell] = n
    figures = {name: np.full(n_cells, np.nan) for name in ("median", "low", "high")}
    shown = n >= min_n
    figures["median"][cell[shown]] = ((values[starts + (n - 1) // 2] + values[starts + n // 2]) / 2.0)[shown]
    for name, rank in (("low", lower), ("high", upper)):
        known = shown & ~np.isnan(rank)
        figures[name][cell[known]] = values[starts[known] + rank[known].astype(np.int64) - 1]
    every = {  # every instrument × band × number, in that order
        "instrument": np.repeat(np.array(instruments, dtype=object), n_bands * max_number),
        "band": np.tile(np.repeat(np.arange(n_bands, dtype=np.int64), max_number), len(instruments)),
        "number": np.tile(np.arange(1, max_number + 1, dtype=np.int64), len(instruments) * n_bands)}
    return pd.DataFrame({**every, "n": counts, **figures})


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
