"""Synthetic GAS data for the demo: Boendestöd Lärkan (supported housing), about 180 cases.

One row per case, under the fields' Swedish titles (the file needs no `columns:`).
Goals are set from March 2024 to November 2025 and followed up three to six months
later, when that falls before 2026; later cases are still open. A case has one to five
goals; seven cases in ten weigh them (importance × difficulty, 1–9), the rest leave the
weights empty (unweighted GAS). Baselines are −1, or −2 for one goal in five; follow-up
scores spread around the expected level (0), with a case-level tendency shared by its
goals. About 8 % of the followed-up cases lack the follow-up score of their last goal.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

DATASET_NAME = "larkan"
DATASET_TITLE = "Boendestöd Lärkan"
DEMO_FILE = "larkan.csv"
DEMO_CASES = 180
GOALS = 5
UNITS = np.array(["Lärkan norr", "Lärkan söder"], dtype=object)
LAST_DAY = np.datetime64("2025-12-31")


def generate(n: int, seed: int = 2025) -> pd.DataFrame:
    """`n` cases with their goals, as the unit records them (field names as columns)."""
    rng = np.random.default_rng(seed)
    first, last = np.datetime64("2024-03-01"), np.datetime64("2025-11-28")
    start = np.sort(first + rng.integers(0, int((last - first).astype(int)) + 1, n).astype("timedelta64[D]"))
    followup = start + (rng.integers(3, 7, n) * 30 + rng.integers(-10, 11, n)).astype("timedelta64[D]")
    followed = followup <= LAST_DAY
    n_goals = rng.choice(np.arange(1, GOALS + 1), n, p=[0.10, 0.30, 0.35, 0.17, 0.08])
    has_goal = np.arange(1, GOALS + 1)[None, :] <= n_goals[:, None]
    weighted = rng.random(n) < 0.7
    weights = np.where(weighted[:, None] & has_goal,
                       rng.integers(1, 4, (n, GOALS)) * rng.integers(1, 4, (n, GOALS)), np.nan)
    baseline = np.where(has_goal, np.where(rng.random((n, GOALS)) < 0.8, -1, -2), np.nan)
    tendency = rng.normal(-0.1, 0.7, n)
    scores = np.clip(np.rint(tendency[:, None] + rng.normal(0, 0.6, (n, GOALS))), -2, 2)
    scores = np.where(has_goal & followed[:, None], scores, np.nan)
    incomplete = followed & (n_goals >= 2) & (rng.random(n) < 0.08)
    scores[np.flatnonzero(incomplete), n_goals[incomplete] - 1] = np.nan
    age = np.minimum(18 + rng.gamma(2.0, 11.0, n).astype(int), 85)
    draw = rng.random(n)
    gender = np.select([draw < 0.02, draw < 0.03, draw < 0.58], ["annat", "okänt", "kvinna"], "man").astype(object)
    frame = pd.DataFrame({
        "case_id": [f"L-{number:04d}" for number in range(1, n + 1)],
        "gender": gender,
        "age": age,
        "unit": rng.choice(UNITS, n),
        "start_date": pd.to_datetime(start),
        "followup_date": pd.to_datetime(np.where(followed, followup, np.datetime64("NaT"))),
    })
    for k in range(GOALS):
        frame[f"goal_{k + 1}_weight"] = pd.array(weights[:, k], dtype="Float64").astype("Int64")
        frame[f"goal_{k + 1}_baseline"] = pd.array(baseline[:, k], dtype="Float64").astype("Int64")
        frame[f"goal_{k + 1}_followup"] = pd.array(scores[:, k], dtype="Float64").astype("Int64")
    return frame


def write_demo(folder: Path, titles: dict[str, str], seed: int = 2025) -> dict:
    """Write the Lärkan file (headings = `titles` of the fields) and return its dataset entry."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    frame = generate(DEMO_CASES, seed=seed)
    for name in ("start_date", "followup_date"):
        frame[name] = frame[name].dt.strftime("%Y-%m-%d")
    frame.rename(columns=titles).to_csv(folder / DEMO_FILE, sep=";", index=False, encoding="utf-8-sig",
                                        lineterminator="\r\n")
    return {"name": DATASET_NAME, "model": "gas", "title": DATASET_TITLE, "source": DEMO_FILE}
