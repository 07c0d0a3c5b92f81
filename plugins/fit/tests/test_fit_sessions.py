"""FIT sessions in date order with episode and client codes, checked against plain row-by-row counts."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isu_engine.configure.config import Period
from isu_engine.configure.plugins import load_registry
from isu_fit.episodes import (CLIENT_CODE, EPISODE_CODE, KEY_SEPARATOR, ORS_NUMBER, PREVIOUS_SRS,
                              episode_keys, in_date_order, period_episodes, prepare_sessions, up_to)
from isu_fit.steps import step_index, steps
from isu_fit.trajectory import intake_band

INSTRUMENT_AGES = {"YCORS": [0, 5], "CORS": [6, 12], "ORS": [13, 120]}
START = pd.Timestamp("2024-06-01")
YEAR_2025 = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))

# One session: client, episode_id (None = missing), days after START (None = no date), ORS, SRS, episode_end.
sessions_drawn = st.lists(st.tuples(
    st.sampled_from(["a", "b", "ab", "c"]), st.sampled_from([None, "", "1", "2"]),
    st.one_of(st.none(), st.integers(0, 700)), st.one_of(st.none(), st.integers(0, 40)),
    st.one_of(st.none(), st.integers(0, 40)), st.sampled_from([None, "planned", "unplanned"])), max_size=40)


def frame_of(draws, files=("f",)) -> pd.DataFrame:
    rows = [{"client_id": client, "episode_id": episode,
             "session_date": None if day is None else START + pd.Timedelta(days=day), "instrument": "ORS", "age": 30, "ors_total": np.nan if ors is None else float(ors),
             "srs_total": np.nan if srs is None else float(srs), "episode_end": end,
             "_row": 2 + i // len(files), "_file": files[i % len(files)]}
            for i, (client, episode, day, ors, srs, end) in enumerate(draws)]
    frame = pd.DataFrame(rows, columns=["client_id", "episode_id", "session_date", "instrument", "age", "ors_total",
                                        "srs_total", "episode_end", "_row", "_file"])
    frame = frame.astype({"client_id": object, "episode_id": object, "instrument": object, "episode_end": object,
                          "age": "Int64", "ors_total": "float64", "srs_total": "float64", "_row": "int64"})
    frame["session_date"] = pd.to_datetime(frame["session_date"])
    return frame


def plain_key(client, episode) -> str:
    return f"{client}{KEY_SEPARATOR}{'' if pd.isna(episode) else episode}"


def keys_of(frame: pd.DataFrame) -> list[str]:
    """The frame's episode keys, in the order of their codes (sorted)."""
    return sorted({plain_key(c, e) for c, e in zip(frame["client_id"], frame["episode_id"])})


@settings(deadline=None)
@given(sessions_drawn, st.randoms(use_true_random=False))
def test_date_order_is_the_sort_by_date_file_and_row(draws, random):
    frame = frame_of(draws, files=("b.csv", "a.csv"))
    frame = frame.iloc[random.sample(range(len(frame)), len(frame))]
    expected = frame.sort_values(["session_date", "_file", "_row"], kind="stable")
    assert in_date_order(frame).index.tolist() == expected.index.tolist()
    assert in_date_order(expected).index.tolist() == expected.index.tolist()


@settings(deadline=None)
@given(sessions_drawn)
def test_episode_and_client_codes_follow_the_keys(draws):
    frame = frame_of(draws)
    codes, keys, clients = episode_keys(frame["client_id"], frame["episode_id"])
    expected = [plain_key(c, e) for c, e in zip(frame["client_id"], frame["episode_id"])]
    assert list(keys[codes]) == expected
    assert list(keys) == sorted(set(expected))
    same_client = frame["client_id"].to_numpy()[:, None] == frame["client_id"].to_numpy()[None, :]
    assert (same_client == (clients[:, None] == clients[None, :])).all()


@settings(deadline=None)
@given(sessions_drawn)
def test_ors_numbers_and_previous_srs_by_episode(draws):
    frame = frame_of(draws)
    sessions = prepare_sessions(frame, INSTRUMENT_AGES)
    assert sessions["session_date"].dropna().is_monotonic_increasing
    keys = [keys_of(frame)[code] for code in sessions[EPISODE_CODE]]
    assert keys == [plain_key(c, e) for c, e in zip(sessions["client_id"], sessions["episode_id"])]
    count: dict[str, int] = {}
    last_srs: dict[str, float] = {}
    for key, ors, srs, number, previous in zip(keys, sessions["ors_total"], sessions["srs_total"],
                                               sessions[ORS_NUMBER], sessions[PREVIOUS_SRS]):
        if not np.isnan(ors):
            count[key] = count.get(key, 0) + 1
            assert number == count[key]
        else:
            assert pd.isna(number)
        assert (np.isnan(previous) and np.isnan(last_srs.get(key, np.nan))) or previous == last_srs[key]
        last_srs[key] = srs


@settings(deadline=None)
@given(sessions_drawn)
def test_period_episodes_ends_and_clients_by_hand(draws):
    frame = frame_of(draws)
    ors = load_registry().model("fit").scales["ors"]
    result = period_episodes(prepare_sessions(frame, INSTRUMENT_AGES), YEAR_2025, ors)
    start, end = pd.Timestamp("2025-01-01"), pd.Timestamp("2025-12-31")
    ordered = frame.sort_values(["session_date", "_file", "_row"], kind="stable")
    ordered = ordered[ordered["session_date"] <= end]
    in_2025 = ordered[ordered["session_date"] >= start]
    chosen = {plain_key(c, e) for c, e in zip(in_2025["client_id"], in_2025["episode_id"])}
    last: dict[str, tuple] = {}
    for client, episode, day, ending in zip(ordered["client_id"], ordered["episode_id"], ordered["session_date"],
                                            ordered["episode_end"]):
        last[plain_key(client, episode)] = (day, ending)
    key_of_code = keys_of(frame)
    assert [key_of_code[code] for code in result.episodes.index] == list(dict.fromkeys(
        key for key in (plain_key(c, e) for c, e in zip(ordered["client_id"], ordered["episode_id"])) if key in chosen))
    for code, row in result.episodes.iterrows():
        day, ending = last[key_of_code[code]]
        assert row["end"] == ("open" if pd.isna(ending) else ending)
        assert (pd.isna(row["end_date"]) and pd.isna(ending)) or row["end_date"] == day
    assert list(result.paired.index) == sorted(result.paired.index)
    assert len(result.client_codes()) == in_2025["client_id"].nunique()
    assert sorted(result.sessions_per_client()) == sorted(in_2025.groupby("client_id").size())
    assert set(result.sessions[CLIENT_CODE]) == set(result.client_codes())


def test_up_to_keeps_the_sessions_on_or_before_the_day():
    sessions = prepare_sessions(frame_of([("a", "1", 200, 10, 30, None), ("a", "1", 10, 12, 31, None),
                                          ("b", None, 400, None, None, None), ("b", None, None, 5, 5, None)]),
                                INSTRUMENT_AGES)
    on_or_before = up_to(sessions, dt.date(2025, 1, 1))["session_date"]
    assert list(on_or_before) == [START + pd.Timedelta(days=d) for d in (10, 200)]
    assert len(up_to(sessions, dt.date(2020, 1, 1))) == 0


def test_codes_are_numbers_in_key_order():
    sessions = prepare_sessions(frame_of([("b", "1", 3, 10, 30, None), ("a", None, 2, 12, 31, None),
                                          ("a", "", 1, 13, 31, None), ("b", "1", 0, 14, 30, None)]), INSTRUMENT_AGES)
    assert sessions[EPISODE_CODE].tolist() == [1, 0, 0, 1]     # "a\x1f" (missing and empty alike) before "b\x1f1"
    assert sessions[CLIENT_CODE].tolist()[1:3] == [sessions[CLIENT_CODE].iloc[1]] * 2


@settings(deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-40 * 24, 420 * 24)), max_size=30),
       st.sampled_from(["month", "quarter"]))
def test_step_index_matches_a_date_by_date_search(hours, step):
    period = Period(dt.date(2025, 2, 10), dt.date(2025, 11, 20))
    parts = steps(period, step)
    dates = pd.Series([pd.NaT if h is None else pd.Timestamp("2025-01-01") + pd.Timedelta(hours=h) for h in hours],
                      dtype="datetime64[ns]")
    expected = [next((i for i, part in enumerate(parts)
                      if pd.notna(day) and pd.Timestamp(part.period.start) <= day <= pd.Timestamp(part.period.end)), -1)
                for day in dates]
    assert step_index(dates, parts).tolist() == expected


@settings(deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(-5, 45, allow_nan=False)), max_size=30))
def test_intake_band_is_the_first_band_holding_the_score(scores):
    bands = [[0, 15], [15, 20], [10, 25], [25, 40]]     # overlapping on purpose: the first band wins
    values = pd.Series([np.nan if s is None else s for s in scores], dtype="float64")
    expected = [next((i for i, (low, high) in enumerate(bands)
                      if s is not None and low <= s and (s <= high if i == len(bands) - 1 else s < high)), None)
                for s in scores]
    result = intake_band(values, bands)
    assert str(result.dtype) == "Int64"
    assert [None if pd.isna(v) else int(v) for v in result] == expected


@pytest.mark.parametrize("dtype", [object, "string"])
def test_missing_instrument_is_assumed_from_age_whatever_the_text_dtype(dtype):
    frame = frame_of([("a", "1", 1, 10, 30, None), ("b", "1", 2, 12, 31, None), ("c", "1", 3, 12, 31, None)])
    frame["instrument"] = pd.Series(["ORS", None, None], dtype=dtype)
    frame["age"] = pd.Series([4, 8, None], dtype="Int64")
    assert prepare_sessions(frame, INSTRUMENT_AGES)["instrument"].tolist()[:2] == ["ORS", "CORS"]
    assert pd.isna(prepare_sessions(frame, INSTRUMENT_AGES)["instrument"].iloc[2])
