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
