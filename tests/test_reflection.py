"""Reflection in the rendered report: last period's decisions beside the new figures, and a question
for every flagged group difference (DESIGN §1, §2; docs/configuration.md "Reflection log")."""

import html
import json
import math
import re

import pytest

from isu_engine.i18n import t

REFLECTION_TITLE = "Reflektion och beslut"
MODEL = """\
name: team
title: {sv: Team, en: Team}
version: "1.0"
format: wide
fields:
  - {name: id, type: string, role: subject, constraints: {required: true, unique: true}}
  - {name: team, type: string, role: group, title: {sv: Team, en: Team}}
  - {name: s1_pre, type: number}
  - {name: s1_post, type: number}
scales:
  s1: {pre: s1_pre, post: s1_post, direction: higher_is_better, title: {sv: Skattning, en: Rating}}
"""
CONFIG = """\
municipality: Testkommun
unit: Testenheten
period: {start: "2025-01-01", end: "2025-12-31"}
plugins_dirs: [models]
reflection_log: reflektion.yaml
datasets:
  t: {model: team, source: data.csv, categories: {team: [A, B, C]}}   # the model declares no teams
"""
LOG = """\
- date: 2024-02-10
  period: "2023"
  topic: Få fyller i eftermätningen
  interpretation: Eftermätningen glöms bort.
  decision: Eftermätning vid sista besöket.
  follow_up: finns_inte
  responsible: Samordnare
- date: 2025-02-12
  period: "2024"
  dataset: t
  topic: Team A förbättras oftare
  interpretation: Team A följer upp varje besök.
  decision: Team A visar sitt arbetssätt för B och C.
  follow_up: [s1.n_paired, n_subjects]
  responsible: Enhetschef
- date: 2026-02-01
  period: "2025"
  topic: Årets analysträff
  decision: Gäller perioden som rapporten handlar om.
- period: "2024"
  dataset: annan
  topic: En annan enhet
  decision: Gäller en annan datamängd.
"""
# Per team: how many of its 30 paired people get better (pre 1 -> post 2; the rest get worse, 2 -> 1).
BETTER = {"A": 24, "B": 15, "C": 15}
UNPAIRED = 5  # people in team A with no post value: counted in n_subjects, not in s1.n_paired


def data_rows() -> str:
    lines = ["id;team;s1_pre;s1_post"]
    for team, better in BETTER.items():
        lines += [f"{team}{i};{team};{'1;2' if i < better else '2;1'}" for i in range(30)]
    lines += [f"U{i};A;1;" for i in range(UNPAIRED)]
    return "\n".join(lines) + "\n"


@pytest.fixture
def project(write):
    write("models/team/model.yaml", MODEL)
    write("data.csv", data_rows())
    return write("config.yaml", CONFIG)


def report(cli, config, out):
    result = cli("report", config, "--out", out, "--format", "json,html")
    assert result.code == 0, result.err
    return json.loads((out / "report.json").read_text(encoding="utf-8"))["datasets"]["t"], (out / "t.html").read_text("utf-8")


def sections(page: str) -> dict[str, str]:
    """Section title -> its visible text (tags removed, entities decoded, white space collapsed)."""
    found = {}
    for body in re.findall(r'<section class="report-section[^"]*"[^>]*>(.*?)</section>', page, flags=re.S):
        title = re.search(r"<h2[^>]*>(.*?)</h2>", body, flags=re.S).group(1)
        found[html.unescape(title).strip()] = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
    return found


def table(dataset: dict, table_id: str) -> dict | None:
    return next((t for t in dataset["tables"] if t["id"] == table_id), None)


def test_last_periods_decisions_are_shown_with_the_new_figures(cli, project, write, tmp_path):
    write("reflektion.yaml", LOG)
    dataset, page = report(cli, project, tmp_path / "out")
    # 3 teams × 30 paired + 5 unpaired = 95 people; 90 with both values
    assert dataset["figures"]["n_subjects"] == 95 and dataset["figures"]["s1.n_paired"] == 90
    log = table(dataset, "t.reflection.log")
    # Earlier periods only, this dataset or all datasets, newest period first; the 2025 entry (the
    # report's own period) and the entry for another dataset are left out.
    assert [row[1:4] for row in log["rows"]] == [
        ["Team A förbättras oftare", "Team A följer upp varje besök.", "Team A visar sitt arbetssätt för B och C."],
        ["Få fyller i eftermätningen", "Eftermätningen glöms bort.", "Eftermätning vid sista besöket."],
    ]
    assert log["rows"][0][0].startswith("2024-01-01") and log["rows"][1][0].startswith("2023-01-01")
    assert [row[5] for row in log["rows"]] == ["Enhetschef", "Samordnare"]
    assert log["rows"][1][4] == "finns_inte"  # not a figure of this report: named as written
    text = sections(page)[REFLECTION_TITLE]
    assert "Team A visar sitt arbetssätt för B och C." in text and "Eftermätning vid sista besöket." in text
    assert "Årets analysträff" not in text and "En annan enhet" not in text
    # each followed-up figure of the decision, with this period's value
    followed = re.findall(r"Team A förbättras oftare: ([^.]+?) är nu (\d+)\.", text)
    assert sorted(value for _, value in followed) == ["90", "95"]
    assert not re.search(r"Få fyller i eftermätningen: [^.]+ är nu", text)


def test_without_a_log_the_report_says_there_is_none_yet(cli, project, tmp_path):
    dataset, page = report(cli, project, tmp_path / "out")  # reflektion.yaml does not exist yet
    assert table(dataset, "t.reflection.log") is None
    assert "är nu" not in sections(page)[REFLECTION_TITLE]


def test_a_flagged_difference_becomes_an_observation_and_a_question(cli, project, tmp_path):
    dataset, page = report(cli, project, tmp_path / "out")
    # A vs the rest: [[24, 6], [30, 30]], N = 90, rows 30 and 60, columns 54 and 36 (smallest expected 12)
    #   chi2 = 90 · (24·30 − 6·30)^2 / (30·60·54·36) = 90 · 291 600 / 3 499 200 = 7.5
    # B vs the rest (and C alike): [[15, 15], [39, 21]]
    #   chi2 = 90 · (15·21 − 15·39)^2 / 3 499 200 = 90 · 72 900 / 3 499 200 = 1.875
    p_a, p_b = math.erfc(math.sqrt(7.5 / 2)), math.erfc(math.sqrt(1.875 / 2))   # ≈ 0.00617, 0.1709
    # Benjamini–Hochberg over the m = 3 tests: q_A = min(3·p_a, 1.5·p_b, p_b) = 3·p_a ≈ 0.0185; q_B = q_C = p_b
    rows = {row[0]: row for row in table(dataset, "t.s1.improved.team")["rows"]}
    assert rows["A"][1:4] == [30, pytest.approx(80.0), pytest.approx(50.0)]    # 24/30 against 30/60
    assert rows["B"][1:4] == [30, pytest.approx(50.0), pytest.approx(65.0)]    # 15/30 against 39/60
    assert rows["A"][5] == pytest.approx(3 * p_a) and rows["B"][5] == pytest.approx(p_b)
    # A: 30 points, q < 0.05, 30 and 60 >= 20 -> flagged; B and C: 15 points but q ≈ 0.17 -> not
    assert [bool(rows[team][6]) for team in "ABC"] == [True, False, False]
    asides = re.findall(r'<aside class="reflection">(.*?)</aside>', page, flags=re.S)
    observations = [" ".join(html.unescape(o).split())
                    for aside in asides for o in re.findall(r'<p class="observation">(.*?)</p>', aside, flags=re.S)]
    assert len(observations) == 1
    assert re.fullmatch(r"A: 80,0 % \(.+\), jämfört med 50,0 % bland övriga\.", observations[0])
    # the question follows its observation in the same list item
    question = re.search(r'<p class="observation">[^<]*</p>\s*<p class="question">(.*?)</p>\s*</li>', page).group(1)
    assert html.unescape(question) == t("compare.question", "sv")
