"""Synthetic FIT session data for the demo and the benchmark: Familjeteamet Hasselberg.

One row per session with the FIT field names. Each client has one episode, about 8 %
a second one after a gap; sessions come on weekdays at a roughly weekly pace, 1–25 per
episode (median about 7). ORS totals start near 20 and most clients improve with
diminishing returns; about 10 % deteriorate. SRS totals are mostly 34–40.

Differences built in for the group-difference flags to find:
- adolescent boys (13–17) improve reliably (ORS +5) clearly less often than adolescent
  girls (about 30 % against 55 %);
- episodes with an early alliance drop (the SRS total falls by 4–9 points at the second
  or third session) end unplanned far more often.

Deliberately broken rows for the validation demo, about 0.5 % of the rows, split evenly
over five kinds (their row positions are listed in ``frame.attrs["broken_rows"]``):
- ``item_above_10``: one ORS item is 11 (the total, when present, still adds up);
- ``total_mismatch``: ``ors_total`` differs from the sum of its items by 3–6 points;
- ``missing_client_id``: ``client_id`` is empty (``episode_id`` is kept);
- ``impossible_date``: ``session_date`` is February 30 of the last year;
- ``future_date``: ``session_date`` lies five years after the last year (2030 by default).

Dates are ISO text (``YYYY-MM-DD``) so that the broken dates can be represented.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from isu_engine.api import rows_to_break

DATASET_NAME = "hasselberg"
DATASET_TITLE = "Familjeteamet Hasselberg"
DEMO_FILE = "hasselberg_sessioner.csv"
DEMO_CLIENTS = 550
LOCAL_HEADINGS = {"client_id": "Klient-ID", "therapist_id": "Behandlare"}

ORS_ITEMS = ["ors_individual", "ors_interpersonal", "ors_social", "ors_overall"]
SRS_ITEMS = ["srs_relationship", "srs_goals", "srs_approach", "srs_overall"]
UNITS = np.array(["Familjebehandling", "Ungdomsteamet", "Vuxenteamet"], dtype=object)
# Therapists per unit (same order as UNITS) and how their caseloads are weighted.
THERAPISTS = (
    (["T01", "T02", "T03"], [0.40, 0.35, 0.25]),
    (["T04", "T05"], [0.55, 0.45]),
    (["T06", "T07", "T08"], [0.30, 0.40, 0.30]),
)
BROKEN_KINDS = ("item_above_10", "total_mismatch", "missing_client_id", "impossible_date", "future_date")

OPEN_WINDOW_DAYS = 42
SECOND_EPISODE_RATE = 0.12
EARLY_DROP_RATE = 0.18
DETERIORATION_RATE = 0.10
MAX_SESSIONS = 25


def generate(n: int, seed: int = 2025, start_year: int = 2024, years: int = 2) -> pd.DataFrame:
    """Sessions of `n` clients whose episodes start over `years` calendar years from `start_year`."""
    rng = np.random.default_rng(seed)
    first_day = np.datetime64(f"{start_year}-01-01", "D")
    last_day = np.datetime64(f"{start_year + years - 1}-12-31", "D")

    clients = _clients(rng, n, first_day, last_day)
    episodes, rows = _episodes(rng, clients, last_day)
    sessions = _sessions(rng, episodes, rows, last_day)
    frame = _frame(clients, episodes, sessions)
    _blank_missing(rng, frame)
    frame.attrs["broken_rows"] = _break_rows(rng, frame, sessions["dates"], start_year + years - 1)
    return frame


def write_demo(folder: Path, seed: int = 2025) -> dict:
    """Write the Hasselberg session file as a Swedish Excel exports it; return its dataset entry."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    frame = generate(DEMO_CLIENTS, seed=seed)
    frame.rename(columns=LOCAL_HEADINGS).to_csv(
        folder / DEMO_FILE, sep=";", decimal=",", float_format="%.10g", index=False,
        encoding="utf-8-sig", lineterminator="\r\n",
    )
    return {
        "name": DATASET_NAME,
        "model": "fit",
        "title": DATASET_TITLE,
        "source": DEMO_FILE,
        "columns": {heading: name for name, heading in LOCAL_HEADINGS.items()},
        "categories": {"unit": [str(unit) for unit in UNITS],
                       "therapist_id": [name for names, _ in THERAPISTS for name in names]},
    }


def _clients(
    rng: np.random.Generator, n: int, first_day: np.datetime64, last_day: np.datetime64
) -> dict[str, np.ndarray]:
    """Per client: id, sex, age at first contact, birthday, unit, therapist, date of first session."""
    band = rng.choice(4, size=n, p=[0.05, 0.30, 0.30, 0.35])
    age = np.select(
        [band == 0, band == 1, band == 2],
        [rng.integers(2, 6, n), rng.integers(6, 13, n), rng.integers(13, 18, n)],
        18 + np.minimum(rng.gamma(2.0, 9.0, n).astype(int), 62),
    )
    draw = rng.random(n)
    female = rng.random(n) < np.where(age >= 18, 0.58, 0.5)
    sex = np.where(draw < 0.02, "annat", np.where(draw < 0.03, "okänt", np.where(female, "female", "male")))
    unit = np.select([age < 13, age < 18], [0, 1], 2)
    therapist = np.empty(n, dtype=object)
    for code, (names, weights) in enumerate(THERAPISTS):
        members = unit == code
        therapist[members] = rng.choice(names, size=int(members.sum()), p=weights)
    return {
        "client_id": _client_ids(rng, n),
        "sex": sex,
        "age": age,
        "birthday": rng.integers(0, 365, n),
        "unit": UNITS[unit],
        "therapist": therapist,
        "start": _first_sessions(rng, n, first_day, last_day),
    }


def _first_sessions(
    rng: np.random.Generator, n: int, first_day: np.datetime64, last_day: np.datetime64
) -> np.ndarray:
    """Dates of first contact, on weekdays within the data's years."""
    span = int((last_day - first_day).astype(int)) + 1
    dates = _weekday(rng, first_day + _intake_days(rng, n, span))
    return np.minimum(dates, np.busday_offset(last_day, 0, roll="backward"))


def _intake_days(rng: np.random.Generator, n: int, span: int) -> np.ndarray:
    """Days of first contact in date order; intake falls slowly (density from 1.4 to 0.6 of the mean)."""
    share = rng.random(n)
    position = (1.4 - np.sqrt(1.96 - 1.6 * share)) / 0.8
    return np.sort((position * span).astype(int))


def _weekday(rng: np.random.Generator, dates: np.ndarray) -> np.ndarray:
    """Dates on a weekend move to any weekday of the next week, so that Mondays are not favoured."""
    moved = np.where(np.is_busday(dates), 0, rng.integers(0, 5, len(dates)))
    return np.busday_offset(dates, moved, roll="forward")


def _client_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """Ids like K10234, increasing with the date of first contact, with gaps as in a register."""
    low = 10 ** max(4, len(str(n)))
    numbers = np.sort(rng.choice(3 * n, size=n, replace=False)) + low
    return np.char.add("K", numbers.astype(str)).astype(object)


def _episodes(
    rng: np.random.Generator, clients: dict[str, np.ndarray], last_day: np.datetime64
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Episodes with their latent course, and their planned sessions (episode, index, date)."""
    n = len(clients["age"])
    first = _course(rng, n)
    first_rows = _schedule(rng, first["length"], clients["start"])
    first_end = first_rows["dates"][np.cumsum(first["length"]) - 1]
    returns = np.flatnonzero(rng.random(n) < SECOND_EPISODE_RATE)
    second_start = _weekday(rng, first_end[returns] + rng.integers(8 * 7, 40 * 7, len(returns)))
    returns, second_start = returns[second_start <= last_day], second_start[second_start <= last_day]
    second = _course(rng, len(returns))
    second_rows = _schedule(rng, second["length"], second_start)

    client = np.concatenate([np.arange(n), returns])
    start = np.concatenate([clients["start"], second_start])
    lived = (start - clients["start"][client]).astype(int) + clients["birthday"][client]
    age = clients["age"][client] + lived // 365
    sex = clients["sex"][client]
    episodes = {
        "client": client,
        "number": np.concatenate([np.ones(n, int), np.full(len(returns), 2)]),
        "age": age,
        "sex": sex,
        **{key: np.concatenate([first[key], second[key]]) for key in first},
        **_outcome(rng, age, sex, np.concatenate([first["unplanned"], second["unplanned"]])),
    }
    rows = {
        "episode": np.concatenate([first_rows["episode"], second_rows["episode"] + n]),
        "index": np.concatenate([first_rows["index"], second_rows["index"]]),
        "dates": np.concatenate([first_rows["dates"], second_rows["dates"]]),
    }
    return episodes, rows


def _course(rng: np.random.Generator, count: int) -> dict[str, np.ndarray]:
    """How an episode goes regardless of the client: alliance drop, unplanned end, number of sessions."""
    early_drop = rng.random(count) < EARLY_DROP_RATE
    unplanned = rng.random(count) < np.where(early_drop, 0.6, 0.2)
    length = np.where(
        unplanned,
        1 + rng.negative_binomial(1.3, 1.3 / (1.3 + 5.0), count),
        2 + rng.negative_binomial(0.9, 0.9 / (0.9 + 15.0), count),
    )
    too_long = length > MAX_SESSIONS
    length[too_long] = rng.integers(15, MAX_SESSIONS + 1, int(too_long.sum()))
    # An alliance drop comes at the second or third session: such episodes last past it,
    # and those ending unplanned end within a few sessions of it.
    drop_at = rng.integers(1, 3, count)
    after_drop = drop_at + rng.geometric(0.4, count)
    length = np.select([early_drop & unplanned, early_drop], [after_drop, np.maximum(length, drop_at + 1)], length)
    return {
        "length": length,
        "unplanned": unplanned,
        "early_drop": early_drop,
        "drop_at": drop_at,
        "drop_size": rng.uniform(4.0, 9.0, count),
        "alliance": np.minimum(rng.normal(37.7, 1.6, count), 39.8),
        "srs_profile": _item_profile(rng, count, 0.25),
    }


def _outcome(
    rng: np.random.Generator, age: np.ndarray, sex: np.ndarray, unplanned: np.ndarray
) -> dict[str, np.ndarray]:
    """ORS intake and the change it moves towards; adolescent boys respond less often than girls."""
    count = len(age)
    adolescent = (age >= 13) & (age <= 17)
    responder_rate = np.select(
        [adolescent & (sex == "male"), adolescent & (sex == "female")], [0.37, 0.76], 0.58
    ) * np.where(unplanned, 0.7, 1.0)
    deteriorates = rng.random(count) < DETERIORATION_RATE
    responds = ~deteriorates & (rng.random(count) < responder_rate / (1 - DETERIORATION_RATE))
    intake = np.clip(rng.normal(np.where(age < 13, 23.0, 20.0), 7.0), 0.0, 40.0)
    gain = np.minimum(rng.uniform(6.5, 14.0, count), 39.0 - intake)
    loss = np.minimum(rng.uniform(5.5, 11.0, count), intake)
    change = np.select([responds, deteriorates], [gain, -loss], np.clip(rng.normal(1.0, 1.8, count), -3.5, 4.0))
    return {
        "intake": intake,
        "change": change,
        "pace": rng.uniform(1.8, 3.5, count),
        "ors_profile": _item_profile(rng, count, 0.9),
    }


def _item_profile(rng: np.random.Generator, count: int, spread: float) -> np.ndarray:
    """Per episode, how each of the four items lies above or below a quarter of the total."""
    offsets = rng.normal(0.0, spread, (count, 4))
    return offsets - offsets.mean(axis=1, keepdims=True)


def _schedule(rng: np.random.Generator, length: np.ndarray, start: np.ndarray) -> dict[str, np.ndarray]:
    """Planned sessions of each episode: weekdays from its first session on, a gap of days between each."""
    episode = np.repeat(np.arange(len(length)), length)
    first_row = np.repeat(np.cumsum(length) - length, length)
    index = np.arange(len(episode)) - first_row
    cumulative = np.cumsum(_gaps(rng, index))
    dates = np.busday_offset(start[episode], cumulative - cumulative[first_row])
    return {"episode": episode, "index": index, "dates": dates}


def _sessions(
    rng: np.random.Generator, episodes: dict[str, np.ndarray], rows: dict[str, np.ndarray], last_day: np.datetime64
) -> dict[str, np.ndarray]:
    """Sessions up to the last day of the data, in date order: dates, ORS and SRS items, end of episode."""
    kept = np.flatnonzero(rows["dates"] <= last_day)
    kept = kept[np.lexsort((episodes["client"][rows["episode"][kept]], rows["dates"][kept]))]
    episode, index, dates = rows["episode"][kept], rows["index"][kept], rows["dates"][kept]
    observed = np.bincount(episode, minlength=len(episodes["length"]))
    last = index == observed[episode] - 1

    ors = _ors_items(rng, episodes, episode, index)
    srs = _srs_items(rng, episodes, episode, index)
    open_episode = dates >= last_day - np.timedelta64(OPEN_WINDOW_DAYS, "D")
    end = np.where(episodes["unplanned"][episode], "unplanned", "planned").astype(object)
    end[~last | open_episode] = None
    return {"episode": episode, "dates": dates, "ors": ors, "srs": srs, "end": end}


def _gaps(rng: np.random.Generator, index: np.ndarray) -> np.ndarray:
    """Weekdays since the previous session: mostly a week, longer later in an episode; 0 for the first."""
    rows = len(index)
    early = rng.choice([5, 10, 3, 4, 6, 7], size=rows, p=[0.64, 0.14, 0.05, 0.07, 0.06, 0.04])
    late = rng.choice([5, 10, 15, 7, 20], size=rows, p=[0.42, 0.32, 0.12, 0.08, 0.06])
    gap = np.where(index >= 6, late, early) + rng.choice([-1, 0, 0, 0, 0, 1], size=rows)
    return np.where(index == 0, 0, gap)


def _ors_items(
    rng: np.random.Generator, episodes: dict[str, np.ndarray], episode: np.ndarray, index: np.ndarray
) -> np.ndarray:
    """ORS items: intake plus a change that levels off over the sessions, with session noise."""
    progress = 1.0 - np.exp(-index / episodes["pace"][episode])
    total = episodes["intake"][episode] + episodes["change"][episode] * progress + rng.normal(0.0, 1.4, len(index))
    items = total[:, None] / 4 + episodes["ors_profile"][episode] + rng.normal(0.0, 0.45, (len(index), 4))
    return np.round(np.clip(items, 0.0, 10.0), 1)


def _srs_items(
    rng: np.random.Generator, episodes: dict[str, np.ndarray], episode: np.ndarray, index: np.ndarray
) -> np.ndarray:
    """SRS items: a high alliance that grows a little; an early drop that only partly recovers."""
    since_drop = index - episodes["drop_at"][episode]
    dropped = episodes["early_drop"][episode] & (since_drop >= 0)
    recovery = np.where(since_drop == 0, 1.0, 0.55 * np.exp(-np.maximum(since_drop, 0) / 3.0))
    total = (
        episodes["alliance"][episode]
        + 0.12 * np.minimum(index, 8)
        - np.where(dropped, episodes["drop_size"][episode] * recovery, 0.0)
        + rng.normal(0.0, 0.8, len(index))
    )
    items = total[:, None] / 4 + episodes["srs_profile"][episode] + rng.normal(0.0, 0.3, (len(index), 4))
    return np.round(np.clip(items, 0.0, 10.0), 1)


def _frame(
    clients: dict[str, np.ndarray], episodes: dict[str, np.ndarray], sessions: dict[str, np.ndarray]
) -> pd.DataFrame:
    """Whole columns of the session table."""
    age, sex = episodes["age"], episodes["sex"]
    child = age < 18
    gender = np.select(
        [(sex == "female") & child, sex == "female", (sex == "male") & child, sex == "male"],
        ["flicka", "kvinna", "pojke", "man"],
        sex,
    ).astype(object)
    instrument = np.select([age < 6, age < 13], ["YCORS", "CORS"], "ORS").astype(object)
    episode_id = np.char.add(
        clients["client_id"][episodes["client"]].astype(str), np.char.add("-", episodes["number"].astype(str))
    ).astype(object)
    episode = sessions["episode"]
    client = episodes["client"][episode]
    ors, srs = sessions["ors"], sessions["srs"]
    return pd.DataFrame({
        "client_id": clients["client_id"][client],
        "episode_id": episode_id[episode],
        "session_date": np.datetime_as_string(sessions["dates"], unit="D").astype(object),
        "therapist_id": clients["therapist"][client],
        "unit": clients["unit"][client],
        "gender": gender[episode],
        "age": age[episode],
        "instrument": instrument[episode],
        **{name: ors[:, i] for i, name in enumerate(ORS_ITEMS)},
        "ors_total": np.round(ors.sum(axis=1), 1),
        **{name: srs[:, i] for i, name in enumerate(SRS_ITEMS)},
        "srs_total": np.round(srs.sum(axis=1), 1),
        "episode_end": sessions["end"],
    })


def _blank_missing(rng: np.random.Generator, frame: pd.DataFrame) -> None:
    """Leave out the ORS on about 3 % of rows, the SRS on about 5 %, and the totals on about 10 %."""
    rows = len(frame)
    ors_missing = rng.random(rows) < 0.03
    srs_missing = (rng.random(rows) < 0.05) & ~ors_missing
    totals_missing = rng.random(rows) < 0.10
    frame.loc[ors_missing, [*ORS_ITEMS, "ors_total"]] = np.nan
    frame.loc[srs_missing, [*SRS_ITEMS, "srs_total"]] = np.nan
    frame.loc[totals_missing, ["ors_total", "srs_total"]] = np.nan


def _break_rows(
    rng: np.random.Generator, frame: pd.DataFrame, dates: np.ndarray, last_year: int
) -> dict[str, list[int]]:
    """Break about 0.5 % of the rows, evenly over BROKEN_KINDS; return the row positions per kind."""
    has_ors = frame["ors_individual"].notna().to_numpy()
    has_total = frame["ors_total"].notna().to_numpy()
    month = dates.astype("datetime64[M]")
    not_leap_day = ~((month.astype(int) % 12 == 1) & ((dates - month).astype(int) == 28))
    eligible = {"item_above_10": has_ors, "total_mismatch": has_total, "future_date": not_leap_day}
    broken = rows_to_break(rng, len(frame), BROKEN_KINDS, 0.005, eligible)

    rows = broken["item_above_10"]
    item = np.array(ORS_ITEMS)[rng.integers(0, 4, len(rows))]
    for name in ORS_ITEMS:
        frame.loc[rows[item == name], name] = 11.0
    with_total = rows[has_total[rows]]
    frame.loc[with_total, "ors_total"] = frame.loc[with_total, ORS_ITEMS].sum(axis=1).round(1)

    rows = broken["total_mismatch"]
    sign = np.where(frame.loc[rows, "ors_total"].to_numpy() < 10.0, 1.0, rng.choice([-1.0, 1.0], len(rows)))
    offset = rng.uniform(3.0, 6.0, len(rows)) * sign
    frame.loc[rows, "ors_total"] = (frame.loc[rows, "ors_total"] + offset).round(1)

    frame.loc[broken["missing_client_id"], "client_id"] = None
    frame.loc[broken["impossible_date"], "session_date"] = f"{last_year}-02-30"
    future = broken["future_date"]
    frame.loc[future, "session_date"] = str(last_year + 5) + frame.loc[future, "session_date"].str[4:]
    return {kind: rows.tolist() for kind, rows in broken.items()}
