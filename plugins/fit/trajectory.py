"""The local expected trajectory: how the unit's own clients' ORS usually develops, by intake level.

Episodes are grouped by their intake ORS (the first ORS) into bands [low, high), the last band
including its upper end. For the n-th ORS of an episode (n = 1 … max_number) the median (linear
interpolation) is the expected level per band, where at least `min_n` episodes have an n-th ORS;
the report shows it with its quartiles, made from the same scores by the tabulation API. This is
local evidence from the unit's own data, not a published expected-treatment-response table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .episodes import EPISODE, EPISODE_CODE, ORS_NUMBER

TOLERANCE = 1e-9


def intake_band(scores: pd.Series, bands: list[list[float]]) -> pd.Series:
    """The index of each score's band: [low, high), the last band [low, high]; NA outside every band."""
    values = scores.to_numpy(dtype="float64", na_value=np.nan)
    result = np.full(len(values), -1, dtype=np.int64)
    for index, (low, high) in enumerate(bands):
        upper = values <= high if index == len(bands) - 1 else values < high
        result[(values >= low) & upper & (result < 0)] = index
    return pd.Series(result, index=scores.index, dtype="Int64").where(result >= 0)


@dataclass
class Trajectory:
    """Per band and ORS number: episodes contributing (n) and the median (NaN when too few)."""

    points: pd.DataFrame          # columns band, number, n, median
    scores: pd.DataFrame          # the ORS behind the points: columns band, number, score (index: episode key)
    bands: pd.Series              # band index per episode with an intake ORS (NA outside every band)
    max_number: int

    def expected(self, band: pd.Series, number: pd.Series) -> pd.Series:
        """The median of each episode's band at its ORS number (capped at max_number); NaN when unknown."""
        query = pd.DataFrame({"band": band.astype("float64").to_numpy(),
                              "number": np.minimum(number.astype("float64").to_numpy(), self.max_number)})
        table = self.points[["band", "number", "median"]].astype("float64")
        found = query.merge(table, on=["band", "number"], how="left")["median"]
        return pd.Series(found.to_numpy(), index=band.index, dtype="float64")


def expected_trajectory(sessions: pd.DataFrame, bands: list[list[float]], max_number: int, min_n: int) -> Trajectory:
    """The trajectory from sessions (from `prepare_sessions`, already limited to the period end)."""
    measured = sessions.loc[sessions[ORS_NUMBER].notna(), [EPISODE, EPISODE_CODE, ORS_NUMBER, "ors_total"]]
    first = (measured[ORS_NUMBER] == 1).to_numpy()
    intake = measured.loc[first, [EPISODE, "ors_total"]].set_index(EPISODE)["ors_total"]
    band_of = intake_band(intake, bands)
    codes = measured[EPISODE_CODE].to_numpy()
    band_by_code = np.full(int(codes.max()) + 1 if len(codes) else 0, np.nan)
    band_by_code[codes[first]] = band_of.astype("float64").to_numpy()
    rows = pd.DataFrame({
        "band": band_by_code[codes],
        "number": measured[ORS_NUMBER].astype("int64").to_numpy(),
        "score": measured["ors_total"].to_numpy(),
    }, index=pd.Index(measured[EPISODE].to_numpy(), name=EPISODE))
    rows = rows[rows["band"].notna() & (rows["number"] <= max_number)].astype({"band": "int64"})
    grouped = rows.groupby(["band", "number"])["score"]
    every = pd.MultiIndex.from_product([range(len(bands)), range(1, max_number + 1)], names=["band", "number"])
    points = pd.DataFrame({"n": grouped.size(), "median": grouped.median()}).reindex(every)
    points["n"] = points["n"].fillna(0).astype("int64")
    points.loc[points["n"] < max(min_n, 1), "median"] = np.nan
    return Trajectory(points=points.reset_index(), scores=rows, bands=band_of, max_number=max_number)


def on_track(trajectory: Trajectory, paired: pd.DataFrame) -> pd.Series:
    """For each paired episode (post, n_ors): its last ORS at or above its band's expected median.

    NA when the episode's intake lies outside every band or the expected value is unknown.
    """
    band = trajectory.bands.reindex(paired.index)
    expected = trajectory.expected(band, paired["n_ors"])
    flags = (paired["post"] >= expected - TOLERANCE).astype("boolean")
    return flags.where(expected.notna())
