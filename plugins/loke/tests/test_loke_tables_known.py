"""LOKE report tables on small hand-built data, through `isu report` and report.json.

Every expected count below is worked out from the rows in this file. Disclosure control is
off (`min_cell: 1`) so that the counts themselves can be checked; it has tests of its own.
"""

import pytest

from isu_engine.protect.audit import audit

from report_tables import PERIOD, by_group, rows, run_report, table


LOKE_CASES = """\
case_id,gender,age,referral,problem_areas,intervention,method,start_date,end_date,n_contacts,end_reason,goal_attainment,satisfaction,team
C1,flicka,8,Socialtjänst,föräldraskap;relationer,Familjebehandling,MI,2025-01-10,2025-03-01,5,planerat avslut,helt,5,Norr
C2,flicka,8,Socialtjänst,föräldraskap,Familjebehandling,MI,2025-02-01,2025-06-01,11,planerat avslut,helt,4,Norr
C3,pojke,9,Egen ansökan,relationer;skola,Föräldrastöd,Komet,2025-03-01,2025-09-01,21,avbrutet av verksamheten,delvis,4,Söder
C4,pojke,9,Skola,skola,Familjebehandling,,2025-04-01,,8,,,1,Norr
C5,flicka,8,Socialtjänst,,Föräldrastöd,Komet,2024-06-01,2025-02-01,6,planerat avslut,helt,,Norr
C6,pojke,9,Skola,skola,Familjebehandling,MI,2024-01-01,2024-12-01,3,planerat avslut,helt,1,Söder
C7,pojke,9,,föräldraskap; relationer ;skola;skola,Familjebehandling,MI,2025-05-01,2025-11-01,,flytt,inte,2,Söder
C8,flicka,8,Egen ansökan,relationer,Föräldrastöd,Komet,2025-06-01,2025-12-01,1,avbrutet av brukaren,inte,5,Söder
"""
# In the period 2025 (active during it): C1, C2, C3, C4, C5, C7, C8 = 7 cases (C6 ended in 2024).
# Ended in 2025: C1, C2, C3, C5, C7, C8 = 6 (C4 is open).
# The model declares no categories for referral, problem areas, intervention and method (a unit's
# own): fields without declared categories are never tabulated, so the config declares them.
LOKE_CONFIG = PERIOD + """\
disclosure: {min_cell: 1}
datasets:
  x:
    model: loke
    source: cases.csv
    categories:
      referral: [Socialtjänst, Egen ansökan, Skola]
      problem_areas: [relationer, föräldraskap, skola]
      intervention: [Familjebehandling, Föräldrastöd]
      method: [Komet, MI]
    fields:
      - {name: team, type: string, role: group, block: intervention, title: {sv: Team, en: Team}, categories: [Norr, Söder]}
"""


@pytest.fixture(scope="module")
def loke(tmp_path_factory):
    return run_report(tmp_path_factory.mktemp("loke"), "cases.csv", LOKE_CASES, LOKE_CONFIG)


def counts(table_rows: list[list]) -> list[tuple[str, int]]:
    return [(row[0], row[1]) for row in table_rows]


def test_loke_case_counts(loke):
    assert (loke["figures"]["n_cases"], loke["figures"]["n_cases_ended"], loke["figures"]["n_cases_open"]) == (7, 6, 1)


def test_loke_referral(loke):
    # Socialtjänst C1 C2 C5 = 3, Egen ansökan C3 C8 = 2, Skola C4 = 1 (C6 is outside the period), missing C7 = 1
    found = table(loke, "x.referral")
    assert found["n"] == 7
    assert counts(found["rows"][:3]) == [("Socialtjänst", 3), ("Egen ansökan", 2), ("Skola", 1)]
    assert found["rows"][3][1] == 1  # no referral given
    assert [row[2] for row in found["rows"]] == pytest.approx([300 / 7, 200 / 7, 100 / 7, 100 / 7])


def test_loke_problem_areas_count_each_case_once_per_area(loke):
    # relationer C1 C3 C7 C8 = 4; föräldraskap C1 C2 C7 = 3; skola C3 C4 C7 = 3 (not C6); none given: C5
    # C7 wrote 'föräldraskap; relationer ;skola;skola': items are trimmed and C7 counts once for skola
    found = table(loke, "x.problem_areas")
    assert found["n"] == 7
    areas = dict(counts(found["rows"][:3]))
    assert areas == {"relationer": 4, "föräldraskap": 3, "skola": 3}
    assert found["rows"][3][1] == 1
    # shares of cases, so they add up to more than 100 %: (4 + 3 + 3 + 1) / 7
    assert sum(row[2] for row in found["rows"]) == pytest.approx(1100 / 7)


def test_loke_interventions_and_methods(loke):
    # Familjebehandling C1 C2 C4 C7 = 4, Föräldrastöd C3 C5 C8 = 3
    assert counts(rows(loke, "x.intervention")) == [("Familjebehandling", 4), ("Föräldrastöd", 3)]
    # Komet C3 C5 C8 = 3, MI C1 C2 C7 = 3, missing C4 = 1
    methods = rows(loke, "x.method")
    assert dict(counts(methods[:2])) == {"Komet": 3, "MI": 3} and methods[2][1] == 1


def test_loke_contacts_of_ended_cases(loke):
    # ended: C1 5, C2 11, C3 21, C5 6, C7 missing, C8 1; C4 (8 contacts) is open and not counted
    # bands 1–5: C1 C8; 6–10: C5; 11–20: C2; 21 or more: C3
    found = table(loke, "x.contacts")
    assert found["n"] == 6
    assert [row[1] for row in found["rows"]] == [2, 1, 1, 1, 1]
    assert [row[0].split(" ")[0] for row in found["rows"][:4]] == ["1–5", "6–10", "11–20", "21"]
    # n, mean, median of the five counts: 44 / 5 = 8.8; sorted 1 5 6 11 21 -> 6
    contacts = rows(loke, "x.intervention.summary")[0]
    assert contacts[1:4] == [5, pytest.approx(8.8), pytest.approx(6.0)]


def test_loke_satisfaction_of_ended_cases(loke):
    # ended: C1 5, C2 4, C3 4, C5 none, C7 2, C8 5; the 1s of C4 (open) and C6 (2024) do not count
    found = table(loke, "x.satisfaction")
    assert found["n"] == 6
    assert [row[1] for row in found["rows"]] == [0, 1, 0, 2, 2, 1]  # 1, 2, 3, 4, 5, not answered
    assert [row[0][0] for row in found["rows"][:5]] == ["1", "2", "3", "4", "5"]
    assert loke["figures"]["satisfaction_mean"] == pytest.approx(20 / 5)


def test_loke_own_group_variable_is_compared(loke):
    # ended, team Norr: C1 C2 C5, all ended as planned and goals fully met: 3 of 3
    # ended, team Söder: C3 C7 C8, none of them: 0 of 3 (C4 of Norr is open and not counted)
    for indicator in ("ended_as_planned", "goal_attained"):
        groups = by_group(loke, f"x.compare.{indicator}.team")
        assert list(groups) == ["Norr", "Söder"]
        assert (groups["Norr"]["n"], groups["Norr"]["pct"], groups["Norr"]["pct_rest"]) == (3, 100.0, 0.0)
        assert (groups["Söder"]["n"], groups["Söder"]["pct"], groups["Söder"]["pct_rest"]) == (3, 0.0, 100.0)
    # and it is described among the intervention block's own variables: Norr C1 C2 C4 C5, Söder C3 C7 C8
    assert counts(rows(loke, "x.own.team")) == [("Norr", 4), ("Söder", 3)]


def test_a_hidden_group_shows_no_difference_and_no_q_value(tmp_path):
    # 30 girls (15 ended as planned), 30 boys (10) and 3 of another gender (1): the three are below
    # min_cell 5, so their row's counts are hidden (shown as "Annat eller okänt kön", the group of
    # another and unknown gender), and so must be the difference and the q-value that would tell
    # how far their share is from the rest.
    genders = ["flicka"] * 30 + ["pojke"] * 30 + ["annat"] * 3
    planned = [index < 15 for index in range(30)] + [index < 10 for index in range(30)] + [True, False, False]
    lines = ["case_id,gender,age,start_date,end_date,end_reason"]
    lines += [f"C{index},{gender},9,2025-02-01,2025-06-01,{'planerat avslut' if done else 'flytt'}"
              for index, (gender, done) in enumerate(zip(genders, planned))]
    config = PERIOD + "disclosure: {min_cell: 5}\ndatasets:\n  x: {model: loke, source: cases.csv}\n"
    dataset = run_report(tmp_path, "cases.csv", "\n".join(lines) + "\n", config)
    other = by_group(dataset, "x.compare.ended_as_planned.gender")["Annat eller okänt kön"]
    assert other["n"] is None and other["pct"] is None
    assert other["diff"] is None and other["q"] is None
    # and no reader can work the three (or the one of them) out from what the report shows
    findings, min_cell = audit([tmp_path / "out"])
    assert min_cell == 5 and findings == []
