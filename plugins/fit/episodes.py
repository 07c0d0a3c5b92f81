"""Sessions, episodes and the period (DESIGN §1, FIT).

An episode is a client's `episode_id` (one episode per client when it is missing). An
episode belongs to a period when it has a session in it. Its intake is its first session
(instrument and age are taken from there); its change on the ORS runs from its first ORS,
even before the period, to its last ORS on or before the period end, and needs at least
two ORS. Its end is the `episode_end` of its last session on or before the period end
(planned / unplanned), open when that is empty.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from isu_engine.config import Period
from isu_engine.context import in_period
from isu_engine.dataset import FILE, ROW
from isu_engine.generic import cutoffs_by_rules, settings_for
from isu_engine.model import Scale
from isu_engine.stats.change import analyse_change, pair_long

EPISODE = "_episode"            # client_id and episode_id together
ORS_NUMBER = "_ors_number"      # 1 for the episode's first ORS, 2 for its second …
PREVIOUS_SRS = "_previous_srs"  # the SRS total of the episode's previous session
OPEN = "open"
END_VALUES = ("planned", "unplanned", OPEN)
KEY_SEPARATOR = "\x1f"


def assumed_instrument(instrument: pd.Series, age: pd.Series, instrument_ages: dict) -> pd.Series:
    """The row's instrument, else the one whose age range (inclusive) holds the age; NA when neither."""
    result = instrument.astype(object).copy()
    ages = pd.to_numeric(age, errors="coerce").astype("Float64")
    for name, (low, high) in instrument_ages.items():
        fits = ((ages >= low) & (ages <= high)).fillna(False).astype(bool)
        result[result.isna() & fits] = name
    return result


def prepare_sessions(frame: pd.DataFrame, instrument_ages: dict) -> pd.DataFrame:
    """Valid session rows in date order with the episode key, the instrument used and per-episode numbering."""
    sessions = frame.sort_values(["session_date", FILE, ROW], kind="stable").copy()
    sessions[EPISODE] = (sessions["client_id"].astype(str) + KEY_SEPARATOR
                         + sessions["episode_id"].astype(object).fillna("").astype(str))
    sessions["instrument"] = assumed_instrument(sessions["instrument"], sessions["age"], instrument_ages)
    has_ors = sessions["ors_total"].notna()
    numbers = has_ors.astype("int64").groupby(sessions[EPISODE]).cumsum()
    sessions[ORS_NUMBER] = numbers.astype("Int64").where(has_ors)
    sessions[PREVIOUS_SRS] = sessions.groupby(EPISODE)["srs_total"].shift(1)
    return sessions


@dataclass
class PeriodEpisodes:
    """The period's sessions and episodes, with each episode's intake, end and ORS change."""

    period: Period
    sessions: pd.DataFrame   # sessions in the period
    history: pd.DataFrame    # every session of the period's episodes up to the period end
    episodes: pd.DataFrame   # one row per episode (index: episode key): its intake row, end and end_date
    paired: pd.DataFrame     # episodes with two ORS (index: episode key): pre, post, n_ors, cutoff

    def clients(self) -> pd.Series:
        """The clients with a session in the period, one each."""
        return pd.Series(pd.unique(self.sessions["client_id"]))


def period_episodes(sessions: pd.DataFrame, period: Period, ors: Scale) -> PeriodEpisodes:
    """The episodes that have a session in `period` (sessions from `prepare_sessions`)."""
    end = pd.Timestamp(period.end)
    up_to_end = sessions[sessions["session_date"] <= end]
    inside = in_period(up_to_end["session_date"], period)
    keys = pd.unique(up_to_end.loc[inside, EPISODE])
    history = up_to_end[up_to_end[EPISODE].isin(keys)]
    episodes = history.drop_duplicates(EPISODE, keep="first").set_index(EPISODE)
    last = history.drop_duplicates(EPISODE, keep="last").set_index(EPISODE).reindex(episodes.index)
    episodes["end"] = last["episode_end"].astype(object).where(last["episode_end"].notna(), OPEN)
    episodes["end_date"] = last["session_date"].where(episodes["end"] != OPEN)
    pairs = pair_long(history, EPISODE, "session_date", "ors_total", until=end).set_index("subject")
    pairs.index.name = EPISODE
    paired = pairs[["pre", "post"]].assign(n_ors=pairs["n_measurements"])
    paired["cutoff"] = episode_cutoffs(ors, episodes.loc[paired.index], paired)
    return PeriodEpisodes(period=period, sessions=up_to_end[inside], history=history, episodes=episodes,
                          paired=paired)


def episode_cutoffs(ors: Scale, intake: pd.DataFrame, paired: pd.DataFrame) -> pd.Series:
    """Each paired episode's clinical cutoff; NaN where the scale gives none (e.g. YCORS).

    Rules are applied to the intake row (instrument used and age); a single number holds for
    every episode; a cutoff of type a or c is computed once from the paired episodes.
    """
    cutoff = ors.cutoff
    if cutoff is None:
        return pd.Series(np.nan, index=paired.index)
    if cutoff.kind == "rules":
        return cutoffs_by_rules(cutoff, intake)
    if cutoff.kind == "number":
        return pd.Series(float(cutoff.value), index=paired.index)
    single = analyse_change(paired["pre"], paired["post"], settings_for(ors)).cutoff if len(paired) else None
    return pd.Series(np.nan if single is None else single, index=paired.index)
