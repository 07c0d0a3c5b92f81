"""Sessions, episodes and the period (DESIGN §1, FIT).

An episode is a client's `episode_id` (one episode per client when it is missing). An
episode belongs to a period when it has a session in it. Its intake is its first session
(instrument and age are taken from there); its change on the ORS runs from its first ORS,
even before the period, to its last ORS on or before the period end, and needs at least
two ORS. Its end is the `episode_end` of its last session on or before the period end
(planned / unplanned), open when that is empty.

Sessions are kept in date order with each episode and client as a whole-number code, so
that a period is a slice of rows and per-episode work groups on integers, not on text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from isu_engine.api import FILE, ROW, Period, Scale, analyse_change, cutoffs_by_rules, pair_long, settings_for

EPISODE_CODE = "_episode_code"  # the episode as a number: its key's rank in sorted order (see `episode_keys`)
CLIENT_CODE = "_client_code"    # the client as a number (one per distinct client_id)
ORS_NUMBER = "_ors_number"      # 1 for the episode's first ORS, 2 for its second …
PREVIOUS_SRS = "_previous_srs"  # the SRS total of the episode's previous session
OPEN = "open"
END_VALUES = ("planned", "unplanned", OPEN)
KEY_SEPARATOR = "\x1f"


def assumed_instrument(instrument: pd.Series, age: pd.Series, instrument_ages: dict) -> pd.Series:
    """The row's instrument, else the one whose age range (inclusive) holds the age; NA when neither."""
    codes, names = pd.factorize(instrument)
    known = np.empty(len(names) + 1, dtype=object)     # one text object per instrument, not per row; code -1: None
    known[:-1] = np.asarray(names, dtype=object)
    result = known[codes]
    missing = codes < 0
    if missing.any():
        result[missing] = _instrument_of_age(age[missing], instrument_ages)
    return pd.Series(result, index=instrument.index, name=instrument.name, dtype=object)


def _instrument_of_age(age: pd.Series, instrument_ages: dict) -> np.ndarray:
    """The first instrument whose age range (inclusive) holds each age; None for none (or no age)."""
    ages = pd.to_numeric(age, errors="coerce").astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    guessed = np.full(len(ages), None, dtype=object)
    open_rows = np.ones(len(ages), dtype=bool)  # no instrument guessed yet (a missing age fits none)
    for name, (low, high) in instrument_ages.items():
        fits = open_rows & (ages >= low) & (ages <= high)
        guessed[fits] = name
        open_rows &= ~fits
    return guessed


def episode_keys(client_id: pd.Series, episode_id: pd.Series) -> tuple[np.ndarray, pd.Index, np.ndarray]:
    """Each row's episode code, the episode keys in code order, and each row's client code.

    The key is client_id, KEY_SEPARATOR, episode_id (empty when missing); rows with the same
    key share a code, and codes follow the sorted order of the keys. Rows with the same
    client_id share a client code.
    """
    episode_text = episode_id if isinstance(episode_id.dtype, pd.StringDtype) else episode_id.astype(object)
    key = client_id.astype(str) + KEY_SEPARATOR + episode_text.fillna("").astype(str)
    codes, keys = pd.factorize(key, sort=True)
    first = np.flatnonzero(~pd.Series(codes).duplicated().to_numpy())
    client_of_episode = np.empty(len(keys), dtype=np.int64)
    client_of_episode[codes[first]] = pd.factorize(client_id.iloc[first], use_na_sentinel=False)[0]
    return codes.astype(np.int64), pd.Index(keys), client_of_episode[codes]


def in_date_order(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows sorted by session_date (missing last), then file and row; the rows as they are when
    already in that order."""
    dates = frame["session_date"].to_numpy(dtype="datetime64[ns]")
    files = pd.factorize(frame[FILE], sort=True)[0]
    order = np.lexsort((frame[ROW].to_numpy(), files, dates))
    if np.array_equal(order, np.arange(len(order))):
        return frame.copy(deep=False)
    return frame.take(order)


def prepare_sessions(frame: pd.DataFrame, instrument_ages: dict) -> pd.DataFrame:
    """Valid session rows in date order with the episode key and code, the client code, the instrument
    used and per-episode numbering."""
    sessions = in_date_order(frame)
    codes, _, clients = episode_keys(sessions["client_id"], sessions["episode_id"])
    sessions[EPISODE_CODE] = codes
    sessions[CLIENT_CODE] = clients
    sessions["instrument"] = assumed_instrument(sessions["instrument"], sessions["age"], instrument_ages)
    has_ors = sessions["ors_total"].notna()
    numbers = has_ors.astype("int64").groupby(codes).cumsum()
    sessions[ORS_NUMBER] = numbers.astype("Int64").where(has_ors)
    sessions[PREVIOUS_SRS] = sessions["srs_total"].groupby(codes).shift(1)
    return sessions


@dataclass
class PeriodEpisodes:
    """The period's sessions and episodes, with each episode's intake, end and ORS change."""

    period: Period
    sessions: pd.DataFrame   # sessions in the period
    episodes: pd.DataFrame   # one row per episode (index: episode code): its intake row, end and end_date
    paired: pd.DataFrame     # episodes with two ORS (index: episode code): pre, post, n_ors, cutoff

    @cached_property
    def jt(self) -> pd.DataFrame:
        """The paired episodes that have a clinical cutoff (the Jacobson–Truax population)."""
        return self.paired[self.paired["cutoff"].notna().to_numpy()]

    @cached_property
    def no_cutoff(self) -> pd.DataFrame:
        """The paired episodes without a clinical cutoff (YCORS, unknown instrument or age)."""
        return self.paired[self.paired["cutoff"].isna().to_numpy()]

    def client_codes(self) -> pd.Index:
        """The clients with a session in the period, one code each (the keys clients are counted by)."""
        return self.sessions_per_client().index

    def sessions_per_client(self) -> pd.Series:
        """The number of sessions in the period of each client with one (index: client code, in order)."""
        counts = np.bincount(self.sessions[CLIENT_CODE].to_numpy())
        clients = np.flatnonzero(counts)
        return pd.Series(counts[clients], index=pd.Index(clients, name=CLIENT_CODE))


def first_and_last_rows(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The row of each code's first and of its last occurrence, side by side (the same code at each
    position), in the order of the first rows (those `drop_duplicates(keep="first")` keeps)."""
    _, first = np.unique(codes, return_index=True)            # both by code
    _, from_end = np.unique(codes[::-1], return_index=True)
    order = np.argsort(first)
    return first[order], (len(codes) - 1 - from_end)[order]


def period_rows(dates: pd.Series, period: Period) -> tuple[int, int]:
    """The rows [first, stop) of date-ordered sessions that lie in `period` (the rows before `stop`
    are those on or before its end)."""
    first = int((dates < pd.Timestamp(period.start)).sum())
    stop = int((dates <= pd.Timestamp(period.end)).sum())
    return first, max(first, stop)


def up_to(sessions: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """The sessions on or before `day` (sessions from `prepare_sessions`: a leading slice of the rows)."""
    return sessions.iloc[:int((sessions["session_date"] <= pd.Timestamp(day)).sum())]


def period_episodes(sessions: pd.DataFrame, period: Period, ors: Scale) -> PeriodEpisodes:
    """The episodes that have a session in `period` (sessions from `prepare_sessions`, in date order)."""
    first, stop = period_rows(sessions["session_date"], period)
    codes = sessions[EPISODE_CODE].to_numpy()[:stop]
    chosen = np.zeros(int(codes.max()) + 1 if stop else 0, dtype=bool)
    chosen[codes[first:]] = True
    history = np.flatnonzero(chosen[codes])          # every row of the chosen episodes up to the period end
    history_codes = codes[history]
    first_of, last_of = first_and_last_rows(history_codes)
    intake, last_rows = history[first_of], history[last_of]   # side by side: the same episode at each position
    position = np.zeros(len(chosen), dtype=np.int64)  # an episode's row in `episodes`, by code
    position[codes[intake]] = np.arange(len(intake))
    episodes = sessions.iloc[intake].set_index(EPISODE_CODE)
    ends = sessions["episode_end"].take(last_rows).to_numpy(dtype=object, na_value=OPEN)
    episodes["end"] = pd.Series(ends, index=episodes.index, dtype=object)
    end_date = sessions["session_date"].to_numpy()[last_rows]   # a copy: the open episodes' date is cleared
    end_date[ends == OPEN] = np.datetime64("NaT")
    episodes["end_date"] = pd.Series(end_date, index=episodes.index)
    measured = pd.DataFrame({EPISODE_CODE: history_codes, "session_date": sessions["session_date"].to_numpy()[history],
                             "ors_total": sessions["ors_total"].to_numpy()[history]})
    pairs = pair_long(measured, EPISODE_CODE, "session_date", "ors_total")
    paired_rows = position[pairs["subject"].to_numpy()]     # each paired episode's row in `episodes`
    paired = pd.DataFrame({"pre": pairs["pre"].to_numpy(), "post": pairs["post"].to_numpy(),
                           "n_ors": pairs["n_measurements"].to_numpy()}, index=episodes.index[paired_rows])
    paired["cutoff"] = episode_cutoffs(ors, episodes, paired_rows, paired)
    return PeriodEpisodes(period=period, sessions=sessions.iloc[first:stop], episodes=episodes, paired=paired)


def episode_cutoffs(ors: Scale, episodes: pd.DataFrame, rows: np.ndarray, paired: pd.DataFrame) -> pd.Series:
    """Each paired episode's clinical cutoff (`rows`: its intake row in `episodes`); NaN where the scale
    gives none (e.g. YCORS).

    Rules are applied to the intake row (instrument used and age), each row on its own; a single
    number holds for every episode; a cutoff of type a or c is computed once from the paired episodes.
    """
    cutoff = ors.cutoff
    if cutoff is None:
        return pd.Series(np.nan, index=paired.index)
    if cutoff.kind == "rules":
        return pd.Series(cutoffs_by_rules(cutoff, episodes).to_numpy()[rows], index=paired.index)
    if cutoff.kind == "number":
        return pd.Series(float(cutoff.value), index=paired.index)
    single = analyse_change(paired["pre"], paired["post"], settings_for(ors)).cutoff if len(paired) else None
    return pd.Series(np.nan if single is None else single, index=paired.index)
