"""Model YAML: Frictionless field descriptors plus ISU keys, checked with file and line."""

import pytest

from isu_engine.errors import UserError
from isu_engine.configure.model import load_model
from isu_engine.configure.plugins import load_registry
from isu_engine.check.rules import builtin_rule_kinds

GOOD = """
name: demo
title: {sv: Demo, en: Demo}
version: "1.0"
format: long
fields:
  - {name: id, type: string, role: subject, constraints: {required: true}}
  - {name: day, type: date, role: occasion}
  - name: kind
    type: string
    categories: [{value: a, label: {sv: A-typ, en: A type}}, b]
  - {name: score, type: number, constraints: {minimum: 0, maximum: 40}}
  - {name: areas, type: list, delimiter: ";"}
scales:
  s: {value: score, direction: higher_is_better, reliable_change: 5, cutoff: 25}
rules:
  - {type: compare, field: score, op: "<=", value: 40}
"""


def load(write, text):
    return load_model(write("model.yaml", text), "model.yaml", builtin_rule_kinds())


def test_good_model(write):
    model = load(write, GOOD)
    assert model.format == "long"
    assert model.fields["kind"].categories[0].label("en") == "A type"
    assert model.fields["kind"].allowed_values == ("a", "b")
    assert model.scales["s"].reliable_change == 5 and model.scales["s"].cutoff.value == 25
    assert model.field_with_role("subject").name == "id"


@pytest.mark.plugins("fit", "loke")
def test_a_model_read_again_is_the_same_and_its_document_is_only_read(write):
    """A model file's parsed YAML is kept per process: checking the model must leave it as it was."""
    from isu_engine.configure.model import _model_document, parse_model
    from isu_engine.configure.schema import Document
    from isu_engine.configure.yamlio import load_yaml_file

    paths = [write("model.yaml", GOOD), *(load_registry().models[name].model.path for name in ("fit", "loke"))]
    for path in paths:
        first = load_model(path, "model.yaml", builtin_rule_kinds())
        assert _model_document(path, "model.yaml") == load_yaml_file(path)      # as a fresh parse, after checking
        assert load_model(path, "model.yaml", builtin_rule_kinds()) == first
        assert parse_model(load_yaml_file(path), Document("model.yaml"), builtin_rule_kinds(), path=path) == first
    changed = write("model.yaml", GOOD.replace("cutoff: 25", "cutoff: 26"))   # the same size, read again
    assert load_model(changed, "model.yaml", builtin_rule_kinds()).scales["s"].cutoff.value == 26


@pytest.mark.parametrize("old, new, key, line", [
    ("format: long", "formt: long", "schema.unknown_key_suggest", 4),
    ("type: date", "type: datum", "schema.bad_choice", 7),
    ("{minimum: 0, maximum: 40}", "{minimum: 0, maximun: 40}", "schema.unknown_key_suggest", 11),
    ("reliable_change: 5", "reliable_change: -5", "model.bad_positive", 14),
    ("value: score,", "value: scor,", "model.unknown_field", 14),
    ('op: "<="', 'op: "=<"', "schema.bad_choice", 16),
    ("name: demo", "name: Demo Model", "model.bad_name", 1),
])
def test_model_errors_name_the_line(write, old, new, key, line):
    assert old in GOOD
    with pytest.raises(UserError) as caught:
        load(write, GOOD.replace(old, new))
    assert caught.value.key == key
    assert caught.value.place_text() == f"rad {line}"
    assert caught.value.file == "model.yaml"


@pytest.mark.plugins("fit", "loke")
def test_built_in_models_parse():
    registry = load_registry()
    fit = registry.model("fit")
    assert fit.scales["ors"].reliable_change == 5 and fit.scales["ors"].cutoff.kind == "rules"
    assert fit.parameters["srs_cutoff"] == 36
    loke = registry.model("loke")
    assert {f.block for f in loke.fields.values() if f.block} == {"target_group", "intervention", "result"}
    assert loke.fields["problem_areas"].type == "list"
