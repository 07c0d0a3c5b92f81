"""The model's `analyses:` list: known kinds only, and exactly the analyses it names run."""

import json

import pytest

from isu_engine.errors import UserError
from isu_engine.configure.model import load_model
from isu_engine.check.rules import builtin_rule_kinds

MODEL = """name: m
format: wide
fields:
  - {{name: id, type: string, role: subject}}
  - {{name: team, type: string, role: group, categories: [Norr, Söder]}}
  - {{name: visits, type: integer}}
  - {{name: pre, type: number}}
  - {{name: post, type: number}}
scales:
  s: {{pre: pre, post: post, reliable_change: 2}}
analyses:
{analyses}
"""


def model_error(write, analyses: str) -> str:
    path = write("model.yaml", MODEL.format(analyses=analyses))
    with pytest.raises(UserError) as caught:
        load_model(path, "model.yaml", builtin_rule_kinds())
    return caught.value.line()


@pytest.mark.parametrize("analyses, fragments", [
    ("  - {kind: histogram}", ["rad 12", "histogram", "overview | frequencies | change"]),
    ("  - {name: generic}", ["rad 12", "kind"]),
    ("  - {kind: frequencies}", ["rad 12", "fields"]),
    ("  - {kind: frequencies, fields: [nosuch]}", ["rad 12", "nosuch"]),
    ("  - {kind: change, scales: [nosuch]}", ["rad 12", "nosuch"]),
    ("  - {kind: overview, fields: [team]}", ["rad 12", "fields"]),
])
def test_a_wrong_analysis_is_one_error_at_its_line(write, analyses, fragments):
    line = model_error(write, analyses)
    assert line.startswith("model.yaml:rad 12:"), line
    for fragment in fragments[1:]:
        assert fragment in line, line


def test_only_the_named_analyses_run(write, cli, tmp_path):
    write("models/m/model.yaml", MODEL.format(analyses="  - {kind: frequencies, fields: [team, visits]}"))
    rows = ["id,team,visits,pre,post"] + [f"P{i},{'Norr' if i < 6 else 'Söder'},{i},10,{10 + i}" for i in range(10)]
    write("data.csv", "\n".join(rows) + "\n")
    config = write("config.yaml", "plugins_dirs: [models]\ndisclosure: {min_cell: 1}\n"
                                  "datasets:\n  x: {model: m, source: data.csv}\n")
    result = cli("report", config, "--out", tmp_path / "out", "--format", "json")
    assert result.code == 0, result.err
    dataset = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))["datasets"]["x"]
    tables = {table["id"]: table for table in dataset["tables"]}
    assert tables["x.frequencies.team"]["rows"] == [["Norr", 6, 60.0], ["Söder", 4, 40.0]]
    # visits 0..9: mean 4.5, median 4.5, quartiles 2.25 and 6.75 (linear interpolation)
    assert tables["x.frequencies.numbers"]["rows"] == [["visits", 10, 4.5, 4.5, 2.25, 6.75]]
    assert "s.n_paired" not in dataset["figures"]  # no change analysis was named


def test_a_list_field_of_whole_numbers_counts_the_cases_holding_each_item(write, cli, tmp_path):
    write("models/m/model.yaml", """name: m
format: wide
fields:
  - {name: id, type: string, role: subject}
  - {name: help, type: list, itemType: integer, delimiter: ";", categories: [1, 2, 3]}
analyses:
  - {kind: frequencies, fields: [help]}
""")
    # ten cases: all got 1, six also got 2, nobody got 3
    write("data.csv", "id,help\n" + "".join(f"P{i},{'1;2' if i < 6 else '1'}\n" for i in range(10)))
    config = write("config.yaml", "plugins_dirs: [models]\ndisclosure: {min_cell: 1}\n"
                                  "datasets:\n  x: {model: m, source: data.csv}\n")
    result = cli("report", config, "--out", tmp_path / "out", "--format", "json")
    assert result.code == 0, result.err
    dataset = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))["datasets"]["x"]
    rows = {table["id"]: table for table in dataset["tables"]}["x.frequencies.help"]["rows"]
    assert [row[1:] for row in rows[:3]] == [[10, 100.0], [6, 60.0], [0, 0.0]]


FIGURES_MODEL = """name: m
fields:
  - {{name: id, type: string, role: subject}}
  - {{name: pre, type: number}}
  - {{name: post, type: number}}
scales:
  s: {{pre: pre, post: post{settings}}}
"""
JT_NAMES = ["jt_recovered", "jt_improved", "jt_unchanged", "jt_deteriorated", "jt_harmed"]


def scale_figures(cli, write, tmp_path, settings: str, rows: list[tuple[float, float]]) -> dict:
    write("models/m/model.yaml", FIGURES_MODEL.format(settings=settings))
    write("d.csv", "id;pre;post\n" + "".join(f"K{i};{pre};{post}\n" for i, (pre, post) in enumerate(rows)))
    config = write("c.yaml", "plugins_dirs: [models]\nreflection_log: null\ndisclosure: {min_cell: 1}\n"
                             "period: {start: 2025-01-01, end: 2025-12-31}\ndatasets:\n  a: {model: m, source: d.csv}\n")
    result = cli("report", config, "--out", tmp_path / "out", "--format", "json")
    assert result.code == 0, result.err
    figures = result.json(tmp_path / "out" / "report.json")["datasets"]["a"]["figures"]
    return {name.removeprefix("s."): value for name, value in figures.items() if name.startswith("s.")}


def test_the_design_s_change_figures_of_a_reliable_change_scale(cli, write, tmp_path):
    # changes +10, 0, -6, +5 (exactly the threshold counts): improved 2, unchanged 1, deteriorated 1
    figures = scale_figures(cli, write, tmp_path, ", reliable_change: 5", [(10, 20), (20, 20), (30, 24), (15, 20)])
    assert set(figures) == {"n_paired", "mean_pre", "mean_post", "sd_pre", "effect_size", "effect_size_dz",
                            "reliable_change_points", "cutoff", *JT_NAMES}
    assert figures["n_paired"] == 4 and figures["mean_pre"] == 18.75 and figures["mean_post"] == 21.0
    assert figures["reliable_change_points"] == 5.0 and figures["cutoff"] is None
    assert [figures[name] for name in JT_NAMES] == [None, 2, 1, 1, None]


def test_the_design_s_change_figures_without_a_threshold_are_better_same_worse(cli, write, tmp_path):
    figures = scale_figures(cli, write, tmp_path, "", [(10, 12), (10, 10), (10, 8), (10, 11)])
    assert (figures["better"], figures["same"], figures["worse"]) == (2, 1, 1)
    assert all(figures[name] is None for name in JT_NAMES)
    assert figures["reliable_change_points"] is None
