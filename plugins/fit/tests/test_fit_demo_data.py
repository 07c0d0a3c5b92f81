"""Synthetic demo data: FIT sessions of Familjeteamet Hasselberg."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isu_fit import demo as fit_demo

FIT_FIELDS = [
    "client_id", "episode_id", "session_date", "therapist_id", "unit", "gender", "age", "instrument",
    "ors_individual", "ors_interpersonal", "ors_social", "ors_overall", "ors_total",
    "srs_relationship", "srs_goals", "srs_approach", "srs_overall", "srs_total", "episode_end",
]


ORS = FIT_FIELDS[8:12]


SRS = FIT_FIELDS[13:17]


@pytest.fixture(scope="module")
def sessions() -> pd.DataFrame:
    return fit_demo.generate(550)


@pytest.fixture(scope="module")
def many_sessions() -> pd.DataFrame:
    return fit_demo.generate(8000, seed=11)


def broken(frame: pd.DataFrame) -> list[int]:
    return sorted(row for rows in frame.attrs["broken_rows"].values() for row in rows)


def clean(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(index=broken(frame))


def episode_change(sessions: pd.DataFrame) -> pd.DataFrame:
    """Per episode with two ORS or more: first and last ORS total (from the items), age and gender."""
    rows = clean(sessions).dropna(subset=ORS)
    rows = rows.assign(total=rows[ORS].sum(axis=1), date=pd.to_datetime(rows["session_date"]))
    grouped = rows.sort_values("date", kind="stable").groupby("episode_id")
    per_episode = pd.DataFrame({
        "n": grouped.size(), "first": grouped["total"].first(), "last": grouped["total"].last(),
        "age": grouped["age"].first(), "gender": grouped["gender"].first(),
    })
    per_episode = per_episode[per_episode["n"] >= 2]
    return per_episode.assign(improved=per_episode["last"] - per_episode["first"] >= 5 - 1e-9)


def reliable_improvement(sessions: pd.DataFrame, gender: str) -> float:
    change = episode_change(sessions)
    return change.loc[change["age"].between(13, 17) & (change["gender"] == gender), "improved"].mean()


def unplanned_share_by_early_drop(sessions: pd.DataFrame) -> pd.Series:
    """Share of ended episodes ending unplanned, with and without an SRS fall of 3+ at session 2 or 3."""
    rows = clean(sessions)
    rows = rows.assign(date=pd.to_datetime(rows["session_date"])).sort_values("date", kind="stable")
    number = rows.groupby("episode_id").cumcount()
    srs_total = rows["srs_total"].fillna(rows[SRS].sum(axis=1, min_count=4))
    previous = srs_total.groupby(rows["episode_id"]).shift()
    rows = rows.assign(drop=(srs_total - previous <= -3) & number.isin([1, 2]))
    per_episode = rows.groupby("episode_id").agg(drop=("drop", "any"), end=("episode_end", "last"))
    ended = per_episode.dropna(subset=["end"])
    return (ended["end"] == "unplanned").groupby(ended["drop"]).mean()


def test_same_seed_same_data_other_seed_other_data():
    first, again, other = (fit_demo.generate(300, seed=seed) for seed in (5, 5, 6))
    pd.testing.assert_frame_equal(first, again)
    assert first.attrs == again.attrs
    assert not first.equals(other)


def test_fit_columns_are_the_model_fields(sessions):
    assert list(sessions.columns) == FIT_FIELDS


def test_fit_demo_size(sessions):
    assert sessions["episode_id"].str.split("-").str[0].nunique() == 550
    rows = clean(sessions)
    year_2025 = rows[pd.to_datetime(rows["session_date"]).dt.year == 2025]
    assert 270 <= year_2025["client_id"].nunique() <= 360
    assert 2400 <= len(year_2025) <= 3400


def test_fit_episodes(sessions):
    rows = clean(sessions)
    per_episode = rows.groupby("episode_id").size()
    assert per_episode.between(1, 25).all()
    assert 5 <= per_episode.median() <= 9
    clients = rows["episode_id"].str.split("-").str[0]
    second = rows["episode_id"].str.endswith("-2").groupby(clients).any()
    assert 0.04 <= second.mean() <= 0.13
    assert rows["episode_id"].str.fullmatch(r"K\d{5}-[12]").all()
    assert (rows["episode_id"].str.split("-").str[0] == rows["client_id"]).all()
    dates = pd.to_datetime(rows["session_date"])
    starts_2024 = dates.groupby(rows["episode_id"]).min().dt.year == 2024
    ends_2025 = dates.groupby(rows["episode_id"]).max().dt.year == 2025
    assert (starts_2024 & ends_2025).sum() >= 10


def test_fit_benchmark_size_runs():
    frame = fit_demo.generate(20_000)
    assert list(frame.columns) == FIT_FIELDS
    assert 150_000 <= len(frame) <= 250_000


def test_fit_client_attributes_are_consistent(sessions):
    rows = clean(sessions)
    assert rows.groupby("client_id")[["unit", "therapist_id"]].nunique().eq(1).all().all()
    assert rows.groupby("episode_id")["age"].nunique().eq(1).all()
    assert set(rows["unit"]) == {"Familjebehandling", "Ungdomsteamet", "Vuxenteamet"}
    assert set(rows["therapist_id"]) == {f"T0{i}" for i in range(1, 9)}
    child, adult = rows[rows["age"] < 18], rows[rows["age"] >= 18]
    assert set(child["gender"]) <= {"flicka", "pojke", "annat", "okänt"}
    assert set(adult["gender"]) <= {"kvinna", "man", "annat", "okänt"}
    expected = np.select([rows["age"] < 6, rows["age"] < 13], ["YCORS", "CORS"], "ORS")
    assert (rows["instrument"] == expected).all()


def test_fit_age_and_gender_mix(many_sessions):
    first = clean(many_sessions).groupby("episode_id")[["age", "gender"]].first()
    bands = pd.cut(first["age"], [0, 5, 12, 17, 120], include_lowest=True).value_counts(normalize=True).sort_index()
    assert bands.to_numpy() == pytest.approx([0.05, 0.30, 0.30, 0.35], abs=0.03)
    gender = first["gender"].value_counts(normalize=True)
    assert gender["annat"] == pytest.approx(0.02, abs=0.006)
    assert gender["okänt"] == pytest.approx(0.01, abs=0.005)


def test_session_dates_increase_within_an_episode_on_weekdays(sessions):
    rows = clean(sessions)
    dates = pd.to_datetime(rows["session_date"], format="%Y-%m-%d")
    assert rows["session_date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    gaps = dates.groupby(rows["episode_id"]).diff().dropna()
    assert (gaps > pd.Timedelta(0)).all()
    assert dates.dt.day_of_week.lt(5).all()
    assert dates.between("2024-01-01", "2025-12-31").all()


def test_items_within_range_with_one_decimal_except_broken_rows(sessions):
    items = sessions[ORS + SRS]
    outside = items.lt(0) | items.gt(10)
    assert sorted(np.flatnonzero(outside.any(axis=1))) == sessions.attrs["broken_rows"]["item_above_10"]
    assert (items.to_numpy()[outside.to_numpy()] == 11).all()
    tenths = items.stack().dropna() * 10
    assert np.allclose(tenths, np.round(tenths))


def test_totals_match_items_except_broken_rows(sessions):
    mismatch = sessions.attrs["broken_rows"]["total_mismatch"]
    rows = sessions.drop(index=mismatch)
    for total, items in (("ors_total", ORS), ("srs_total", SRS)):
        present = rows.dropna(subset=[total])
        assert np.allclose(present[total], present[items].sum(axis=1).round(1), atol=1e-9)
    off = sessions.loc[mismatch]
    assert ((off["ors_total"] - off[ORS].sum(axis=1)).abs() > 0.2).all()


def test_fit_missing_values(sessions):
    rows = clean(sessions)
    ors_missing = rows[ORS].isna().all(axis=1)
    srs_missing = rows[SRS].isna().all(axis=1)
    assert ors_missing.mean() == pytest.approx(0.03, abs=0.012)
    assert srs_missing.mean() == pytest.approx(0.05, abs=0.015)
    assert not (ors_missing & srs_missing).any()
    assert rows.loc[~ors_missing, "ors_total"].isna().mean() == pytest.approx(0.10, abs=0.025)


def test_fit_scores(many_sessions):
    rows = clean(many_sessions)
    intake = episode_change(many_sessions)["first"]
    assert intake.mean() == pytest.approx(21, abs=2)
    assert intake.std() == pytest.approx(7, abs=1.5)
    srs = rows["srs_total"].dropna()
    assert srs.between(34, 40).mean() >= 0.9
    assert (srs < 36).mean() == pytest.approx(0.15, abs=0.04)
    change = episode_change(many_sessions)
    assert 0.3 <= change["improved"].mean() <= 0.55
    assert ((change["last"] - change["first"]) <= -5).mean() >= 0.03


def test_episode_end_only_on_the_last_row_and_open_in_the_last_six_weeks(sessions):
    touched = sessions.loc[broken(sessions), "episode_id"]
    rows = sessions[~sessions["episode_id"].isin(touched)]
    rows = rows.assign(date=pd.to_datetime(rows["session_date"]))
    last_date = rows.groupby("episode_id")["date"].transform("max")
    marked = rows["episode_end"].notna()
    assert (rows.loc[marked, "date"] == last_date[marked]).all()
    per_episode = rows.groupby("episode_id").agg(end=("episode_end", "last"), last=("date", "max"))
    recent = per_episode["last"] >= pd.Timestamp("2025-12-31") - pd.Timedelta(days=42)
    assert per_episode.loc[recent, "end"].isna().all()
    assert per_episode.loc[~recent, "end"].notna().all()
    shares = per_episode["end"].value_counts(normalize=True, dropna=False)
    assert shares["planned"] == pytest.approx(0.60, abs=0.08)
    assert shares["unplanned"] == pytest.approx(0.25, abs=0.06)


def test_adolescent_boys_improve_reliably_less_often_than_girls(sessions, many_sessions):
    assert reliable_improvement(sessions, "flicka") - reliable_improvement(sessions, "pojke") >= 0.15
    assert reliable_improvement(many_sessions, "flicka") == pytest.approx(0.55, abs=0.07)
    assert reliable_improvement(many_sessions, "pojke") == pytest.approx(0.30, abs=0.07)


def test_early_srs_drop_ends_unplanned_more_often(sessions, many_sessions):
    for frame in (sessions, many_sessions):
        share = unplanned_share_by_early_drop(frame)
        assert share[True] - share[False] >= 0.2


def test_fit_broken_rows(sessions):
    rows = sessions.attrs["broken_rows"]
    assert set(rows) == {"item_above_10", "total_mismatch", "missing_client_id", "impossible_date", "future_date"}
    assert 0.003 <= len(broken(sessions)) / len(sessions) <= 0.007
    assert len(broken(sessions)) == len(set(broken(sessions)))
    assert sessions.loc[rows["missing_client_id"], "client_id"].isna().all()
    assert sessions["client_id"].isna().sum() == len(rows["missing_client_id"])
    assert (sessions.loc[rows["impossible_date"], "session_date"] == "2025-02-30").all()
    assert sessions.loc[rows["future_date"], "session_date"].str.startswith("2030-").all()
    unreadable = pd.to_datetime(sessions["session_date"], errors="coerce", format="%Y-%m-%d").isna()
    assert sorted(np.flatnonzero(unreadable)) == rows["impossible_date"]


SIZES = {"n": st.integers(1, 150), "seed": st.integers(0, 2**32 - 1), "start_year": st.integers(2015, 2030),
         "years": st.integers(1, 3)}


@settings(deadline=None)
@given(**SIZES)
def test_fit_invariants_for_any_size_and_seed(n, seed, start_year, years):
    frame = fit_demo.generate(n, seed=seed, start_year=start_year, years=years)
    rows = clean(frame)
    dates = pd.to_datetime(rows["session_date"])
    assert dates.between(f"{start_year}-01-01", f"{start_year + years - 1}-12-31").all()
    assert (dates.groupby(rows["episode_id"]).diff().dropna() > pd.Timedelta(0)).all()
    assert rows[ORS + SRS].stack().dropna().between(0, 10).all()
    assert rows.groupby("episode_id")["episode_end"].apply(lambda end: end.iloc[:-1].isna().all()).all()
    assert frame["episode_id"].str.split("-").str[0].nunique() == n


def test_fit_csv_as_swedish_excel_exports_it(tmp_path, sessions):
    entry = fit_demo.write_demo(tmp_path)
    assert entry == {
        "name": "hasselberg", "model": "fit", "title": "Familjeteamet Hasselberg",
        "source": "hasselberg_sessioner.csv", "columns": {"Klient-ID": "client_id", "Behandlare": "therapist_id"},
        "categories": {"unit": ["Familjebehandling", "Ungdomsteamet", "Vuxenteamet"],
                       "therapist_id": [f"T0{i}" for i in range(1, 9)]},
    }
    raw = (tmp_path / entry["source"]).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0].split(";")[:4] == ["Klient-ID", "episode_id", "session_date", "Behandlare"]
    assert re.search(r";\d+,\d;", text) and not re.search(r"\d\.\d", text)
    back = pd.read_csv(tmp_path / entry["source"], sep=";", decimal=",", encoding="utf-8-sig")
    back = back.rename(columns=entry["columns"])
    assert list(back.columns) == FIT_FIELDS
    pd.testing.assert_frame_equal(back, sessions, check_dtype=False)
    # the declared categories are the units and therapists the file holds (fields without them are never tabulated)
    for name, declared in entry["categories"].items():
        assert set(back[name].dropna()) == set(declared)
