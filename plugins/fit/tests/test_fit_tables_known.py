"""FIT report tables on small hand-built data, through `isu report` and report.json.

Every expected count below is worked out from the rows in this file. Disclosure control is
off (`min_cell: 1`) so that the counts themselves can be checked; it has tests of its own.
"""

import pytest

from report_tables import PERIOD, by_group, run_report, table


# --- FIT ----------------------------------------------------------------------------------------


FIT_SESSIONS = """\
client_id,session_date,gender,age,instrument,unit,ors_total,srs_total
E1,2025-02-01,kvinna,30,ORS,Norr,10,30
E1,2025-03-01,kvinna,30,ORS,Norr,20,40
E2,2025-02-01,kvinna,30,ORS,Norr,20,35
E2,2025-03-01,kvinna,30,ORS,Norr,30,38
E3,2025-02-01,kvinna,30,ORS,Norr,10,20
E3,2025-03-01,kvinna,30,ORS,Norr,12,
E4,2024-11-01,kvinna,30,ORS,Norr,15,30
E4,2025-02-01,kvinna,30,ORS,Norr,17,40
E4,2025-03-01,kvinna,30,ORS,Norr,18,40
E5,2025-02-01,man,30,ORS,Söder,10,36
E5,2025-03-01,man,30,ORS,Söder,16,36
E6,2025-02-01,man,30,ORS,Söder,12,38
E6,2025-03-01,man,30,ORS,Söder,14,38
E7,2025-02-01,man,30,ORS,Söder,30,40
E7,2025-03-01,man,30,ORS,Söder,20,40
E8,2025-02-01,man,30,ORS,Söder,14,39
E8,2025-03-01,man,30,ORS,Söder,13,39
E9,2025-02-01,man,30,ORS,Söder,10,
E9,2025-03-01,man,30,ORS,Söder,20,30
E10,2025-02-01,man,30,ORS,Söder,10,30
"""
# Episode  first SRS   ORS first -> last   change  category
# E1       30 (<36)    10 -> 20            +10     improved (still below 25)       yes
# E2       35 (<36)    20 -> 30            +10     recovered (crosses 25)          yes
# E3       20 (<36)    10 -> 12            +2      unchanged                       no
# E4       30 (<36)    15 -> 18            +3      unchanged                       no
#          (E4's first session is in 2024: its SRS 30 is the first-session SRS, not the 40 of 2025)
# E5       36 (not <)  10 -> 16            +6      improved                        yes
# E6       38          12 -> 14            +2      unchanged                       no
# E7       40          30 -> 20            −10     harmed (crosses 25 downwards)   no
# E8       39          14 -> 13            −1      unchanged                       no
# E9       none        10 -> 20            +10     improved; no first-session SRS: in no SRS group
# E10      30          10                          one ORS only: not paired


@pytest.fixture(scope="module")
def fit(tmp_path_factory):
    # the units Norr and Söder are declared: a field without categories is never tabulated
    config = PERIOD + ("disclosure: {min_cell: 1}\ndatasets:\n"
                       "  x: {model: fit, source: sessions.csv, categories: {unit: [Norr, Söder]}}\n")
    return run_report(tmp_path_factory.mktemp("fit"), "sessions.csv", FIT_SESSIONS, config)


def test_fit_first_session_srs_against_outcome(fit):
    # below 36: E1, E2, E3, E4 -> 2 of 4 = 50 %; 36 or more: E5, E6, E7, E8 -> 1 of 4 = 25 %
    found = table(fit, "x.ors.improved.first_srs")
    assert found["n"] == 8  # E9 has no first-session SRS, E10 no pair
    below, not_below = found["rows"]  # the group below the cutoff comes first
    assert "36" in below[0] and "36" in not_below[0]
    values = dict(zip(found["column_ids"], below))
    assert (values["n"], values["pct"], values["pct_rest"], values["diff"]) == (4, 50.0, 25.0, 25.0)
    values = dict(zip(found["column_ids"], not_below))
    assert (values["n"], values["pct"], values["pct_rest"], values["diff"]) == (4, 25.0, 50.0, -25.0)


def test_fit_outcome_by_unit_with_two_units(fit):
    # Norr: E1–E4, 2 of 4 = 50 %; Söder: E5–E9 (E9 counts here), 2 of 5 = 40 %
    assert fit["figures"]["ors.n_paired"] == 9
    groups = by_group(fit, "x.ors.improved.unit")
    assert (groups["Norr"]["n"], groups["Norr"]["pct"], groups["Norr"]["pct_rest"]) == (4, 50.0, 40.0)
    assert (groups["Söder"]["n"], groups["Söder"]["pct"], groups["Söder"]["pct_rest"]) == (5, 40.0, 50.0)
    assert groups["Norr"]["diff"] == pytest.approx(10.0)
