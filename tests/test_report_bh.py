"""Benjamini–Hochberg over every group comparison of a report, not table by table (DESIGN §2).

Two teams of 30 are compared on three scales of a YAML-only model, each scale in a section
of its own. The difference on the first scale is clear within its own table (p < 0.05) but
not after adjusting over all comparisons of the report. The p-values and q-values below are
worked out by hand; the test only uses `math.erfc` for the chi-square tail.

Pearson's chi-square on a 2x2 table [[a, b], [c, d]] (every expected count >= 5):
chi2 = N (ad − bc)^2 / (r1 r2 c1 c2), and for one degree of freedom P(chi2 > x) = erfc(sqrt(x / 2)).
"""

import json
import math
import re

import pytest

from isu_engine.commands.cli import main

SCALES = {
    "s1": "  s1: {pre: s1_pre, post: s1_post, direction: higher_is_better}\n",
    "s2": "  s2: {pre: s2_pre, post: s2_post, direction: higher_is_better}\n",
    "s3": "  s3: {pre: s3_pre, post: s3_post, direction: higher_is_better}\n",
}
MODEL = """\
name: {name}
title: {{sv: Team, en: Team}}
version: "1.0"
format: wide
fields:
  - {{name: id, type: string, role: subject, constraints: {{required: true, unique: true}}}}
  - {{name: team, type: string, role: group, title: {{sv: Team, en: Team}}}}
  - {{name: s1_pre, type: number}}
  - {{name: s1_post, type: number}}
  - {{name: s2_pre, type: number}}
  - {{name: s2_post, type: number}}
  - {{name: s3_pre, type: number}}
  - {{name: s3_post, type: number}}
scales:
"""
# Per team, how many of the 30 get better (pre 1, post 2) on each scale; the others get worse (2 -> 1).
BETTER = {"A": {"s1": 20, "s2": 18, "s3": 15}, "B": {"s1": 12, "s2": 12, "s3": 15}}
CONFIG = """\
municipality: Testkommun
period: {start: "2025-01-01", end: "2025-12-31"}
plugins_dirs: [models]
datasets:
  ett: {model: ett, source: data.csv, categories: {team: [A, B]}}
  tre: {model: tre, source: data.csv, categories: {team: [A, B]}}
"""
# The teams are the field's categories: a field without declared categories is never tabulated.

# s1: [[20, 10], [12, 18]], N = 60, rows 30 and 30, columns 32 and 28 (smallest expected 30·28/60 = 14)
#     chi2 = 60 · (20·18 − 10·12)^2 / (30·30·32·28) = 60 · 57 600 / 806 400 = 30/7
P1 = math.erfc(math.sqrt(15 / 7))   # ≈ 0.03843
# s2: [[18, 12], [12, 18]]: chi2 = 60 · (18·18 − 12·12)^2 / (30·30·30·30) = 60 · 32 400 / 810 000 = 2.4
P2 = math.erfc(math.sqrt(1.2))      # ≈ 0.12134
# s3: 15 of 30 in both teams: chi2 = 0, p = 1.
#
# With two teams, "A against the rest" and "B against the rest" are one contrast: each scale is one test,
# m = 3. Sorted p: P1, P2, 1; p_(j)·3/j = 3·P1, 1.5·P2, 1.
# q_(i) = min over j >= i, capped at 1:
#   q(P1) = min(3·P1 ≈ 0.1153, 1.5·P2 ≈ 0.1820, 1) = 3·P1
#   q(P2) = min(1.5·P2, 1) = 1.5·P2
#   q(1)  = 1
# (Counting each contrast twice, m = 6, would give the same q here only because every p appears twice.)
Q_REPORT = {"s1": 3 * P1, "s2": 1.5 * P2, "s3": 1.0}


def data_rows() -> str:
    lines = ["id;team;s1_pre;s1_post;s2_pre;s2_post;s3_pre;s3_post"]
    for team, better in BETTER.items():
        for index in range(30):
            cells = []
            for scale in ("s1", "s2", "s3"):
                cells += ["1", "2"] if index < better[scale] else ["2", "1"]
            lines.append(";".join([f"{team}{index}", team, *cells]))
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """One report run with two datasets over the same data: `ett` (scale s1 only) and `tre` (s1, s2, s3)."""
    folder = tmp_path_factory.mktemp("bh")
    for name, scales in (("ett", ["s1"]), ("tre", ["s1", "s2", "s3"])):
        (folder / "models" / name).mkdir(parents=True)
        (folder / "models" / name / "model.yaml").write_text(
            MODEL.format(name=name) + "".join(SCALES[s] for s in scales), encoding="utf-8")
    (folder / "data.csv").write_text(data_rows(), encoding="utf-8")
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    code = main(["report", str(folder / "config.yaml"), "--out", str(folder / "out"), "--format", "json,html"])
    assert code == 0
    document = json.loads((folder / "out" / "report.json").read_text(encoding="utf-8"))
    return document, folder / "out"


def comparison(document: dict, dataset: str, scale: str) -> dict[str, dict]:
    """The comparison table of `scale` by team: row label -> {column id: value}."""
    table = next(t for t in document["datasets"][dataset]["tables"] if t["id"] == f"{dataset}.{scale}.improved.team")
    return {row[0]: dict(zip(table["column_ids"], row)) for row in table["rows"]}


def test_q_values_are_benjamini_hochberg_over_every_comparison_of_the_report(run):
    document, _ = run
    assert P1 < 0.05 < Q_REPORT["s1"]  # the case this file is built for
    for scale, q in Q_REPORT.items():
        rows = comparison(document, "tre", scale)
        assert set(rows) == {"A", "B"}
        for row in rows.values():
            assert row["q"] == pytest.approx(q, rel=1e-9), scale
    s1 = comparison(document, "tre", "s1")
    # 20/30 = 66.7 % against 12/30 = 40.0 %: 26.7 points, both teams 30 >= min_group 20; only q stops the flag
    assert s1["A"]["pct"] == pytest.approx(200 / 3) and s1["A"]["pct_rest"] == pytest.approx(40.0)
    assert s1["A"]["n"] == 30 and s1["B"]["n"] == 30
    assert not any(row["flag"] for scale in Q_REPORT for row in comparison(document, "tre", scale).values())


def test_the_same_difference_alone_in_its_report_keeps_its_p_and_is_flagged(run):
    # Report "ett" holds only the s1 contrast: m = 1, so q = P1 < 0.05.
    # The comparisons of report "tre" in the same run do not count: the adjustment is per report.
    document, _ = run
    rows = comparison(document, "ett", "s1")
    assert rows["A"]["q"] == pytest.approx(P1, rel=1e-9) and rows["B"]["q"] == pytest.approx(P1, rel=1e-9)
    assert rows["A"]["flag"] and rows["B"]["flag"]


def test_only_the_flagged_report_asks_about_the_difference(run):
    _, out = run
    observations = lambda name: [" ".join(found.split()) for found in  # a no-break space before % becomes a space
                                 re.findall(r'<p class="observation">(.*?)</p>', (out / f"{name}.html").read_text("utf-8"))]
    assert observations("tre") == []
    asked = observations("ett")
    assert len(asked) == 2
    assert asked[0].startswith("A: 66,7 %") and "40,0 %" in asked[0]
    assert asked[1].startswith("B: 40,0 %") and "66,7 %" in asked[1]


def test_a_comparison_reprints_the_reports_q_for_the_contrasts_it_shares(tmp_path):
    # The same data with the teams as units: the comparison splits each dataset by unit and compares
    # improvement on the first scale, exactly the report's s1 contrast. It prints the report's q
    # (P1 for "ett", 3·P1 for "tre") instead of adjusting again over its own two tables.
    for name, scales in (("ett", ["s1"]), ("tre", ["s1", "s2", "s3"])):
        (tmp_path / "models" / name).mkdir(parents=True)
        model = MODEL.format(name=name).replace("name: team, type: string", "name: unit, type: string")
        (tmp_path / "models" / name / "model.yaml").write_text(model + "".join(SCALES[s] for s in scales),
                                                               encoding="utf-8")
    (tmp_path / "data.csv").write_text(data_rows().replace("id;team;", "id;unit;", 1), encoding="utf-8")
    config = CONFIG.replace("categories: {team:", "categories: {unit:")
    (tmp_path / "config.yaml").write_text(config + "compare: [ett, tre]\n", encoding="utf-8")
    assert main(["compare", str(tmp_path / "config.yaml"), "--out", str(tmp_path / "out"), "--format", "json"]) == 0
    document = json.loads((tmp_path / "out" / "comparison.json").read_text(encoding="utf-8"))
    tables = {t["id"]: t for t in document["datasets"]["comparison"]["tables"]}
    for dataset, q in (("ett", P1), ("tre", 3 * P1)):
        table = tables[f"comparison.{dataset}.improved.unit"]
        rows = [dict(zip(table["column_ids"], row)) for row in table["rows"]]
        assert [row["q"] for row in rows] == pytest.approx([q, q], rel=1e-9)


def test_groups_below_min_group_and_hidden_groups_stay_out_of_the_family():
    import pandas as pd

    from isu_engine.analyse.differences import finalize
    from isu_engine.analyse.results import Comparison, Contrast, Section
    from isu_engine.analyse.tabulate import Population, Tally
    from isu_engine.protect.protection import Settings, protect
    from isu_engine.protect.records import Records
    from isu_engine.stats.groups import FlagRule

    records = Records()
    tally = Tally(records, "d")

    def comparison(name: str, groups: list[str], k: list[int], n: list[int], p: list[float]) -> Comparison:
        """Each group's units (k of n with the indicator) counted through the tally, each group against the rest."""
        population = Population("cases", name)
        flags = {g: pd.Series([True] * a + [False] * (b - a), index=[f"{name}.{g}.{i}" for i in range(b)])
                 for g, a, b in zip(groups, k, n)}
        contrasts = []
        total_k, total_n = sum(k), sum(n)
        for g, a, b, p_value in zip(groups, k, n, p):
            _, base, inside = tally.indicator(population, "yes", flags[g], [("g", g)])
            others = pd.concat([flags[o] for o in groups if o != g])
            outside = tally.indicator(population, "yes", others, [("g", ("not", g))])[2]
            diff = tally.difference(inside, outside, 100 * a / b - 100 * (total_k - a) / (total_n - b))
            contrasts.append(Contrast(g, base, inside, outside, diff, b, total_n - b, p_value))
        everyone = tally.indicator(population, "yes", pd.concat(flags.values()), [("g", ("any",))])[1]
        return Comparison(id=name, indicator=name, grouping="g", contrasts=contrasts, assessed=everyone)

    # "two": groups of 30 and 30, one contrast (p 0.01) read from both sides.
    # "small": a group of 10 against 50 (p 0.001) is too small to be flagged: not in the family.
    # "hidden": 25 against 35 (p 0.02), but only 3 of the 25 have the indicator: disclosure control hides
    #     that count, H's share and the rest share of I (the same 3 units): not in the family.
    # "three": three groups of 30 (p 0.04, 0.5, 0.03): three distinct contrasts.
    two = comparison("two", ["A", "B"], [20, 10], [30, 30], [0.01, 0.01])
    small = comparison("small", ["S", "T"], [5, 20], [10, 50], [0.001, 0.001])
    hidden = comparison("hidden", ["H", "I"], [3, 10], [25, 35], [0.02, 0.02])
    three = comparison("three", ["X", "Y", "Z"], [20, 14, 8], [30, 30, 30], [0.04, 0.5, 0.03])
    section = Section(id="s", title="s", items=[two, small, hidden, three])
    protect(records, [cell.figure for cell in section.all_cells() if cell.figure], Settings(min_cell=5))
    shares = [cell for c in (two, small, three) for contrast in c.contrasts for cell in (contrast.pct, contrast.pct_rest)]
    assert not any(cell.hidden for cell in shares)  # only the small count of H is hidden, with what rests on it
    assert [contrast.pct.hidden for contrast in hidden.contrasts] == [True, False]
    assert [contrast.pct_rest.hidden for contrast in hidden.contrasts] == [False, True]
    known: dict = {}
    finalize([section], FlagRule(min_group=20), lambda key, **params: key, known)
    # Family: 0.01, 0.04, 0.5, 0.03 → m = 4; sorted 0.01, 0.03, 0.04, 0.5: p·4/rank = 0.04, 0.06, 0.0533, 0.5
    # q = running minimum from the top: 0.04, 0.0533, 0.0533, 0.5.
    assert two.q_values == pytest.approx([0.04, 0.04])
    assert three.q_values == pytest.approx([0.16 / 3, 0.5, 0.16 / 3])
    assert all(math.isnan(q) for q in small.q_values + hidden.q_values)
    assert len(known) == 4
