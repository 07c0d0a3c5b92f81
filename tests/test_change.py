"""Change on a scale: published check values, hand-computed cases and invariants."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings as hypothesis_settings
from hypothesis import strategies as st

from isu_engine.stats.change import (
    CATEGORIES_DIRECTION,
    CATEGORIES_JT,
    CATEGORIES_RC,
    ChangeSettings,
    analyse_change,
    change_figures,
    pair_long,
    pair_wide,
)

REFERENCE = Path(__file__).resolve().parent / "data"


def reference_csv(name: str, **read_options) -> pd.DataFrame:
    path = REFERENCE / name
    if not path.is_file():
        pytest.fail(f"reference data set missing: {path} (see tests/data/README.md)")
    return pd.read_csv(path, **read_options)


def series(values, index=None) -> pd.Series:
    return pd.Series(values, index=index, dtype="float64")


# --- Claus et al. (2020), R package clinicalsignificance -------------------------------


@pytest.fixture(scope="module")
def claus_pairs() -> pd.DataFrame:
    frame = reference_csv("claus_2020.csv", dtype={"id": str})
    return pair_wide(frame, "id", "BDI1.total", "BDI4.total")


def bdi(**extra) -> ChangeSettings:
    return ChangeSettings(direction="lower_is_better", reliability=0.801, **extra)


def test_claus_pairs_and_pre_scores(claus_pairs):
    assert len(claus_pairs) == 40
    assert list(claus_pairs.columns) == ["subject", "pre", "post"]
    assert claus_pairs["subject"].iloc[0] == "1.0"
    result = analyse_change(claus_pairs["pre"], claus_pairs["post"], bdi())
    assert result.n_paired == 40
    assert round(result.mean_pre, 2) == 35.48
    assert round(result.sd_pre, 2) == 8.16


def test_claus_reliable_change_without_cutoff(claus_pairs):
    result = analyse_change(claus_pairs["pre"], claus_pairs["post"], bdi())
    assert result.method == "reliable_change"
    assert result.counts == {"improved": 18, "unchanged": 22, "deteriorated": 0}
    assert result.reliable_change_points == pytest.approx(10.09, abs=0.005)
    assert result.cutoff is None


def test_claus_jacobson_truax_with_cutoff_a(claus_pairs):
    result = analyse_change(claus_pairs["pre"], claus_pairs["post"], bdi(cutoff={"type": "a"}))
    assert result.method == "jacobson_truax"
    assert round(result.cutoff, 2) == 19.16
    assert result.counts == {"recovered": 10, "improved": 8, "unchanged": 22, "deteriorated": 0, "harmed": 0}
    assert result.categories.index.equals(claus_pairs.index)


def test_claus_cutoff_c(claus_pairs):
    cutoff = {"type": "c", "functional_mean": 7.69, "functional_sd": 7.52}
    result = analyse_change(claus_pairs["pre"], claus_pairs["post"], bdi(cutoff=cutoff))
    assert round(result.cutoff, 2) == 21.02


# --- Other published check values ---------------------------------------------------


def test_suddengains_reliable_change_points():
    settings = ChangeSettings(sd_ref=10.5, reliability=0.961)
    result = analyse_change(series([10, 20, 30]), series([12, 19, 40]), settings)
    assert result.reliable_change_points == pytest.approx(5.747681, abs=1e-6)


def test_sd_ref_gives_threshold_without_pairs():
    result = analyse_change(series([]), series([]), ChangeSettings(sd_ref=10.5, reliability=0.961))
    assert result.reliable_change_points == pytest.approx(5.747681, abs=1e-6)


def ors_clients() -> tuple[pd.Series, pd.Series]:
    """38 clients with intake mean 22.27, intake SD 6.14 (n−1) and last mean 29.79."""
    spread = np.linspace(-1.0, 1.0, 38)
    standard = (spread - spread.mean()) / spread.std(ddof=1)
    intake = 22.27 + 6.14 * standard
    return series(intake), series(intake + (29.79 - 22.27))


def test_effect_size_published_example():
    pre, post = ors_clients()
    assert len(pre) == 38
    assert pre.mean() == pytest.approx(22.27)
    assert post.mean() == pytest.approx(29.79)
    assert pre.std(ddof=1) == pytest.approx(6.14)
    result = analyse_change(pre, post, ChangeSettings(reliable_change=5))
    assert round(result.effect_size, 2) == 1.22
    flipped = analyse_change(pre, post, ChangeSettings(direction="lower_is_better", reliable_change=5))
    assert flipped.effect_size == pytest.approx(-result.effect_size)
    assert round(flipped.effect_size, 2) == -1.22


def test_effect_size_none_without_spread():
    assert analyse_change(series([10]), series([20]), ChangeSettings()).effect_size is None
    assert analyse_change(series([10, 10]), series([20, 21]), ChangeSettings()).effect_size is None


# --- Jacobson & Truax (1991) data in long format ------------------------------------


@pytest.fixture(scope="module")
def jacobson_long() -> pd.DataFrame:
    frame = reference_csv("jacobson_1989.csv")
    return frame.assign(occasion=frame["time"].map({"pre": 0, "post": 1}))


def test_jacobson_long_pairs(jacobson_long):
    das = pair_long(jacobson_long, "subject", "occasion", "das")
    gds = pair_long(jacobson_long, "subject", "occasion", "gds")
    assert len(das) == 30
    assert len(gds) == 26
    assert set(das["subject"]) - set(gds["subject"]) == {27, 28, 29, 30}
    assert list(das.columns) == ["subject", "pre", "post", "n_measurements", "first_order", "last_order"]
    first = das.set_index("subject").loc[1]
    assert (first["pre"], first["post"]) == (90.5, 97.0)
    assert (first["first_order"], first["last_order"], first["n_measurements"]) == (0, 1, 2)


def test_jacobson_single_measurement_kept_when_asked(jacobson_long):
    gds = pair_long(jacobson_long, "subject", "occasion", "gds", min_measurements=1)
    assert len(gds) == 30
    lone = gds.set_index("subject").loc[27]
    assert lone["pre"] == lone["post"] == 75.5
    assert lone["n_measurements"] == 1


# --- Fixed reliable change in points -------------------------------------------------


def test_fixed_reliable_change_boundary():
    assert 36.3 - 31.3 < 5  # float arithmetic falls just short of 5
    pre = series([25.1, 20.0, 31.3, 20.0, 30.0])
    post = series([30.1, 25.0, 36.3, 24.9, 25.0])
    result = analyse_change(pre, post, ChangeSettings(reliable_change=5))
    assert result.method == "reliable_change"
    assert list(result.categories) == ["improved", "improved", "improved", "unchanged", "deteriorated"]
    assert result.reliable_change_points == 5.0


def test_fixed_value_overrides_reliability():
    # reliability alone: S_diff = √2·10·√0.5 = 10, threshold 19.6 points; a change of 6 is not reliable
    pre, post = series([10, 20, 30]), series([16, 20, 30])
    by_reliability = analyse_change(pre, post, ChangeSettings(reliability=0.5, sd_ref=10))
    assert by_reliability.reliable_change_points == pytest.approx(19.6)
    assert by_reliability.categories.iloc[0] == "unchanged"
    both = analyse_change(pre, post, ChangeSettings(reliability=0.5, sd_ref=10, reliable_change=5))
    assert both.reliable_change_points == 5.0
    assert both.categories.iloc[0] == "improved"


def test_reliability_threshold_by_hand():
    # SD 10, r 0.75: SE 5, S_diff 5·√2 ≈ 7.071, threshold 13.859 points
    settings = ChangeSettings(reliability=0.75, sd_ref=10)
    result = analyse_change(series([20, 20, 20, 20]), series([34, 33.8, 6, 6.2]), settings)
    assert result.reliable_change_points == pytest.approx(1.96 * 5 * math.sqrt(2))
    assert list(result.categories) == ["improved", "unchanged", "deteriorated", "unchanged"]


# --- Hand-computed categories ----------------------------------------------------------


def test_every_category_with_cutoff_higher_is_better():
    cases = {  # pre, post, expected with cutoff 25 and reliable change 5
        "a": (20, 26, "recovered"),
        "b": (10, 16, "improved"),
        "c": (26, 32, "improved"),
        "d": (20, 23, "unchanged"),
        "e": (20, 14, "deteriorated"),
        "f": (30, 24, "harmed"),
        "g": (19, 25, "recovered"),  # post exactly at the cutoff is functional
        "h": (25, 31, "improved"),  # pre exactly at the cutoff is functional
        "i": (25, 19, "harmed"),
        "j": (24, 18, "deteriorated"),
    }
    index = list(cases)
    pre = series([c[0] for c in cases.values()], index)
    post = series([c[1] for c in cases.values()], index)
    result = analyse_change(pre, post, ChangeSettings(reliable_change=5, cutoff=25))
    assert result.method == "jacobson_truax"
    assert result.cutoff == 25.0
    assert result.categories.to_dict() == {key: c[2] for key, c in cases.items()}
    assert result.counts == {"recovered": 2, "improved": 3, "unchanged": 1, "deteriorated": 2, "harmed": 2}
    assert list(result.categories.cat.categories) == list(CATEGORIES_JT)


def test_every_category_lower_is_better():
    # cutoff 14 (lower is better): at or below is functional
    pre = series([20, 30, 10, 20, 10, 14, 20])
    post = series([14, 22, 4, 28, 16, 22, 17])
    settings = ChangeSettings(direction="lower_is_better", reliable_change=5, cutoff=14)
    result = analyse_change(pre, post, settings)
    assert list(result.categories) == [
        "recovered", "improved", "improved", "deteriorated", "harmed", "harmed", "unchanged",
    ]


def test_cutoff_a_and_c_by_hand():
    pre, post = series([10, 20, 30]), series([10, 20, 30])  # mean 20, SD 10
    higher = analyse_change(pre, post, ChangeSettings(reliable_change=5, cutoff={"type": "a"}))
    lower = analyse_change(
        pre, post, ChangeSettings(direction="lower_is_better", reliable_change=5, cutoff={"type": "a"})
    )
    assert higher.cutoff == pytest.approx(40.0)
    assert lower.cutoff == pytest.approx(0.0)
    c = {"type": "c", "functional_mean": 50, "functional_sd": 10}
    assert analyse_change(pre, post, ChangeSettings(reliable_change=5, cutoff=c)).cutoff == pytest.approx(35.0)


def test_cutoff_a_ignores_sd_ref():
    pre, post = series([10, 20, 30]), series([10, 20, 30])
    result = analyse_change(pre, post, ChangeSettings(reliability=0.8, sd_ref=3, cutoff={"type": "a"}))
    assert result.cutoff == pytest.approx(40.0)


def test_per_subject_cutoffs_exclude_missing():
    index = ["adult", "child", "toddler", "adult2"]
    pre = series([28, 28, 10, 20], index)
    post = series([33, 33, 30, 26], index)
    cutoffs = series([25, 32, np.nan, 25], index)
    result = analyse_change(pre, post, ChangeSettings(reliable_change=5, cutoff=99), cutoffs=cutoffs)
    assert result.method == "jacobson_truax"
    assert result.cutoff is None
    assert result.n_paired == 3
    assert result.n_excluded_no_cutoff == 1
    assert result.categories.to_dict() == {"adult": "improved", "child": "recovered", "adult2": "recovered"}
    assert result.mean_pre == pytest.approx((28 + 28 + 20) / 3)
    figures = change_figures("ors", result)
    assert figures["ors.cutoff"] is None
    assert figures["ors.n_paired"] == 3
    assert figures["ors.jt_recovered"] == 2


def test_per_subject_cutoffs_make_jacobson_truax_without_settings_cutoff():
    result = analyse_change(series([20]), series([26]), ChangeSettings(reliable_change=5), cutoffs=series([25]))
    assert result.method == "jacobson_truax"
    assert list(result.categories) == ["recovered"]


def test_direction_labels():
    pre, post = series([10, 10, 10, 10.1]), series([12, 10, 8, 10.1])
    higher = analyse_change(pre, post, ChangeSettings())
    lower = analyse_change(pre, post, ChangeSettings(direction="lower_is_better", cutoff=25))
    assert higher.method == lower.method == "direction"
    assert list(higher.categories) == ["better", "same", "worse", "same"]
    assert list(lower.categories) == ["worse", "same", "better", "same"]
    assert list(higher.categories.cat.categories) == list(CATEGORIES_DIRECTION)
    assert higher.counts == {"better": 1, "same": 2, "worse": 1}
    assert higher.reliable_change_points is None
    figures = change_figures("rating", higher)
    assert figures["rating.better"] == 1
    assert figures["rating.same"] == 2
    assert figures["rating.worse"] == 1
    assert all(figures[f"rating.jt_{name}"] is None for name in CATEGORIES_JT)


def test_figures_of_reliable_change_method():
    result = analyse_change(series([10, 20]), series([20, 20]), ChangeSettings(reliable_change=5))
    figures = change_figures("ors", result)
    assert figures["ors.jt_recovered"] is None
    assert figures["ors.jt_harmed"] is None
    assert (figures["ors.jt_improved"], figures["ors.jt_unchanged"], figures["ors.jt_deteriorated"]) == (1, 1, 0)
    assert figures["ors.reliable_change_points"] == 5.0
    assert figures["ors.mean_pre"] == 15.0
    assert "ors.better" not in figures
    assert list(result.categories.cat.categories) == list(CATEGORIES_RC)


def test_figure_names():
    result = analyse_change(series([10, 20]), series([20, 20]), ChangeSettings(reliable_change=5, cutoff=25))
    names = {
        "n_paired", "mean_pre", "mean_post", "sd_pre", "effect_size", "effect_size_dz", "reliable_change_points",
        "cutoff", "jt_recovered", "jt_improved", "jt_unchanged", "jt_deteriorated", "jt_harmed",
    }
    assert set(change_figures("ors", result)) == {f"ors.{name}" for name in names}


def test_empty_input():
    result = analyse_change(series([]), series([]), ChangeSettings(reliability=0.8, cutoff={"type": "a"}))
    assert result.n_paired == 0
    assert result.mean_pre is None and result.mean_post is None and result.sd_pre is None
    assert result.effect_size is None and result.mean_change is None
    assert result.counts == dict.fromkeys(CATEGORIES_JT, 0)
    assert change_figures("bdi", result)["bdi.jt_unchanged"] == 0


def test_single_pair_without_sd_is_unclassified():
    result = analyse_change(series([20]), series([30]), ChangeSettings(reliability=0.8))
    assert result.reliable_change_points is None
    assert result.categories.isna().all()
    assert change_figures("bdi", result)["bdi.jt_improved"] is None


def test_mean_change_keeps_raw_sign():
    result = analyse_change(series([20, 30]), series([10, 24]), ChangeSettings(direction="lower_is_better"))
    assert result.mean_change == pytest.approx(-8.0)
    assert result.sd_post == pytest.approx(math.sqrt(98))


def test_incomplete_pairs_are_refused():
    with pytest.raises(ValueError, match="missing"):
        analyse_change(series([1, np.nan]), series([2, 3]), ChangeSettings())
    with pytest.raises(ValueError, match="index"):
        analyse_change(series([1, 2]), series([2, 3], index=[5, 6]), ChangeSettings())


@pytest.mark.parametrize(
    "options",
    [
        {"direction": "up"},
        {"reliability": 1.0},
        {"reliability": -0.1},
        {"reliability": True},
        {"reliable_change": 0},
        {"reliable_change": float("nan")},
        {"sd_ref": -2},
        {"cutoff": "a"},
        {"cutoff": {"type": "b"}},
        {"cutoff": {"type": "c", "functional_mean": 7}},
        {"cutoff": {"type": "c", "functional_mean": 7, "functional_sd": 0}},
        {"cutoff": {"type": "a", "functional_mean": 7}},
    ],
)
def test_settings_refuse_bad_values(options):
    with pytest.raises(ValueError):
        ChangeSettings(**options)


# --- Pairing ----------------------------------------------------------------------------


def test_pair_wide_keeps_complete_pairs_and_index():
    frame = pd.DataFrame(
        {"id": ["a", "b", "c", "d"], "x": [1.0, np.nan, 3.0, 4.0], "y": [2.0, 2.0, np.nan, 5.0]},
        index=[10, 11, 12, 13],
    )
    pairs = pair_wide(frame, "id", "x", "y")
    assert list(pairs.index) == [10, 13]
    assert pairs.to_dict("list") == {"subject": ["a", "d"], "pre": [1.0, 4.0], "post": [2.0, 5.0]}


def test_pair_long_dates_until_and_ties():
    frame = pd.DataFrame(
        {
            "client": ["a", "a", "a", "a", "b", "b", "c", "c"],
            "date": pd.to_datetime(
                ["2025-03-01", "2024-12-01", "2025-03-01", "2026-01-05", "2025-02-01", "2025-02-01",
                 "2025-05-01", "2025-06-01"]
            ),
            "ors": [20.0, 15.0, 22.0, 35.0, 18.0, 19.0, 30.0, np.nan],
        }
    )
    pairs = pair_long(frame, "client", "date", "ors", until="2025-12-31").set_index("subject")
    assert list(pairs.index) == ["a", "b"]  # c has one usable score
    assert (pairs.loc["a", "pre"], pairs.loc["a", "post"], pairs.loc["a", "n_measurements"]) == (15.0, 22.0, 3)
    assert pairs.loc["a", "last_order"] == pd.Timestamp("2025-03-01")
    assert (pairs.loc["b", "pre"], pairs.loc["b", "post"]) == (18.0, 19.0)  # tie: row order
    everything = pair_long(frame, "client", "date", "ors").set_index("subject")
    assert everything.loc["a", "post"] == 35.0


def test_pair_long_empty():
    frame = pd.DataFrame({"s": pd.Series([], dtype=str), "t": pd.Series([], dtype=float), "v": pd.Series([], dtype=float)})
    pairs = pair_long(frame, "s", "t", "v")
    assert len(pairs) == 0
    assert list(pairs.columns) == ["subject", "pre", "post", "n_measurements", "first_order", "last_order"]


# --- Invariants -------------------------------------------------------------------------

scores = st.integers(min_value=0, max_value=400).map(lambda tenths: tenths / 10)
score_pairs = st.lists(st.tuples(scores, scores), max_size=25)
thresholds = st.one_of(
    st.just({}),
    st.builds(lambda rc: {"reliable_change": rc}, st.sampled_from([0.5, 3, 5, 7.5])),
    st.builds(
        lambda r, sd: {"reliability": r, "sd_ref": sd},
        st.sampled_from([0.0, 0.5, 0.8, 0.93]),
        st.one_of(st.none(), st.sampled_from([2.0, 6.14, 10.5])),
    ),
)
cutoff_choices = st.one_of(
    st.none(),
    scores,
    st.just({"type": "a"}),
    st.builds(
        lambda m, s: {"type": "c", "functional_mean": m, "functional_sd": s},
        scores,
        st.sampled_from([1.0, 5.0, 7.52]),
    ),
)


def pre_post(pairs) -> tuple[pd.Series, pd.Series]:
    return series([p[0] for p in pairs]), series([p[1] for p in pairs])


def negated(cutoff):
    if cutoff is None or isinstance(cutoff, dict) and cutoff["type"] == "a":
        return cutoff
    if isinstance(cutoff, dict):
        return {**cutoff, "functional_mean": -cutoff["functional_mean"]}
    return -cutoff


@hypothesis_settings(max_examples=200, deadline=None)
@given(pairs=score_pairs, threshold=thresholds, cutoff=cutoff_choices, direction=st.sampled_from(
    ["higher_is_better", "lower_is_better"]))
def test_categories_account_for_every_pair(pairs, threshold, cutoff, direction):
    pre, post = pre_post(pairs)
    result = analyse_change(pre, post, ChangeSettings(direction=direction, cutoff=cutoff, **threshold))
    assert len(result.categories) == result.n_paired == len(pairs)
    assert sum(result.counts.values()) == result.categories.notna().sum()
    sd_known = threshold.get("sd_ref") is not None or (len(pairs) >= 2 and pre.std(ddof=1) > 0)
    threshold_known = "reliability" not in threshold or sd_known
    cutoff_known = not isinstance(cutoff, dict) or len(pairs) >= 2
    if not threshold or (threshold_known and cutoff_known):
        assert sum(result.counts.values()) == result.n_paired
    else:
        assert result.categories.isna().all()


@hypothesis_settings(max_examples=200, deadline=None)
@given(pairs=score_pairs, threshold=thresholds, cutoff=cutoff_choices)
def test_flipping_direction_and_negating_scores_keeps_categories(pairs, threshold, cutoff):
    pre, post = pre_post(pairs)
    higher = analyse_change(pre, post, ChangeSettings(cutoff=cutoff, **threshold))
    lower = analyse_change(
        -pre, -post, ChangeSettings(direction="lower_is_better", cutoff=negated(cutoff), **threshold)
    )
    assert lower.method == higher.method
    assert lower.categories.astype(object).tolist() == higher.categories.astype(object).tolist()
    if higher.cutoff is not None:
        assert lower.cutoff == pytest.approx(-higher.cutoff)
    if higher.effect_size is not None:
        assert lower.effect_size == pytest.approx(higher.effect_size)


measurements = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d"]),
        st.integers(min_value=0, max_value=6),
        st.one_of(st.none(), scores),
    ),
    max_size=30,
)


@hypothesis_settings(max_examples=200, deadline=None)
@given(rows=measurements, until=st.one_of(st.none(), st.integers(min_value=0, max_value=6)),
       min_measurements=st.integers(min_value=1, max_value=3))
def test_pair_long_pre_is_earliest_and_post_latest(rows, until, min_measurements):
    frame = pd.DataFrame(rows, columns=["subject", "order", "value"]).astype({"value": "float64"})
    pairs = pair_long(frame, "subject", "order", "value", until=until, min_measurements=min_measurements)
    expected = {}
    for subject in sorted({row[0] for row in rows}):
        usable = [
            (order, value) for name, order, value in rows
            if name == subject and value is not None and (until is None or order <= until)
        ]
        if len(usable) < min_measurements:
            continue
        first = min(order for order, _ in usable)
        last = max(order for order, _ in usable)
        pre = next(value for order, value in usable if order == first)
        post = [value for order, value in usable if order == last][-1]
        expected[subject] = (pre, post, len(usable), first, last)
    got = {
        row.subject: (row.pre, row.post, row.n_measurements, row.first_order, row.last_order)
        for row in pairs.itertuples()
    }
    assert got == expected


def test_effect_size_on_the_sd_of_change_by_hand():
    # pre 1, 2, 3, 4 and post 2, 4, 5, 5: changes 1, 2, 2, 1, mean 1.5, SD √(1/3) = 0.57735 → d_z = 2.598;
    # d on the SD of the pre-scores (1.29099) = 1.1619. Lower is better flips both signs.
    pre, post = pd.Series([1.0, 2, 3, 4]), pd.Series([2.0, 4, 5, 5])
    result = analyse_change(pre, post, ChangeSettings())
    assert result.effect_size_dz == pytest.approx(1.5 / math.sqrt(1 / 3))
    assert result.effect_size == pytest.approx(1.5 / 1.2909944)
    assert change_figures("s", result)["s.effect_size_dz"] == pytest.approx(2.598076, abs=1e-6)
    lower = analyse_change(pre, post, ChangeSettings(direction="lower_is_better"))
    assert lower.effect_size_dz == pytest.approx(-2.598076, abs=1e-6)
    same = analyse_change(pre, pre + 1, ChangeSettings())                 # every change alike: no SD of change
    assert same.effect_size_dz is None
