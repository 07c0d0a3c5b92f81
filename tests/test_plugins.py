"""Plugins: entry points and model folders, broken plugins named, order independence, strict mode."""

from importlib import metadata
import json
from types import SimpleNamespace

import pytest

from isu_engine import hookimpl

from isu_engine.configure import plugins
from isu_engine.errors import UserError
from isu_engine.configure.plugins import load_registry
from isu_engine.check.rules import Failure, RuleKind

YAML_MODEL = """
name: {name}
title: {{sv: Testmodell, en: Test model}}
version: "2.1"
fields:
  - {{name: id, type: string, role: subject, constraints: {{required: true}}}}
  - {{name: score, type: number, constraints: {{minimum: 0, maximum: 10}}}}
"""


def test_built_in_models_come_through_entry_points():
    registry = load_registry()
    assert {"fit", "loke"} <= set(registry.models)
    assert registry.models["fit"].plugin == "fit" and registry.models["loke"].plugin == "loke"
    names = {ep.name for ep in metadata.entry_points(group=plugins.ENTRY_POINT_GROUP)}
    assert {"fit", "loke"} <= names
    assert not registry.problems


def test_yaml_only_model_folder(write, tmp_path):
    write("models/mini/model.yaml", YAML_MODEL.format(name="mini"))
    registry = load_registry([tmp_path / "models"])
    assert registry.models["mini"].version == "2.1"
    assert registry.models["mini"].origin.startswith("plugins dir")


def test_broken_model_yaml_is_named_and_others_still_load(write, tmp_path):
    write("models/good/model.yaml", YAML_MODEL.format(name="good"))
    write("models/bad/model.yaml", YAML_MODEL.format(name="bad").replace("type: number", "type: numbr"))
    registry = load_registry([tmp_path / "models"])
    assert "good" in registry.models and "bad" not in registry.models
    [problem] = registry.problems
    assert problem.plugin == "bad"
    assert "model.yaml" in problem.problem and "rad 6" in problem.problem and "numbr" in problem.problem


def test_strict_plugins_makes_a_broken_plugin_fatal(write, tmp_path):
    write("models/bad/model.yaml", "name: bad\nfields: [}\n")
    with pytest.raises(UserError) as caught:
        load_registry([tmp_path / "models"], strict=True)
    assert "bad" in caught.value.line()


class FailingAnalyses:
    @hookimpl
    def isu_analyses(self, model, data, config):
        raise RuntimeError("boom")


class Rules:
    @hookimpl
    def isu_rule_types(self, register):
        register(RuleKind("always_fails", ("field",), ("field",),
                          lambda frame, rule: [Failure(frame[rule.params["field"]].notna(), rule.params["field"],
                                                       "rule.custom", {"text": "x"})]))


class WorkingAnalyses:
    @hookimpl
    def isu_analyses(self, model, data, config):
        return ["section"]


def test_hook_errors_are_isolated_per_plugin():
    registry = load_registry(extra_plugins=[("failing", FailingAnalyses()), ("working", WorkingAnalyses())])
    results = registry.call_each("isu_analyses", model=SimpleNamespace(name="other"), data=None, config=None)
    by_plugin = {name: (result, error) for name, result, error in results}
    assert isinstance(by_plugin["failing"][1], RuntimeError)
    assert by_plugin["working"] == (["section"], None)


def test_results_do_not_depend_on_registration_order():
    first = load_registry(extra_plugins=[("a_plugin", FailingAnalyses()), ("z_plugin", FailingAnalyses())])
    second = load_registry(extra_plugins=[("z_plugin", FailingAnalyses()), ("a_plugin", FailingAnalyses())])
    order = lambda registry: [impl.plugin_name for impl in registry.implementations("isu_analyses")]
    assert order(first) == order(second) == sorted(order(first))


def test_plugin_rule_kinds_are_usable_in_models(write, tmp_path):
    write("models/r/model.yaml", YAML_MODEL.format(name="r") + "rules:\n  - {type: always_fails, field: score}\n")
    registry = load_registry([tmp_path / "models"], extra_plugins=[("rules", Rules())])
    assert "always_fails" in registry.rule_kinds
    assert registry.models["r"].model.rules[0].type == "always_fails"


def test_unknown_rule_kind_is_a_model_error(write, tmp_path):
    write("models/r/model.yaml", YAML_MODEL.format(name="r") + "rules:\n  - {type: sometimes, field: score}\n")
    registry = load_registry([tmp_path / "models"])
    assert "r" not in registry.models
    assert "sometimes" in registry.problems[0].problem


def test_duplicate_model_name_keeps_the_first(write, tmp_path):
    write("models/fit/model.yaml", YAML_MODEL.format(name="fit"))
    registry = load_registry([tmp_path / "models"])
    assert registry.models["fit"].plugin == "fit" and registry.models["fit"].origin.startswith("entry point fit")
    assert "fit" in registry.problems[0].problem


def test_entry_point_that_fails_to_import_is_named(monkeypatch):
    real = metadata.entry_points

    def with_broken(group=None, **kwargs):
        found = list(real(group=group, **kwargs))
        if group == plugins.ENTRY_POINT_GROUP:
            found.append(metadata.EntryPoint(name="broken", value="isu_no_such_module", group=group))
        return found

    monkeypatch.setattr(plugins.metadata, "entry_points", with_broken)
    registry = load_registry()
    assert {"fit", "loke"} <= set(registry.models)
    [problem] = registry.problems
    assert problem.plugin == "broken" and "ModuleNotFoundError" in problem.problem
    with pytest.raises(UserError):
        load_registry(strict=True)


def test_cli_models_warns_about_a_broken_plugin(cli, write, tmp_path):
    write("models/bad/model.yaml", "name: bad\nfields: [}\n")
    result = cli("models", "--json", "--plugins-dir", tmp_path / "models")
    assert result.code == 0
    assert "bad" in result.err and "Traceback" not in result.err
    listed = json.loads(result.out)
    assert {m["name"] for m in listed["models"]} >= {"fit", "loke"}
    assert listed["problems"][0]["plugin"] == "bad"
    strict = cli("models", "--strict-plugins", "--plugins-dir", tmp_path / "models")
    assert strict.code == 2 and len(strict.err.strip().splitlines()) == 1
