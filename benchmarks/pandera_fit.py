"""The FIT checks of `isu validate`, written as a pandera schema, for a side-by-side timing.

Same checks as the FIT model: required client and date, text lengths, the date read
from text and not before 2000, categories of gender / instrument / episode end, age an
integer 0–120, items 0–10 and totals 0–40, each given total within 0.2 of its items,
one session per client and day, and no session after the one that ended its episode.
Every check is whole-column (vectorised); the date is read by a whole-column parser,
because pandera's own coercion re-parses every cell one by one once a single cell
fails (minutes at 100 000 rows). Validation is lazy: all failures are
collected, as the engine collects every issue rather than stopping at the first.
pandera is a benchmark extra only (`pip install -e ".[bench]"`), never needed at run time.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import yaml

ORS_ITEMS = ["ors_individual", "ors_interpersonal", "ors_social", "ors_overall"]
SRS_ITEMS = ["srs_relationship", "srs_goals", "srs_approach", "srs_overall"]
GENDERS = ["flicka", "pojke", "kvinna", "man", "annat", "okänt"]
TOTAL_TOLERANCE = 0.2


def _date(text: pd.Series) -> pd.Series:
    """Dates from ISO text on the whole column; an impossible date becomes missing (and fails `nullable`)."""
    return pd.to_datetime(text, format="ISO8601", errors="coerce")


def _total_matches_items(items: list[str], total: str):
    def check(frame: pd.DataFrame) -> pd.Series:
        complete = frame[items].notna().all(axis=1) & frame[total].notna()
        return ~complete | ((frame[items].sum(axis=1) - frame[total]).abs() <= TOTAL_TOLERANCE + 1e-9)
    return pa.Check(check, name=f"{total}_matches_items")


def _no_session_after_end(frame: pd.DataFrame) -> pd.Series:
    """False on a session later than the session that ended its client's episode."""
    date = frame["session_date"]
    end_at = date.where(frame["episode_end"].notna()).groupby(
        [frame["client_id"], frame["episode_id"]], dropna=False).transform("min")
    return ~(end_at.notna() & (date > end_at))


def fit_schema() -> pa.DataFrameSchema:
    score = {"dtype": "float64", "nullable": True, "coerce": True}
    return pa.DataFrameSchema(
        {
            "client_id": pa.Column(str, pa.Check.str_length(max_value=64), nullable=False),
            "episode_id": pa.Column(str, pa.Check.str_length(max_value=64), nullable=True),
            "session_date": pa.Column("datetime64[ns]", pa.Check.ge(pd.Timestamp("2000-01-01")),
                                      nullable=False, coerce=True, parsers=pa.Parser(_date)),
            "therapist_id": pa.Column(str, nullable=True),
            "unit": pa.Column(str, nullable=True),
            "gender": pa.Column(str, pa.Check.isin(GENDERS), nullable=True),
            "age": pa.Column("Int64", pa.Check.in_range(0, 120), nullable=True, coerce=True),
            "instrument": pa.Column(str, pa.Check.isin(["ORS", "CORS", "YCORS"]), nullable=True),
            **{name: pa.Column(checks=pa.Check.in_range(0, 10), **score) for name in ORS_ITEMS + SRS_ITEMS},
            **{name: pa.Column(checks=pa.Check.in_range(0, 40), **score) for name in ("ors_total", "srs_total")},
            "episode_end": pa.Column(str, pa.Check.isin(["planned", "unplanned"]), nullable=True),
        },
        checks=[
            _total_matches_items(ORS_ITEMS, "ors_total"),
            _total_matches_items(SRS_ITEMS, "srs_total"),
            pa.Check(_no_session_after_end, name="session_after_end"),
        ],
        unique=["client_id", "session_date"],
    )


def read_and_validate(config_path: Path) -> dict:
    """Read the config's FIT file as pandas types it, map the headings, validate lazily; count failures."""
    config = yaml.safe_load(Path(config_path).read_text(encoding="utf-8"))
    (entry,) = config["datasets"].values()
    frame = pd.read_csv(Path(config_path).parent / entry["source"], sep=";", decimal=",")
    frame = frame.rename(columns=entry.get("columns", {}))
    try:
        fit_schema().validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        return {"rows": len(frame), "failure_cases": len(cases),
                "rows_failing": int(cases["index"].dropna().nunique())}
    return {"rows": len(frame), "failure_cases": 0, "rows_failing": 0}
